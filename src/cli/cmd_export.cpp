#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"
#include "certforge/input_file.hpp"
#include "certforge/jks_keystore.hpp"
#include "certforge/output_set.hpp"
#include "certforge/pem.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

enum class Format { pfx, pfx_3des, pfx_rc2, jks, truststore_jks, p7b, der, pem, pem_bundle };

struct FormatInfo {
    Format format;
    std::string_view name;
    bool needs_key;
    bool needs_password;
    FileMode mode;
    std::string_view description;
};

constexpr FormatInfo kFormats[] = {
    {Format::pfx, "pfx", true, true, FileMode::private_file,
     "PKCS#12, AES-256/PBKDF2-SHA256, SHA-256 MAC (Windows Server 2019 and newer); with "
     "--server-os, what that host imports"},
    {Format::pfx_3des, "pfx-3des", true, true, FileMode::private_file,
     "PKCS#12, 3DES for key and certificates, SHA-1 MAC (every Windows Server)"},
    {Format::pfx_rc2, "pfx-rc2", true, true, FileMode::private_file,
     "PKCS#12, RC2-40 certificates, 3DES key, SHA-1 MAC (openssl -legacy layout)"},
    {Format::jks, "jks", true, true, FileMode::private_file,
     "Java KeyStore: key entry with its chain, plus the CA as a trusted entry"},
    {Format::truststore_jks, "truststore-jks", false, true, FileMode::public_file,
     "Java KeyStore holding only the CA certificates"},
    {Format::p7b, "p7b", false, false, FileMode::public_file, "PKCS#7 certificate chain"},
    {Format::der, "der", false, false, FileMode::public_file, "the certificate alone, DER (.cer)"},
    {Format::pem, "pem", false, false, FileMode::public_file, "the certificate alone, PEM"},
    {Format::pem_bundle, "pem-bundle", false, false, FileMode::public_file,
     "the whole chain, leaf first, PEM"},
};

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

const FormatInfo& format_info(const std::string& name) {
    for (const auto& info : kFormats) {
        if (info.name == name) {
            return info;
        }
    }
    std::vector<std::string_view> names;
    for (const auto& info : kFormats) {
        names.push_back(info.name);
    }
    throw UsageError(fmt::format("--format '{}' is not one of: {}", name, fmt::join(names, ", ")));
}

KeyAndChain gather_input(const ExportOptions& options, const Backend& backend) {
    if (!options.in.empty()) {
        if (!options.key.empty() || !options.cert.empty()) {
            throw UsageError("give either --in or --key/--cert, not both");
        }
        return open_input_file(options.in, backend,
                               [&] { return existing_password(options.in_password, "input"); })
            .contents;
    }
    if (options.cert.empty()) {
        throw UsageError("say what to export: --cert (with --key and --chain) or --in");
    }
    KeyAndChain input;
    input.chain = read_certificate_file(options.cert);
    if (!options.chain.empty()) {
        for (auto& der : read_certificate_file(options.chain)) {
            if (std::find(input.chain.begin(), input.chain.end(), der) == input.chain.end()) {
                input.chain.push_back(std::move(der));
            }
        }
    }
    if (!options.key.empty()) {
        input.key.emplace(read_private_key_file(options.key));
        if (!backend.key_matches_certificate(*input.key, input.chain.front())) {
            throw InputError(
                fmt::format("{}: the key does not belong to {}", options.key, options.cert));
        }
    }
    return input;
}

std::vector<JksTrustedEntry> ca_entries(const std::vector<Bytes>& certificates) {
    std::vector<JksTrustedEntry> entries;
    for (std::size_t i = 0; i < certificates.size(); ++i) {
        entries.push_back({i == 0 ? "ca" : fmt::format("ca-{}", i + 1), certificates[i]});
    }
    return entries;
}

