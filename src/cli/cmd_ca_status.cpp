// SPDX-License-Identifier: Apache-2.0
// certforge ca status: the CA certificate's own validity, whether it may
// still issue for its profile, and the ledger's counts.
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "cli_support.hpp"

#include <ctime>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct CaStatusOptions {
    std::string ca_dir;
    bool json = false;
};

int run_ca_status(const CaStatusOptions& options) {
    const UnixTime at = unix_now();
    const std::filesystem::path dir = utf8_path(options.ca_dir);
    const CertInfo ca = read_ca_certificate(dir);
    CaMetadata metadata;
    if (std::filesystem::exists(dir / kCaMetadataFile)) {
        metadata =
            metadata_from_json(read_file(dir / kCaMetadataFile), path_text(dir / kCaMetadataFile));
    }
    std::string refusal;
    if (!metadata.profile_id.empty()) {
        try {
            const IssueTarget target =
                IssueTarget::of({ProfileCatalog::from_environment().load(metadata.profile_id)});
            require_ca_fits(ca, target, at, path_text(dir / kCaCertFile));
        } catch (const RefusedError& e) {
            refusal = fmt::format("{} (rule {})", e.what(), e.rule());
        } catch (const InputError& e) {
            refusal = fmt::format("its profile cannot be loaded: {}", e.what());
        }
    }
    if (refusal.empty() && ca_state(ca, at) != "valid") {
        refusal = fmt::format("the CA certificate is {} (notAfter {})", ca_state(ca, at),
                              format_utc(ca.not_after));
    }
    std::map<std::string, std::size_t> counts;
    const CaLedger ledger(dir);
    for (const auto& entry : ledger.entries()) {
        ++counts[std::string(to_string(entry.status))];
    }
    const std::string key = metadata.key.empty() ? path_text(dir / kCaKeyFile) : metadata.key;
    const bool can_issue = refusal.empty();
    if (options.json) {
        print_json({{"schema", schema::kCaStatus},
                    {"ca", options.ca_dir},
                    {"name", metadata.name},
                    {"profile", metadata.profile_id},
                    {"now", format_utc(at)},
                    {"certificate", ca_certificate_json(ca, at)},
                    {"can_issue", can_issue},
                    {"refusal", refusal},
                    {"key", key},
                    {"key_on_token", !metadata.key.empty()},
                    {"ledger_location", ledger.name()},
                    {"ledger", counts}});
        return can_issue ? kExitOk : kExitFindings;
    }
    fmt::print("CA '{}' ({}), profile {}\n", printable(metadata.name),
               printable(ca.subject.to_string()),
               metadata.profile_id.empty() ? "unknown" : metadata.profile_id);
    fmt::print("  valid {} .. {}: {}, {} days left\n", format_utc(ca.not_before),
               format_utc(ca.not_after), ca_state(ca, at),
               ca.not_after > at ? (ca.not_after - at) / 86400 : 0);
    fmt::print("  {} {} bits, signed with {}\n", to_string(ca.key_algorithm), ca.key_bits,
               to_string(ca.signature_hash));
    fmt::print("  sha256 {}\n", sha256_hex(ca));
    fmt::print("  key: {}{}\n", metadata.key.empty() ? "" : "on a PKCS#11 token, ", printable(key));
    std::vector<std::string> lines;
    for (const auto& [status, count] : counts) {
        lines.push_back(fmt::format("{} {}", count, status));
    }
    fmt::print("  ledger {}: {}\n", printable(ledger.name()),
               lines.empty() ? std::string("no certificates")
                             : fmt::format("{}", fmt::join(lines, ", ")));
    fmt::print("  can issue: {}\n", can_issue ? std::string("yes") : "no: " + refusal);
    return can_issue ? kExitOk : kExitFindings;
}

} // namespace

void add_ca_status_command(CLI::App* ca, Action& selected) {
    auto options = std::make_shared<CaStatusOptions>();
    auto* status = ca->add_subcommand(
        "status", "Show the CA certificate's validity, whether it can still issue for its "
                  "profile (at least 30 days left, fits the profile), where its key and its "
                  "ledger are, and the ledger's counts; exit 1 when it cannot issue");
    status->add_option("--ca", options->ca_dir, "CA folder")->required();
    status->add_flag("--json", options->json, fmt::format("print JSON ({})", schema::kCaStatus));
    on_run(status, selected, options, run_ca_status);
}

} // namespace certforge::cli
