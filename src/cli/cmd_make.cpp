#include "certforge/backend_registry.hpp"
#include "certforge/builder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/ca_store.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/pem.hpp"
#include "certforge/server_files.hpp"
#include "certforge/verify.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct MakeOptions : IssueOptions {
    std::string cn;
    std::vector<std::string> sans;
    std::string ca_dir;
    std::string key_file;
    std::string profiles;
    std::string server_os;
    std::string pkcs12;
    PasswordOptions password;
};

// The new leaf must pass its own profile; a CA that does not is reported.
void check_result(const Profile& profile, const CertInfo& leaf, const CertInfo* ca) {
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    require_new_leaf_fits(leaf, profile, now);
    if (ca == nullptr) {
        return;
    }
    for (const auto& finding : check_certificate(*ca, CertificateRole::ca, profile, now)) {
        if (finding.outcome == Outcome::fail) {
            warn(fmt::format("the CA certificate does not fit profile '{}': {}: {}", profile.id,
                             finding.rule, finding.message));
        }
    }
}

int run_make(const MakeOptions& options) {
    const Profile profile = load_profile_or_common(options.profile, options.profiles);
    const auto backend = make_backend(options.backend);

    const CertRequest request = server_request(options, options.cn, options.sans);
    validate_request(profile, request);
    const Pkcs12Encryption server_encryption =
        server_pfx_encryption(options.server_os, options.pkcs12);
    std::unique_ptr<ContainerCodec> codec;
    try {
        codec = make_container_codec();
    } catch (const UsageError& e) {
        warn(fmt::format("server.pfx and the bundle's device.p12 are not written: {}", e.what()));
    }
    const ServerFormats formats;
    OutputSet::refuse_existing(
        options.out, server_file_names(formats, !options.ca_dir.empty(), codec != nullptr, false),
        options.force);
    bool generated = false;
    SecureString password;
    if (codec) {
        password = new_password(options.password, *backend, generated);
        if (password.empty() && !profile.import.empty_password) {
            throw InputError(fmt::format("an empty PFX password is allowed only for devices "
                                         "that need one, and profile '{}' does not say so "
                                         "(import.empty_password)",
                                         profile.id));
        }
    }

    std::optional<CertificateAuthority> ca;
    std::optional<CaLedger> ledger;
    if (!options.ca_dir.empty()) {
        ca.emplace(load_ca(options.ca_dir, *backend));
        ledger.emplace(options.ca_dir);
    }
    std::optional<PrivateKey> existing_key;
    if (!options.key_file.empty()) {
        existing_key.emplace(read_private_key_file(options.key_file));
    }

    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate issued = builder.issue_leaf(
        request, ca ? std::optional(ca->credentials()) : std::nullopt, std::move(existing_key));
    const CertInfo leaf = backend->parse_certificate(issued.certificate_der, "new certificate");
    std::optional<CertInfo> ca_info;
    if (ca) {
        ca_info = backend->parse_certificate(ca->certificate_der, options.ca_dir + "/ca.crt");
    }
    check_result(profile, leaf, ca_info ? &*ca_info : nullptr);

    OutputSet output(options.out, options.force);
    ServerFilesInput files{profile, issued};
    files.ca_certificate = ca ? &ca->certificate_der : nullptr;
    files.codec = codec.get();
    files.password = password;
    files.password_generated = generated;
    files.server_encryption = server_encryption;
    files.device_name = options.cn;
    files.formats = formats;
    files.now = static_cast<UnixTime>(std::time(nullptr));
    add_server_files(output, files, *backend);
    const auto written =
        ledger ? deliver_recorded(*ledger,
                                  make_ledger_entry(leaf, profile.id, "make", "",
                                                    ledger_location(options.out),
                                                    static_cast<UnixTime>(std::time(nullptr))),
                                  output)
               : output.commit();
    if (generated) {
        note(fmt::format("generated the PFX password: it is in {}/server.pfx.pass (0600)",
                         options.out));
    }

    if (!ca) {
        note("no --ca given: the certificate is self-signed, so every device must trust this "
             "exact certificate (import server.crt as a trusted CA on each device)");
    }
    if (options.json) {
        nlohmann::json json =
            issued_json("certforge.make/1", profile, backend->name(), written, leaf);
        json["self_signed"] = !ca;
        print_json(json);
        return kExitOk;
    }
    std::vector<std::string> san_texts;
    for (const auto& san : leaf.subject_alt_names) {
        san_texts.push_back(to_string(san));
    }
    fmt::print("certificate for {} (profile {}, {} {} bits, {}), {}\n", options.cn, profile.id,
               to_string(leaf.key_algorithm), leaf.key_bits, to_string(leaf.signature_hash),
               ca ? fmt::format("signed by CA '{}'", ca->metadata.name) : "self-signed");
    fmt::print("  SAN: {}\n", fmt::join(san_texts, ", "));
    fmt::print("  valid {} .. {}\n", format_utc(leaf.not_before), format_utc(leaf.not_after));
    fmt::print("  sha256 {}\n", to_hex(leaf.sha256_fingerprint, ":"));
    print_written(written);
    return kExitOk;
}

} // namespace

void add_make_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<MakeOptions>();
    auto* command = app.add_subcommand(
        "make", "Make a key and a server certificate that the profile's devices accept: "
                "server.key (PKCS#8, 0600), server.crt, chain.pem (leaf then CA), server.pfx "
                "for the Terminal Server (0600), import-bundle.zip for the device and, with "
                "--ca, ca.crt");
    command->add_option("--profile", options->profile, "profile name or path to a .toml file");
    command->add_option("--profiles", options->profiles,
                        "several device profiles, A,B,C: one certificate that all of them "
                        "accept (the strongest key and hash they share), or the reason why none "
                        "can exist");
    command
        ->add_option("--cn", options->cn,
                     "common name: the host name or IP address devices use for the server")
        ->required();
    command->add_option("--san", options->sans,
                        "subject alternative name, dns:NAME or ip:ADDRESS (IPv4 or IPv6); "
                        "repeat for every name and address devices use");
    command->add_option("--ca", options->ca_dir,
                        "CA folder from 'certforge ca init' (default: self-signed)");
    command->add_option("--key", options->key_file,
                        "reuse this PKCS#8 PEM private key instead of making a new one");
    command->add_option("--out", options->out, "folder to write into")->required();
    command
        ->add_option("--pkcs12", options->pkcs12,
                     "server.pfx encryption: 3des (default: every Windows Server imports it), aes "
                     "(Windows Server 2019 and newer), rc2")
        ->check(CLI::IsMember({"aes", "3des", "rc2"}));
    command->add_option("--server-os", options->server_os,
                        "the Terminal Server's Windows, a host profile such as "
                        "windows-server-2012r2: server.pfx gets the encryption it imports");
    add_password_options(command, options->password, "",
                         "server.pfx (default: prompt on a terminal, else generated into "
                         "server.pfx.pass)");
    add_issue_options(command, *options, "replace existing files in the folder");
    on_run(command, selected, options, run_make);
}

} // namespace certforge::cli
