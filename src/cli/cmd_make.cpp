// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/server_issue.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct MakeOptions : IssueOptions {
    std::string cn;
    std::vector<std::string> sans;
    std::string device_cn;
    std::vector<std::string> device_sans;
    std::string ca_dir;
    std::string key_file;
    std::string profiles;
    std::string server_os;
    std::string pkcs12;
    std::vector<std::string> formats{"pfx", "import-bundle"};
    PasswordOptions password;
    PasswordOptions pin;
};

constexpr const char* kDeviceHint =
    "To get one, run certforge make again with the device's own names: --device-cn NAME "
    "(and --device-san dns:NAME or --device-san ip:ADDRESS).";

ServerOrder order_of(const MakeOptions& options) {
    ServerOrder order;
    order.request = server_request(options, options.cn, options.sans);
    if (!options.device_cn.empty()) {
        order.devices.push_back(server_request({}, options.device_cn, options.device_sans));
    } else if (!options.device_sans.empty()) {
        throw UsageError("--device-san needs --device-cn: the device's name");
    }
    order.formats = ServerFormats(options.formats);
    order.server_encryption = server_pfx_encryption(options.server_os, options.pkcs12);
    order.password = password_source(options.password, "server.pfx");
    order.device_hint = kDeviceHint;
    order.source = "make";
    return order;
}

void print_made(const MakeOptions& options, const Profile& profile, const PreparedServerFiles& made,
                const CaFolder* ca, const std::vector<std::filesystem::path>& written) {
    const CertInfo& leaf = made.certificate;
    std::vector<std::string> san_texts;
    for (const auto& san : leaf.subject_alt_names) {
        san_texts.push_back(to_string(san));
    }
    fmt::print("certificate for {} (profile {}, {} {} bits, {}), {}\n", printable(options.cn),
               profile.id, to_string(leaf.key_algorithm), leaf.key_bits,
               to_string(leaf.signature_hash),
               ca ? fmt::format("signed by CA '{}'", printable(ca->metadata.name)) : "self-signed");
    fmt::print("  SAN: {}\n", printable(fmt::format("{}", fmt::join(san_texts, ", "))));
    fmt::print("  valid {} .. {}\n", format_utc(leaf.not_before), format_utc(leaf.not_after));
    fmt::print("  sha256 {}\n", sha256_hex(leaf));
    for (const auto& device : made.device_certificates) {
        fmt::print("  device certificate for {} (in the bundle), valid until {}\n",
                   printable(device.subject.common_name().value_or("")),
                   format_utc(device.not_after));
    }
    print_written(written);
}