Bytes encode(const FormatInfo& info, const KeyAndChain& input, const SecureString& password,
             const ExportOptions& options, Backend& backend) {
    const auto now = static_cast<UnixTime>(std::time(nullptr));
    switch (info.format) {
    case Format::pfx:
    case Format::pfx_3des:
    case Format::pfx_rc2: {
        Pkcs12Options p12;
        const std::string requested = info.format == Format::pfx_3des ? "3des"
                                      : info.format == Format::pfx_rc2
                                          ? "rc2"
                                          : (options.server_os.empty() ? "aes" : "");
        p12.encryption = server_pfx_encryption(options.server_os, requested);
        p12.friendly_name = options.alias;
        return make_container_codec()->write_pkcs12(input, password, p12);
    }
    case Format::jks: {
        JksContents jks;
        jks.keys.push_back({options.alias, *input.key, input.chain});
        jks.trusted = ca_entries({input.chain.begin() + 1, input.chain.end()});
        return write_jks(backend, jks, password, password, now);
    }
    case Format::truststore_jks: {
        JksContents jks;
        const bool only_leaf = input.chain.size() == 1;
        jks.trusted =
            ca_entries(only_leaf ? input.chain
                                 : std::vector<Bytes>(input.chain.begin() + 1, input.chain.end()));
        return write_jks(backend, jks, password, password, now);
    }
    case Format::p7b:
        return make_container_codec()->write_pkcs7(input.chain);
    case Format::der:
        return input.chain.front();
    case Format::pem: {
        const std::string pem = pem_encode("CERTIFICATE", input.chain.front());
        return Bytes(pem.begin(), pem.end());
    }
    case Format::pem_bundle: {
        std::string pem;
        for (const auto& der : input.chain) {
            pem += pem_encode("CERTIFICATE", der);
        }
        return Bytes(pem.begin(), pem.end());
    }
    }
    throw InternalError("unknown export format");
}

int run_export(const ExportOptions& options) {
    const FormatInfo& info = format_info(options.format);
    const auto backend = make_backend(options.backend);
    std::optional<Profile> profile;
    if (!options.profile.empty()) {
        profile.emplace(load_profile(options.profile));
    }
    if (!options.server_os.empty() && info.format != Format::pfx &&
        info.format != Format::pfx_3des && info.format != Format::pfx_rc2) {
        throw UsageError("--server-os chooses a PFX encryption: use it with --format pfx");
    }
    const std::filesystem::path out(options.out);
    const std::string pass_name = out.filename().string() + ".pass";
    OutputSet::refuse_existing(folder_of(out), {out.filename().string()}, options.force);

    const KeyAndChain input = gather_input(options, *backend);
    if (info.needs_key && !input.key) {
        throw UsageError(fmt::format("--format {} needs the private key: add --key, or use --in "
                                     "with a PFX or JKS",
                                     info.name));
    }
    SecureString password;
    bool generated = false;
    if (info.needs_password) {
        password = new_password(options.password, out.filename().string(), *backend, generated);
        if (password.empty() && !(profile && profile->import.empty_password)) {
            throw InputError("an empty password is allowed only with --profile for a device "
                             "whose profile says it needs one (import.empty_password)");
        }
    }
    const Bytes encoded = encode(info, input, password, options, *backend);

    OutputSet output(folder_of(out), options.force);
    output.add(out.filename().string(), encoded, info.mode);
    if (generated) {
        output.add(pass_name, password + "\n", FileMode::private_file);
    }
    const auto written = output.commit();
    if (generated) {
        note(fmt::format("generated a password for {}: it is in {} (0600)", out.string(),
                         written.back().string()));
    }
    if (options.json) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& file : written) {
            files.push_back(file.string());
        }
        print_json({{"schema", "certforge.export/1"},
                    {"format", std::string(info.name)},
                    {"certificates", input.chain.size()},
                    {"key", input.key.has_value() && info.needs_key},
                    {"password_generated", generated},
                    {"files", files}});
        return kExitOk;
    }
    fmt::print("{}: {} ({} certificate{}{})\n", out.string(), info.description, input.chain.size(),
               input.chain.size() == 1 ? "" : "s", info.needs_key ? " and the key" : "");
    print_written(written);
    return kExitOk;
}

} // namespace

void add_export_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<ExportOptions>();
    std::string formats;
    for (const auto& info : kFormats) {
        formats += fmt::format("\n  {:<15} {}", info.name, info.description);
    }
    auto* command = app.add_subcommand(
        "export", "Write a key and chain in the format the Terminal Server or a device imports; "
                  "input is --key/--cert/--chain or an existing PFX or JKS (--in)");
    command->add_option("--key", options->key, "private key, PKCS#8 PEM");
    command->add_option("--cert", options->cert, "certificate (PEM or DER), leaf first");
    command->add_option("--chain", options->chain, "further chain certificates (PEM)");
    command->add_option("--in", options->in,
                        "existing PFX/P12, JKS, P7B or PEM file instead of --key/--cert");
    add_password_options(command, options->in_password, "in-", "input file's");
    command->add_option("--format", options->format, "output format:" + formats)->required();
    command->add_option("--out", options->out, "file to write")->required();
    add_password_options(command, options->password, "",
                         "new file's (default: prompt on a terminal, else generated into "
                         "OUT.pass)");
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
