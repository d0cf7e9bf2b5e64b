// SPDX-License-Identifier: Apache-2.0
#include "certforge/server_files.hpp"

#include "certforge/errors.hpp"
#include "certforge/import_bundle.hpp"
#include "certforge/jks_keystore.hpp"
#include "certforge/pem.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {

namespace {

// The set's single-file formats that this build writes, in table order.
std::vector<const ExportFormatInfo*> set_files(const ServerFormats& formats, bool with_codec) {
    std::vector<const ExportFormatInfo*> files;
    for (const auto& info : export_formats()) {
        if (formats.has(info.format) && !info.set_file.empty() && info.single_file &&
            (with_codec || !info.needs_codec)) {
            files.push_back(&info);
        }
    }
    return files;
}

bool any_password(const std::vector<const ExportFormatInfo*>& files) {
    return std::any_of(files.begin(), files.end(),
                       [](const ExportFormatInfo* info) { return info->needs_password; });
}

void add_device_files(BundleInput& bundle, const ServerFilesInput& input) {
    const std::string where = input.password_generated
                                  ? fmt::format("the same as server.pfx, in {}", kPasswordFile)
                                  : std::string("the same as server.pfx");
    for (const auto& device : input.devices) {
        std::vector<Bytes> device_chain{device.issued.certificate_der};
        if (input.ca_certificate != nullptr) {
            device_chain.push_back(*input.ca_certificate);
        }
        const ByteView der = device.issued.key.pkcs8_der();
        const KeyAndChain device_contents{PrivateKey(SecureBytes(der.begin(), der.end())),
                                          std::move(device_chain)};
        add_device_pkcs12(bundle, input.profile, *input.codec, device_contents, input.password,
                          device.common_name, where, device.file_name);
    }
}

} // namespace

bool server_files_need_password(const ServerFormats& formats, bool with_codec, bool with_devices) {
    return any_password(set_files(formats, with_codec)) ||
           (with_codec && with_devices && formats.has(ExportFormat::import_bundle));
}

std::vector<std::string> server_file_names(const ServerFormats& formats, bool with_ca,
                                           bool with_codec, bool password_generated) {
    std::vector<std::string> names{"server.key", "chain.pem"};
    if (with_ca) {
        names.emplace_back("ca.crt");
    }
    const auto files = set_files(formats, with_codec);
    for (const auto* info : files) {
        names.emplace_back(info->set_file);
    }
    if (password_generated && any_password(files)) {
        names.emplace_back(kPasswordFile);
    }
    if (formats.has(ExportFormat::import_bundle)) {
        names.emplace_back(kImportBundleFile);
    }
    names.emplace_back("server.crt");
    return names;
}

void add_server_files(OutputSet& output, const ServerFilesInput& input, Backend& backend) {
    const Bytes& leaf = input.issued.certificate_der;
    const std::string leaf_pem = pem_encode("CERTIFICATE", leaf);
    output.add("server.key", pem_encode_secret("PRIVATE KEY", input.issued.key.pkcs8_der()),
               FileMode::private_file);
    std::vector<Bytes> chain{leaf};
    if (input.ca_certificate != nullptr) {
        const std::string ca_pem = pem_encode("CERTIFICATE", *input.ca_certificate);
        output.add("chain.pem", leaf_pem + ca_pem, FileMode::public_file);
        output.add("ca.crt", ca_pem, FileMode::public_file);
        chain.push_back(*input.ca_certificate);
    } else {
        output.add("chain.pem", leaf_pem, FileMode::public_file);
    }

    const ByteView key_der = input.issued.key.pkcs8_der();
    const KeyAndChain contents{PrivateKey(SecureBytes(key_der.begin(), key_der.end())), chain};
    ExportSettings settings;
    settings.password = input.password;
    settings.pfx_encryption = input.server_encryption;
    settings.codec = input.codec;
    settings.now = input.now;
    const auto files = set_files(input.formats, input.codec != nullptr);
    for (const auto* info : files) {
        output.add(std::string(info->set_file),
                   encode_export(info->format, contents, settings, backend), info->mode);
    }
    if (input.password_generated && any_password(files)) {
        output.add(kPasswordFile, input.password + "\n", FileMode::private_file);
    }
    if (input.formats.has(ExportFormat::import_bundle)) {
        BundleInput bundle;
        bundle.trust_certificate = input.ca_certificate ? *input.ca_certificate : leaf;
        bundle.leaf_certificate = leaf;
        bundle.device_hint = input.device_hint;
        bundle.created = input.now;
        if (input.codec != nullptr && input.profile.import.identity_pkcs12) {
            add_device_files(bundle, input);
        }
        output.add(kImportBundleFile, make_import_bundle(input.profile, bundle, backend),
                   bundle.holds_keys() ? FileMode::private_file : FileMode::public_file);
    }
    // Renamed into place last: a server.crt means the whole set landed.
    output.add("server.crt", leaf_pem, FileMode::public_file);
}

} // namespace certforge