int run_make(const MakeOptions& options) {
    const IssueTarget target = load_target(options.profile, options.profiles);
    const Profile& profile = target.effective;
    const auto backend = make_backend(options.backend);
    ServerOrder order = order_of(options);
    std::unique_ptr<ContainerCodec> codec;
    std::string no_codec;
    try {
        codec = make_container_codec();
    } catch (const UsageError& e) {
        no_codec = e.what();
    }
    const bool codec_wanted =
        order.formats.has(ExportFormat::pfx) || order.formats.has(ExportFormat::p7b) ||
        (order.formats.has(ExportFormat::import_bundle) && !order.devices.empty());
    const bool generated =
        order.password.file.empty() && order.password.env.empty() && !order.password.prompt &&
        server_files_need_password(order.formats, codec != nullptr, !order.devices.empty());
    for (const auto& repair : repair_interrupted_writes(utf8_path(options.out))) {
        note(describe(repair, utf8_path(options.out)));
    }
    OutputSet::refuse_existing(
        utf8_path(options.out),
        server_file_names(order.formats, !options.ca_dir.empty(), codec != nullptr, generated),
        options.force, FolderLink::replace);

    std::optional<CaFolder> ca;
    std::optional<CaLedger> ledger;
    if (!options.ca_dir.empty()) {
        ca.emplace(load_ca_folder(utf8_path(options.ca_dir), *backend, token_pin(options.pin)));
    }
    if (!options.key_file.empty()) {
        order.existing_key.emplace(read_private_key_file(utf8_path(options.key_file)));
    }
    const UnixTime now = unix_now();
    PreparedServerFiles prepared = with_cli_hint(HintStyle::make, [&] {
        CertificateIssuer issuer(*backend, target, ca ? &*ca : nullptr, now);
        auto files =
            prepare_server_files(issuer, codec.get(), std::move(order), utf8_path(options.out),
                                 options.force, FolderLink::replace);
        print_notices(issuer.take_notices());
        return files;
    });
    if (ca) {
        ledger.emplace(utf8_path(options.ca_dir));
    }
    const auto written = deliver(prepared, ledger ? &*ledger : nullptr);
    if (!no_codec.empty() && codec_wanted) {
        warn(fmt::format("server.pfx and the bundle's device.p12 are not written: {}", no_codec));
    }
    const CertInfo& leaf = prepared.certificate;
    if (prepared.password_generated) {
        note(fmt::format("generated the PFX password: it is in {} (0600)",
                         path_text(utf8_path(options.out) / kPasswordFile)));
    }
    if (!ca) {
        note("no --ca given: the certificate is self-signed, so every device must trust this "
             "exact certificate (import server.crt as a trusted CA on each device)");
    }
    if (options.json) {
        nlohmann::json json = issued_json(schema::kMake, profile, backend->name(), written, leaf);
        json["self_signed"] = !ca;
        nlohmann::json devices = nlohmann::json::array();
        for (const auto& device : prepared.device_certificates) {
            devices.push_back(certificate_json(device));
        }
        json["device_certificates"] = devices;
        print_json(json);
        return kExitOk;
    }
    print_made(options, profile, prepared, ca ? &*ca : nullptr, written);
    return kExitOk;
}

} // namespace

void add_make_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<MakeOptions>();
    auto* command = app.add_subcommand(
        "make", "Make a key and a server certificate that the profile's devices accept: "
                "server.key (PKCS#8, 0600), server.crt, chain.pem (leaf then CA), server.pfx "
                "for the Terminal Server (0600), import-bundle.zip for the device and, with "
                "--ca, ca.crt. Nothing is written that 'certforge verify' with the same "
                "profile(s) would refuse: a request or CA that does not fit is refused first");
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
    command->add_option("--device-cn", options->device_cn,
                        "for profiles whose devices import a key and certificate of their own "
                        "(device.p12 in the bundle): the device's host name or IP address; the "
                        "device gets its own key, never the server's");
    command->add_option("--device-san", options->device_sans,
                        "the device's subject alternative names, dns:NAME or ip:ADDRESS; repeat");
    command->add_option("--ca", options->ca_dir,
                        "CA folder from 'certforge ca init' (default: self-signed); its "
                        "certificate must fit the profile(s) too");
    command->add_option("--key", options->key_file,
                        "reuse this PKCS#8 PEM private key instead of making a new one");
    command->add_option("-o,--out", options->out, "folder to write into")->required();
    command
        ->add_option("--pkcs12", options->pkcs12,
                     "server.pfx encryption: 3des (default: every Windows Server imports it), aes "
                     "(Windows Server 2019 and newer), rc2")
        ->check(CLI::IsMember({"aes", "3des", "rc2"}));
    command->add_option("--server-os", options->server_os,
                        "the Terminal Server's Windows, a host profile such as "
                        "windows-server-2012r2: server.pfx gets the encryption it imports");
    command
        ->add_option("--formats", options->formats,
                     "the files to write beside server.key, server.crt, chain.pem and ca.crt, "
                     "A,B,...: pfx (server.pfx), jks (server.jks), p7b (chain.p7b), der "
                     "(server.cer), import-bundle (import-bundle.zip); the same names as "
                     "export --format and a sites file's formats")
        ->delimiter(',')
        ->default_str("pfx,import-bundle");
    add_password_options(command, options->password, PasswordUse::output,
                         "server.pfx (default: prompt on a terminal, else generated into "
                         "server.pfx.pass)",
                         true);
    add_pin_options(command, options->pin);
    add_issue_options(command, *options, "replace existing files in the folder");
    on_run(command, selected, options, run_make);
}

} // namespace certforge::cli
