// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct CsrOptions : IssueOptions {
    std::string cn;
    std::vector<std::string> sans;
    std::string key_file;
};

int run_csr(const CsrOptions& options) {
    const Profile profile = load_profile(options.profile);
    const auto backend = make_backend(options.backend);
    const CertRequest request = server_request(options, options.cn, options.sans);
    with_cli_hint(HintStyle::make, [&] { validate_request(profile, request); });
    OutputSet::refuse_existing(utf8_path(options.out), {"server.key", "server.csr"}, options.force);
    std::optional<PrivateKey> existing_key;
    if (!options.key_file.empty()) {
        existing_key.emplace(read_private_key_file(utf8_path(options.key_file)));
    }
    const IssuedRequest issued = with_cli_hint(HintStyle::make, [&] {
        return CertificateBuilder(*backend, profile).make_csr(request, std::move(existing_key));
    });
    const CsrInfo info = backend->parse_csr(issued.csr_der, "new request");
    OutputSet output(utf8_path(options.out), options.force);
    output.add("server.key", pem_encode_secret("PRIVATE KEY", issued.key.pkcs8_der()),
               FileMode::private_file);
    output.add("server.csr", pem_encode("CERTIFICATE REQUEST", issued.csr_der),
               FileMode::public_file);
    const auto written = output.commit();
    if (options.json) {
        nlohmann::json sans = nlohmann::json::array();
        for (const auto& san : info.subject_alt_names) {
            sans.push_back(to_string(san));
        }
        print_json({{"schema", schema::kCsr},
                    {"profile", profile.id},
                    {"backend", std::string(backend->name())},
                    {"subject", info.subject.to_string()},
                    {"subject_alt_names", sans},
                    {"key", fmt::format("{} {}", to_string(info.key_algorithm), info.key_bits)},
                    {"signature_hash", std::string(to_string(info.signature_hash))},
                    {"files", paths_json(written)}});
        return kExitOk;
    }
    fmt::print("request for {} (profile {}, {} {} bits, {}): give server.csr to the CA\n",
               options.cn, profile.id, to_string(info.key_algorithm), info.key_bits,
               to_string(info.signature_hash));
    print_written(written);
    return kExitOk;
}

} // namespace

void add_csr_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<CsrOptions>();
    auto* command = app.add_subcommand(
        "csr", "Make a key (server.key, 0600) and a PKCS#10 request (server.csr) that fit the "
               "profile, for an enterprise CA (AD CS) or 'certforge ca sign'");
    command->add_option("--profile", options->profile, "profile name or path to a .toml file")
        ->required();
    command->add_option("--cn", options->cn, "common name: host name or IP address")->required();
    command->add_option("--san", options->sans, "dns:NAME or ip:ADDRESS; repeat for each");
    command->add_option("--key", options->key_file, "use this PKCS#8 PEM key instead of a new one");
    command->add_option("-o,--out", options->out, "folder to write into")->required();
    add_issue_options(command, *options, "replace existing files in the folder", false);
    on_run(command, selected, options, run_csr);
}

} // namespace certforge::cli
