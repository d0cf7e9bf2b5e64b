// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"
#include "certforge/export_formats.hpp"
#include "certforge/input_file.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct ExportOptions {
    std::string key;
    std::string cert;
    std::string chain;
    std::string in;
    PasswordOptions in_password;
    std::string format;
    std::string out;
    PasswordOptions password;
    std::string alias = "server";
    std::string profile;
    std::string server_os;
    std::string backend;
    bool force = false;
    bool json = false;
};

KeyAndChain gather_input(const ExportOptions& options, const Backend& backend) {
    if (!options.in.empty()) {
        if (!options.key.empty() || !options.cert.empty()) {
            throw UsageError("give either --in or --key/--cert, not both");
        }
        return open_input_file(utf8_path(options.in), backend,
                               [&] { return existing_password(options.in_password, options.in); })
            .contents;
    }
    if (options.cert.empty()) {
        throw UsageError("say what to export: --cert (with --key and --chain) or --in");
    }
    KeyAndChain input;
    input.chain = read_certificate_file(utf8_path(options.cert));
    if (!options.chain.empty()) {
        for (auto& der : read_certificate_file(utf8_path(options.chain))) {
            if (std::find(input.chain.begin(), input.chain.end(), der) == input.chain.end()) {
                input.chain.push_back(std::move(der));
            }
        }
    }
    if (!options.key.empty()) {
        input.key.emplace(read_private_key_file(utf8_path(options.key)));
        if (!backend.key_matches_certificate(*input.key, input.chain.front())) {
            throw InputError(
                fmt::format("{}: the key does not belong to {}", options.key, options.cert));
        }
    }
    return input;
}

int run_export(const ExportOptions& options) {
    const ExportFormatInfo& info = find_export_format(options.format);
    if (!info.single_file) {
        throw UsageError(fmt::format("--format {} is written by make, batch and certforge bundle, "
                                     "not by export",
                                     info.name));
    }
    const auto backend = make_backend(options.backend);
    std::optional<Profile> profile;
    if (!options.profile.empty()) {
        profile.emplace(load_profile(options.profile));
    }
    if (!options.server_os.empty() && !is_pfx(info.format)) {
        throw UsageError("--server-os chooses a PFX encryption: use it with --format pfx");
    }
    const std::filesystem::path out = utf8_path(options.out);
    const std::string pass_name = path_text(out.filename()) + ".pass";
    OutputSet::refuse_existing(folder_of(out), {path_text(out.filename())}, options.force);

    const KeyAndChain input = gather_input(options, *backend);
    if (info.needs_key && !input.key) {
        throw UsageError(fmt::format("--format {} needs the private key: add --key, or use --in "
                                     "with a PFX or JKS",
                                     info.name));
    }
    SecureString password;
    bool generated = false;
    if (info.needs_password) {
        password = new_password(options.password, path_text(out.filename()), *backend, generated);
        if (password.empty() && !(profile && profile->import.empty_password)) {
            throw InputError("an empty password is allowed only with --profile for a device "
                             "whose profile says it needs one (import.empty_password)");
        }
    }
    std::unique_ptr<ContainerCodec> codec;
    ExportSettings settings;
    if (info.needs_codec) {
        codec = make_container_codec();
        settings.codec = codec.get();
    }
    if (is_pfx(info.format)) {
        settings.pfx_encryption = server_pfx_encryption(
            options.server_os, std::string(pfx_request(info.format, !options.server_os.empty())));
    }
    settings.password = password;
    settings.alias = options.alias;
    settings.now = unix_now();
    const Bytes encoded = encode_export(info.format, input, settings, *backend);

    OutputSet output(folder_of(out), options.force);
    output.add(path_text(out.filename()), encoded, info.mode);
    if (generated) {
        output.add(pass_name, password + "\n", FileMode::private_file);
    }
    const auto written = output.commit();
    if (generated) {
        note(fmt::format("generated a password for {}: it is in {} (0600)", path_text(out),
                         path_text(written.back())));
    }
    if (options.json) {
        print_json({{"schema", schema::kExport},
                    {"format", std::string(info.name)},
                    {"certificates", input.chain.size()},
                    {"key", input.key.has_value() && info.needs_key},
                    {"password_generated", generated},
                    {"files", paths_json(written)}});
        return kExitOk;
    }
    fmt::print("{}: {} ({} certificate{}{})\n", path_text(out), info.description,
               input.chain.size(), input.chain.size() == 1 ? "" : "s",
               info.needs_key ? " and the key" : "");
    print_written(written);
    return kExitOk;
}

} // namespace

void add_export_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<ExportOptions>();
    std::string formats;
    for (const auto& info : export_formats()) {
        if (info.single_file) {
            formats += fmt::format("\n  {:<15} {}", info.name, info.description);
        }
    }
    auto* command = app.add_subcommand(
        "export", "Write a key and chain in the format the Terminal Server or a device imports; "
                  "input is --key/--cert/--chain or an existing PFX or JKS (--in)");
    command->add_option("--key", options->key, "private key, PKCS#8 PEM");
    command->add_option("--cert", options->cert, "certificate (PEM or DER), leaf first");
    command->add_option("--chain", options->chain, "further chain certificates (PEM)");
    command->add_option("--in", options->in,
                        "existing PFX/P12, JKS, P7B or PEM file instead of --key/--cert");
    add_password_options(command, options->in_password, PasswordUse::input, "input file's", false);
    command->add_option("--format", options->format, "output format:" + formats)->required();
    command->add_option("-o,--out", options->out, "file to write")->required();
    add_password_options(command, options->password, PasswordUse::output,
                         "new file's (default: prompt on a terminal, else generated into "
                         "OUT.pass)",
                         true);
    command->add_option("--alias", options->alias,
                        "friendly name (PFX) or key alias (JKS); default: server");
    command->add_option("--profile", options->profile,
                        "device profile (allows an empty password where the device needs one)");
    command->add_option("--server-os", options->server_os,
                        "the Terminal Server's Windows (host profile, e.g. windows-server-2012r2): "
                        "with --format pfx, the PFX gets the encryption that host imports; "
                        "pfx-3des and pfx-rc2 are checked against it");
    add_backend_option(command, options->backend);
    command->add_flag("--force", options->force, "replace an existing output file");
    command->add_flag("--json", options->json, "print JSON");
    on_run(command, selected, options, run_export);
}

} // namespace certforge::cli
