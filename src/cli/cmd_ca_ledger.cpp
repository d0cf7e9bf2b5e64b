// SPDX-License-Identifier: Apache-2.0
// certforge ca list, ca revoke and ca crl: the CA ledger and its CRL.
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "certforge/profile_catalog.hpp"
#include "cli_support.hpp"

#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct CaListOptions {
    std::string ca_dir;
    std::string expiring;
    std::string status;
    std::string site;
    bool check = false;
    bool json = false;
};

nlohmann::json entry_json(const LedgerEntry& entry, UnixTime at) {
    nlohmann::json json{{"sequence", entry.sequence},
                        {"serial", entry.serial},
                        {"status", to_string(entry.status)},
                        {"expired", entry.not_after < at},
                        {"subject", entry.subject},
                        {"common_name", entry.common_name},
                        {"subject_alt_names", entry.subject_alt_names},
                        {"site", entry.site},
                        {"profile", entry.profile},
                        {"source", entry.source},
                        {"location", entry.location},
                        {"not_before", format_utc(entry.not_before)},
                        {"not_after", format_utc(entry.not_after)},
                        {"issued_at", format_utc(entry.issued_at)},
                        {"sha256", entry.sha256}};
    if (entry.revoked_at) {
        json["revoked_at"] = format_utc(*entry.revoked_at);
        json["revocation_reason"] = to_string(entry.revocation_reason);
    }
    return json;
}

int run_ca_list(const CaListOptions& options) {
    CaLedger ledger(utf8_path(options.ca_dir));
    const UnixTime at = unix_now();
    const CertInfo ca = read_ca_certificate(utf8_path(options.ca_dir));
    const std::int64_t window =
        options.expiring.empty() ? 0 : parse_duration(options.expiring, "--expiring");
    const bool ca_expiring = !options.expiring.empty() && ca.not_after <= at + window;
    LedgerFilter filter;
    filter.site = options.site;
    if (!options.status.empty()) {
        filter.status = ledger_status_from_name(options.status);
    }
    if (!options.expiring.empty()) {
        filter.not_after_before = at + window;
        if (!filter.status) {
            filter.status = LedgerStatus::valid;
        }
    }
    if (options.check && options.expiring.empty()) {
        throw UsageError("--check needs --expiring: the window to check, e.g. --expiring 30d");
    }
    const auto entries = ledger.entries(filter);
    // --check: like openssl x509 -checkend, exit 1 when anything ends
    // within the window.
    const int exit_code =
        options.check && (ca_expiring || !entries.empty()) ? kExitFindings : kExitOk;
    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& entry : entries) {
            list.push_back(entry_json(entry, at));
        }
        nlohmann::json ca_json = ca_certificate_json(ca, at);
        ca_json["expiring"] = ca_expiring;
        print_json({{"schema", schema::kCaList},
                    {"ca", options.ca_dir},
                    {"now", format_utc(at)},
                    {"ca_certificate", ca_json},
                    {"certificates", list}});
        return exit_code;
    }
    if (ca_expiring) {
        warn(fmt::format("the CA certificate itself {} {}: certificates it issued stop working "
                         "then; make a new CA (certforge ca init) and renew them",
                         ca.not_after < at ? "expired on" : "expires on",
                         format_utc(ca.not_after)));
    }
    if (entries.empty() && !ca_expiring) {
        fmt::print("no certificates{}\n",
                   options.expiring.empty() ? ""
                                            : fmt::format(" expiring within {}", options.expiring));
        return exit_code;
    }
    fmt::print("{:<34} {:<10} {:<20} {:<16} {}\n", "SERIAL", "STATUS", "NOT AFTER", "SITE",
               "COMMON NAME");
    if (ca_expiring) {
        fmt::print("{:<34} {:<10} {:<20} {:<16} {}\n", serial_hex(ca),
                   ca.not_after < at ? "ca-expired" : "ca", format_utc(ca.not_after), "(the CA)",
                   printable(ca.subject.common_name().value_or("")));
    }
    for (const auto& entry : entries) {
        std::string status(to_string(entry.status));
        if (entry.status == LedgerStatus::valid && entry.not_after < at) {
            status = "expired";
        }
        fmt::print("{:<34} {:<10} {:<20} {:<16} {}\n", entry.serial, status,
                   format_utc(entry.not_after), entry.site.empty() ? "-" : entry.site,
                   printable(entry.common_name));
    }
    return exit_code;
}

struct CaRevokeOptions {
    std::string ca_dir;
    std::string serial;
    std::string reason = "unspecified";
    bool json = false;
};

int run_ca_revoke(const CaRevokeOptions& options) {
    const RevocationReason reason = revocation_reason_from_name(options.reason);
    CaLedger ledger(utf8_path(options.ca_dir));
    const UnixTime at = unix_now();
    const LedgerEntry entry = ledger.revoke(options.serial, reason, at);
    if (options.json) {
        auto json = entry_json(entry, at);
        json["status"] = "revoked";
        json["revoked_at"] = format_utc(at);
        json["revocation_reason"] = to_string(reason);
        print_json({{"schema", schema::kCaRevoke}, {"certificate", json}});
        return kExitOk;
    }
    fmt::print("revoked {} ({}{}), reason {}\n", entry.serial, entry.common_name,
               entry.site.empty() ? "" : fmt::format(", site {}", entry.site), to_string(reason));
    note("publish the change: certforge ca crl --ca " + options.ca_dir);
    return kExitOk;
}

struct CaCrlOptions {
    std::string ca_dir;
    std::string out;
    std::string profile;
    std::string backend;
    unsigned days = 7;
    bool der = false;
    bool force = false;
    bool json = false;
    PasswordOptions pin;
};

