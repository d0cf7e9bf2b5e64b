#include "certforge/backend_registry.hpp"
#include "certforge/builder.hpp"
#include "certforge/ca_store.hpp"
#include "certforge/output_set.hpp"
#include "certforge/pem.hpp"
#include "certforge/version.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct CaInitOptions : IssueOptions {
    std::string name;
};

int run_ca_init(const CaInitOptions& options) {
    const Profile profile = load_profile(options.profile);
    const auto backend = make_backend(options.backend);

    CaRequest request;
    request.subject = options.subject;
    request.subject.common_name = options.name;
    apply_overrides(options.overrides, request);
    OutputSet::refuse_existing(options.out, {kCaKeyFile, kCaCertFile, kCaMetadataFile},
                               options.force);

    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate ca = builder.issue_ca(request);
    const CertInfo info = backend->parse_certificate(ca.certificate_der, "new CA certificate");

    CaMetadata metadata{options.name,
                        profile.id,
                        std::string(backend->name()),
                        format_utc(static_cast<UnixTime>(std::time(nullptr))),
                        to_hex(info.sha256_fingerprint, ":"),
                        std::string(version())};
    OutputSet output(options.out, options.force);
    output.add(kCaKeyFile, pem_encode_secret("PRIVATE KEY", ca.key.pkcs8_der()),
               FileMode::private_file);
    output.add(kCaCertFile, pem_encode("CERTIFICATE", ca.certificate_der), FileMode::public_file);
    output.add(kCaMetadataFile, metadata_to_json(metadata), FileMode::public_file);
    const auto written = output.commit();

    if (options.json) {
        print_json(issued_json("certforge.ca-init/1", profile, backend->name(), written, info));
        return kExitOk;
    }
    fmt::print("CA '{}' for profile {} ({} {} bits, {}), valid until {}\n", options.name,
               profile.id, to_string(info.key_algorithm), info.key_bits,
               to_string(info.signature_hash), format_utc(info.not_after));
    fmt::print("  sha256 {}\n", to_hex(info.sha256_fingerprint, ":"));
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
                "obeys the profile, plus ca.json, in a new folder");
    init->add_option("--profile", options->profile,
                     "profile name or path to a .toml file (old devices check the CA's "
                     "signature and key too)")
        ->required();
    init->add_option("--name", options->name, "the CA's common name, e.g. \"Print CA\"")
        ->required();
    init->add_option("--out", options->out, "folder to write the CA into")->required();
    add_issue_options(init, *options, "replace an existing CA in the folder");
    on_run(init, selected, options, run_ca_init);
}

} // namespace certforge::cli
