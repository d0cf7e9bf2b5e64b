// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "certforge/errors.hpp"
#include "certforge/import_bundle.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct BundleOptions {
    std::string profile;
    std::string ca_dir;
    std::string cert;
    std::string key;
    std::string out;
    PasswordOptions password;
    std::string backend;
    bool force = false;
    bool json = false;
};

int run_bundle(const BundleOptions& options) {
    const Profile profile = load_profile(options.profile);
    const auto backend = make_backend(options.backend);
    const std::filesystem::path out = utf8_path(options.out);
    const std::filesystem::path dir = folder_of(out);
    OutputSet::refuse_existing(dir, {path_text(out.filename())}, options.force);

    if (options.ca_dir.empty() && options.cert.empty()) {
        throw UsageError("say what the device must trust: --ca DIR, or --cert for a self-signed "
                         "certificate");
    }
    std::vector<Bytes> chain;
    if (!options.cert.empty()) {
        chain = read_certificate_file(utf8_path(options.cert));
    }
    std::optional<Bytes> ca_certificate;
    if (!options.ca_dir.empty()) {
        ca_certificate = load_ca_certificate(utf8_path(options.ca_dir), *backend);
        if (std::find(chain.begin(), chain.end(), *ca_certificate) == chain.end()) {
            chain.push_back(*ca_certificate);
        }
    }
    BundleInput bundle;
    bundle.trust_certificate = ca_certificate ? *ca_certificate : chain.front();
    if (!options.cert.empty()) {
        bundle.leaf_certificate = chain.front();
    }
    bundle.device_hint = "To get one, make the device its own key and certificate (certforge "
                         "make --ca DIR --cn DEVICE-NAME) and run certforge bundle with its "
                         "--cert and --key.";
    bundle.created = unix_now();
    bool generated = false;
    SecureString password;
    if (profile.import.identity_pkcs12 && !options.key.empty() && !options.cert.empty()) {
        KeyAndChain contents{read_private_key_file(utf8_path(options.key)), chain};
        if (!backend->key_matches_certificate(*contents.key, chain.front())) {
            throw InputError(
                fmt::format("{}: the key does not belong to {}", options.key, options.cert));
        }
        if (!profile.import.empty_password) {
            password = new_password(options.password, "device.p12", *backend, generated);
            if (password.empty()) {
                throw InputError(fmt::format("profile '{}' does not say its devices need an "
                                             "empty password (import.empty_password)",
                                             profile.id));
            }
        }
        const std::string device_name = backend->parse_certificate(chain.front(), options.cert)
                                            .subject.common_name()
                                            .value_or("device");
        add_device_pkcs12(bundle, profile, *make_container_codec(), contents, password, device_name,
                          generated ? fmt::format("in {}.pass", path_text(out.filename()))
                                    : "the one given to certforge");
    } else if (profile.import.identity_pkcs12) {
        note(fmt::format("profile '{}' says the device imports its own PKCS#12: give --cert and "
                         "--key to put device.p12 into the bundle",
                         profile.id));
    }
    OutputSet output(dir, options.force);
    output.add(path_text(out.filename()), make_import_bundle(profile, bundle, *backend),
               bundle.holds_keys() ? FileMode::private_file : FileMode::public_file);
    if (generated) {
        output.add(path_text(out.filename()) + ".pass", password + "\n", FileMode::private_file);
    }
    const auto written = output.commit();
    if (options.json) {
        const auto shown = [&](const Bytes& der) {
            return certificate_json(backend->parse_certificate(der, "certificate"));
        };
        print_json({{"schema", schema::kBundleResult},
                    {"profile", profile.id},
                    {"backend", backend->name()},
                    {"file", path_text(out)},
                    {"trust_file", trust_file_name(profile)},
                    {"trust_certificate", shown(bundle.trust_certificate)},
                    {"leaf_certificate", bundle.leaf_certificate ? shown(*bundle.leaf_certificate)
                                                                 : nlohmann::json(nullptr)},
                    {"device_pkcs12", bundle.holds_keys()},
                    {"password_generated", generated},
                    {"files", paths_json(written)}});
        return kExitOk;
    }
    fmt::print("{}: import bundle for {} ({}{})\n", path_text(out), profile.id,
               trust_file_name(profile), bundle.holds_keys() ? ", device.p12" : "");
    print_written(written);
    return kExitOk;
}

} // namespace

void add_bundle_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<BundleOptions>();
    auto* command = app.add_subcommand(
        "bundle", "Write a device import bundle (zip): the certificate to trust in the format "
                  "the device's web UI takes, its own PKCS#12 where it imports one, "
                  "manifest.json and README.txt with the steps");
    command->add_option("--profile", options->profile, "device profile")->required();
    command->add_option("--ca", options->ca_dir, "CA folder whose certificate the device trusts");
    command->add_option("--cert", options->cert,
                        "the device's (or a self-signed server's) certificate");
    command->add_option("--key", options->key, "its key, for device.p12 (PKCS#8 PEM)");
    command->add_option("-o,--out", options->out, "zip file to write")->required();
    add_password_options(command, options->password, PasswordUse::output, "device.p12", true);
    add_backend_option(command, options->backend);
    command->add_flag("--force", options->force, "replace an existing file");
    command->add_flag("--json", options->json,
                      fmt::format("print JSON ({})", schema::kBundleResult));
    on_run(command, selected, options, run_bundle);
}

} // namespace certforge::cli