int run_ca_crl(const CaCrlOptions& options) {
    const auto backend = make_backend(options.backend);
    const CaFolder ca = load_ca_folder(utf8_path(options.ca_dir), *backend, token_pin(options.pin));
    const Profile profile =
        load_profile(options.profile.empty() ? ca.metadata.profile_id : options.profile);
    const std::filesystem::path out =
        options.out.empty() ? utf8_path(options.ca_dir) / (options.der ? "crl.der" : "crl.pem")
                            : utf8_path(options.out);
    // A CRL is a publication replaced each time: an existing CRL is replaced
    // without --force, any other file is not.
    std::error_code ec;
    const bool replace = options.force || (std::filesystem::is_regular_file(out, ec) && [&] {
                             return is_crl(as_bytes(read_file(out)));
                         }());
    OutputSet::refuse_existing(folder_of(out), {path_text(out.filename())}, replace);

    CaLedger ledger(utf8_path(options.ca_dir));
    LedgerFilter filter;
    filter.status = LedgerStatus::revoked;
    const auto revoked = ledger.entries(filter);
    const UnixTime at = unix_now();
    const std::uint64_t number = ledger.next_crl_number();
    const CrlTemplate tmpl =
        make_crl_template(revoked, number, profile.signature.default_hash, at, options.days);
    const Bytes crl = backend->sign_crl(tmpl, ca.credentials());

    OutputSet output(folder_of(out), replace);
    if (options.der) {
        output.add(path_text(out.filename()), crl, FileMode::public_file);
    } else {
        output.add(path_text(out.filename()), pem_encode("X509 CRL", crl), FileMode::public_file);
    }
    const auto written = output.commit();
    if (options.json) {
        nlohmann::json serials = nlohmann::json::array();
        for (const auto& entry : revoked) {
            serials.push_back(entry.serial);
        }
        print_json({{"schema", schema::kCaCrl},
                    {"file", path_text(written.front())},
                    {"crl_number", number},
                    {"this_update", format_utc(tmpl.this_update)},
                    {"next_update", format_utc(tmpl.next_update)},
                    {"signature_hash", to_string(tmpl.signature_hash)},
                    {"revoked", serials}});
        return kExitOk;
    }
    fmt::print("CRL #{} of CA '{}': {} revoked, signed with {}, next update {}\n", number,
               ca.metadata.name, revoked.size(), to_string(tmpl.signature_hash),
               format_utc(tmpl.next_update));
    print_written(written);
    return kExitOk;
}

} // namespace

void add_ca_ledger_commands(CLI::App* ca, Action& selected) {
    auto list_options = std::make_shared<CaListOptions>();
    auto* list = ca->add_subcommand(
        "list", "List the certificates the CA issued (its ledger: ca.db, or the PostgreSQL "
                "database ca.json names), oldest first");
    list->add_option("--ca", list_options->ca_dir, "CA folder")->required();
    list->add_option("--expiring", list_options->expiring,
                     "only valid certificates that expire within this time: 30d, 12h, 2w, 6mo, "
                     "1y, 90min (a bare number is days); expired ones included, and the CA "
                     "certificate itself when it ends within that time");
    list->add_option("--status", list_options->status,
                     "only this status: pending, valid, superseded, revoked, abandoned");
    list->add_option("--site", list_options->site, "only this batch site");
    list->add_flag("--check", list_options->check,
                   "for monitoring: exit 1 when anything, the CA included, expires within "
                   "--expiring (like openssl x509 -checkend); 0 when nothing does");
    list->add_flag("--json", list_options->json, fmt::format("print JSON ({})", schema::kCaList));
    on_run(list, selected, list_options, run_ca_list);

    auto revoke_options = std::make_shared<CaRevokeOptions>();
    auto* revoke = ca->add_subcommand(
        "revoke", "Mark a certificate revoked in the ledger; 'ca crl' then publishes it");
    revoke->add_option("serial", revoke_options->serial, "serial number in hex (colons allowed)")
        ->required();
    revoke->add_option("--ca", revoke_options->ca_dir, "CA folder")->required();
    revoke->add_option("--reason", revoke_options->reason,
                       "unspecified (default), key-compromise, ca-compromise, "
                       "affiliation-changed, superseded, cessation-of-operation, "
                       "certificate-hold, privilege-withdrawn, aa-compromise");
    revoke->add_flag("--json", revoke_options->json, "print JSON");
    on_run(revoke, selected, revoke_options, run_ca_revoke);

    auto crl_options = std::make_shared<CaCrlOptions>();
    auto* crl = ca->add_subcommand(
        "crl", "Write a CRL of every revoked certificate, signed by the CA with its profile's "
               "hash and numbered from the ledger");
    crl->add_option("--ca", crl_options->ca_dir, "CA folder")->required();
    crl->add_option("-o,--out", crl_options->out,
                    "file to write (default: crl.pem, or crl.der with --der, in the CA folder)");
    crl->add_option("--profile", crl_options->profile,
                    "profile whose signature hash to use (default: the CA's, from ca.json)");
    crl->add_option("--days", crl_options->days, "days until nextUpdate (default 7)")
        ->check(CLI::Range(1u, 3650u));
    crl->add_flag("--der", crl_options->der, "write DER instead of PEM");
    add_backend_option(crl, crl_options->backend);
    crl->add_flag("--force", crl_options->force,
                  "replace an existing file that is not a CRL (an existing CRL is always "
                  "replaced: it is a publication)");
    crl->add_flag("--json", crl_options->json, "print JSON");
    add_pin_options(crl, crl_options->pin);
    on_run(crl, selected, crl_options, run_ca_crl);
}

} // namespace certforge::cli
