// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "certforge/version.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

namespace certforge::cli {
namespace {

struct CaInitOptions : IssueOptions {
    std::string name;
    std::string ledger;
    std::string ca_key;
    bool existing_key = false;
    PasswordOptions pin;
};

// The new CA's ledger, opened before anything is written (when there is one
// to open: --ledger, or a ca.db left in the folder): it must be reachable
// and hold no other CA's certificates. The same connection later records
// which CA the ledger belongs to.
void open_new_ledger(const CaInitOptions& options, std::optional<CaLedger>& ledger) {
    const std::filesystem::path dir = utf8_path(options.out);
    if (options.ledger.empty() && !std::filesystem::exists(dir / kCaLedgerFile)) {
        return;
    }
    ledger.emplace(dir, options.ledger);
    const auto recorded = ledger->entries().size();
    if (recorded > 0) {
        throw InputError(fmt::format(
            "{} records {} certificate{} of {}; a new CA must not inherit them: {}", ledger->name(),
            recorded, recorded == 1 ? "" : "s",
            options.ledger.empty() ? fmt::format("the CA in {}", options.out) : "another CA",
            options.ledger.empty() ? "move the old CA folder away first"
                                   : "give the new CA a database of its own"));
    }
}

// Where the new CA's key comes from: none (the backend makes it, ca.key),
// or the token --ca-key names (made there, or already there with
// --existing-key).
CertificateBuilder::KeySource token_key_source(const CaInitOptions& options, Backend& backend) {
    if (options.ca_key.empty()) {
        if (options.existing_key) {
            throw UsageError("--existing-key needs --ca-key: the URI of the key on the token");
        }
        return {};
    }
    if (!is_token_key_uri(options.ca_key)) {
        throw UsageError(fmt::format("--ca-key {}: give the URI of a key on a PKCS#11 token "
                                     "(pkcs11:token=...;object=...); a CA key in a file is "
                                     "made by ca init itself",
                                     options.ca_key));
    }
    check_token_key_uri(options.ca_key);
    return [&options, &backend](unsigned bits) {
        const TokenPin pin = token_pin(options.pin);
        return options.existing_key
                   ? open_token_key(options.ca_key, pin)
                   : generate_token_key(options.ca_key, bits, backend.random_bytes(16), pin);
    };
}

int run_ca_init(const CaInitOptions& options) {
    const Profile profile = load_profile_quietly(options.profile);
    const auto backend = make_backend(options.backend);
    const auto key_source = token_key_source(options, *backend);

    CaRequest request;
    request.subject = options.subject;
    request.subject.common_name = options.name;
    apply_overrides(options.overrides, request);
    OutputSet::refuse_existing(utf8_path(options.out), {kCaKeyFile, kCaCertFile, kCaMetadataFile},
                               options.force);
    std::optional<CaLedger> ledger;
    open_new_ledger(options, ledger);

    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate ca =
        with_cli_hint(HintStyle::ca_init, [&] { return builder.issue_ca(request, key_source); });
    const CertInfo info = backend->parse_certificate(ca.certificate_der, "new CA certificate");
    if (const auto weak = weak_crypto_warning("the CA certificate", info.signature_hash,
                                              info.key_bits, fmt::format("'{}'", profile.id))) {
        warn(*weak);
    }

    CaMetadata metadata{options.name,           profile.id,       std::string(backend->name()),
                        format_utc(unix_now()), sha256_hex(info), std::string(version()),
                        options.ledger,         options.ca_key};
    OutputSet output(utf8_path(options.out), options.force);
    if (!ca.key.external()) {
        output.add(kCaKeyFile, pem_encode_secret("PRIVATE KEY", ca.key.pkcs8_der()),
                   FileMode::private_file);
    }
    output.add(kCaCertFile, pem_encode("CERTIFICATE", ca.certificate_der), FileMode::public_file);
    output.add(kCaMetadataFile, metadata_to_json(metadata), FileMode::public_file);
    auto written = output.commit();
    if (!ledger) {
        ledger.emplace(utf8_path(options.out), options.ledger);
    }
    ledger->bind_ca(metadata.certificate_sha256);
    if (options.ledger.empty()) {
        written.push_back(utf8_path(ledger->name()));
    }

    if (options.json) {
        print_json(issued_json(schema::kCaInit, profile, backend->name(), written, info));
        return kExitOk;
    }
    fmt::print("CA '{}' for profile {} ({} {} bits, {}), valid until {}\n", options.name,
               profile.id, to_string(info.key_algorithm), info.key_bits,
               to_string(info.signature_hash), format_utc(info.not_after));
    fmt::print("  sha256 {}\n", sha256_hex(info));
    if (ca.key.external()) {
        fmt::print("  key on the token: {}\n", options.ca_key);
    }
    print_written(written);
    return kExitOk;
}

struct CaSignOptions {
    std::string ca_dir;
    std::string profile;
    std::string request;
    std::string out;
    std::string backend;
    bool force = false;
    bool json = false;
    PasswordOptions pin;
};

int run_ca_sign(const CaSignOptions& options) {
    const IssueTarget target = load_target(options.profile, "");
    const Profile& profile = target.effective;
    const auto backend = make_backend(options.backend);
    const std::filesystem::path out = utf8_path(options.out);
    const std::filesystem::path dir = folder_of(out);
    OutputSet::refuse_existing(dir, {path_text(out.filename())}, options.force);
    const Bytes der = read_request_file(utf8_path(options.request));
    const CsrInfo csr = backend->parse_csr(der, options.request);
    const CaFolder ca = load_ca_folder(utf8_path(options.ca_dir), *backend, token_pin(options.pin));
    const UnixTime now = unix_now();
    const Bytes cert = with_cli_hint(HintStyle::ca_sign, [&] {
        try {
            CertificateIssuer issuer(*backend, target, &ca, now);
            Bytes signed_der = issuer.issue_for_csr(csr);
            print_notices(issuer.take_notices());
            return signed_der;
        } catch (const RefusedError& e) {
            throw RefusedError(e.rule(), e.profile(),
                               fmt::format("{}: refused: {}", options.request, e.what()), e.hint());
        }
    });
    CaLedger ledger(utf8_path(options.ca_dir));
    const CertInfo info = backend->parse_certificate(cert, "new certificate");
    OutputSet output(dir, options.force);
    output.add(path_text(out.filename()), pem_encode("CERTIFICATE", cert), FileMode::public_file);
    const auto written = deliver_recorded(
        ledger,
        make_ledger_entry(info, profile.id, "ca sign", "", ledger_location(out), unix_now()),
        output);
    if (options.json) {
        print_json(issued_json(schema::kCaSign, profile, backend->name(), written, info));
        return kExitOk;
    }
    fmt::print("signed {} for {} (profile {}), valid until {}\n", options.request,
               printable(info.subject.to_string()), profile.id, format_utc(info.not_after));
    print_written(written);
    return kExitOk;
}

} // namespace

void add_ca_command(CLI::App& app, Action& selected) {
    auto* ca = app.add_subcommand("ca", "Run a small CA for the Terminal Server and devices");
    ca->require_subcommand(1, 1);

    auto options = std::make_shared<CaInitOptions>();
    auto* init = ca->add_subcommand(
        "init", "Make a CA key (ca.key, 0600) and a self-signed CA certificate (ca.crt) that "
                "obeys the profile, plus ca.json and the ledger (ca.db, or --ledger), in a new "
                "folder");
    init->add_option("--profile", options->profile,
                     "profile name or path to a .toml file (old devices check the CA's "
                     "signature and key too)")
        ->required();
    init->add_option("--name", options->name, "the CA's common name, e.g. \"Print CA\"")
        ->required();
    init->add_option("-o,--out", options->out, "folder to write the CA into")->required();
    init->add_option("--ledger", options->ledger,
                     "keep the ledger in PostgreSQL, shared by the machines that issue for this "
                     "CA: postgresql://USER@HOST:PORT/DATABASE, recorded in ca.json (the "
                     "password from PGPASSFILE, PGPASSWORD or CERTFORGE_LEDGER_PASSWORD_FILE, "
                     "never in the URL); default: ca.db in the folder");
    init->add_option("--ca-key", options->ca_key,
                     "make the CA key on a PKCS#11 token instead of ca.key: its RFC 7512 URI, "
                     "pkcs11:token=LABEL;object=KEY-LABEL[?module-path=/path/module.so] "
                     "(default module: those p11-kit has registered), recorded in ca.json; the "
                     "key never leaves the token, and every command that signs asks for its PIN");
    init->add_flag("--existing-key", options->existing_key,
                   "use the key --ca-key names, already on the token, instead of making one");
    add_pin_options(init, options->pin);
    add_issue_options(init, *options, "replace an existing CA in the folder");
    on_run(init, selected, options, run_ca_init);

    auto sign_options = std::make_shared<CaSignOptions>();
    auto* sign = ca->add_subcommand(
        "sign", "Sign an external PKCS#10 request after checking it against the profile (its "
                "signature, key size, subject and SANs)");
    sign->add_option("request", sign_options->request, "the request (PEM or DER)")->required();
    sign->add_option("--ca", sign_options->ca_dir, "CA folder from 'certforge ca init'")
        ->required();
    sign->add_option("--profile", sign_options->profile, "profile the certificate must fit")
        ->required();
    sign->add_option("-o,--out", sign_options->out, "certificate file to write (PEM)")->required();
    add_backend_option(sign, sign_options->backend);
    add_pin_options(sign, sign_options->pin);
    sign->add_flag("--force", sign_options->force, "replace an existing file");
    sign->add_flag("--json", sign_options->json, "print JSON");
    on_run(sign, selected, sign_options, run_ca_sign);

    add_ca_ledger_commands(ca, selected);
    add_ca_status_command(ca, selected);
}

} // namespace certforge::cli
