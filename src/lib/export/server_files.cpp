#include "certforge/server_files.hpp"

#include "certforge/errors.hpp"
#include "certforge/import_bundle.hpp"
#include "certforge/jks_keystore.hpp"
#include "certforge/pem.hpp"

#include <fmt/format.h>

namespace certforge {

ServerFormats server_formats_from_names(const std::vector<std::string>& names) {
    ServerFormats formats{false, false, false, false, false};
    for (const auto& name : names) {
        if (name == "pfx") {
            formats.pfx = true;
        } else if (name == "bundle") {
            formats.bundle = true;
        } else if (name == "jks") {
            formats.jks = true;
        } else if (name == "p7b") {
            formats.p7b = true;
        } else if (name == "der") {
            formats.der = true;
        } else {
            throw UsageError(fmt::format(
                "unknown format '{}' (one of: pfx, bundle, jks, p7b, der; the PEM files are "
                "always written)",
                name));
        }
    }
    return formats;
}

bool server_files_need_password(const ServerFormats& formats, bool with_codec, bool with_devices) {
    return formats.jks || (with_codec && (formats.pfx || (formats.bundle && with_devices)));
}

std::vector<std::string> server_file_names(const ServerFormats& formats, bool with_ca,
                                           bool with_codec, bool password_generated) {
    std::vector<std::string> names{"server.key", "chain.pem"};
    if (with_ca) {
        names.emplace_back("ca.crt");
    }
    if (formats.pfx && with_codec) {
        names.emplace_back("server.pfx");
    }
    if (formats.jks) {
        names.emplace_back("server.jks");
    }
    if (password_generated && ((formats.pfx && with_codec) || formats.jks)) {
        names.emplace_back("server.pfx.pass");
    }
    if (formats.p7b && with_codec) {
        names.emplace_back("chain.p7b");
    }
    if (formats.der) {
        names.emplace_back("server.cer");
    }
    if (formats.bundle) {
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

    const auto copy_key = [&] {
        const ByteView der = input.issued.key.pkcs8_der();
        return PrivateKey(SecureBytes(der.begin(), der.end()));
    };
    BundleInput bundle;
    bundle.trust_certificate = input.ca_certificate ? *input.ca_certificate : leaf;
    bundle.leaf_certificate = leaf;
    bundle.device_hint = input.device_hint;
    bundle.created = input.now;
    const bool pfx = input.formats.pfx && input.codec != nullptr;
    if (input.codec != nullptr) {
        const KeyAndChain contents{copy_key(), chain};
        if (pfx) {
            Pkcs12Options options;
            options.encryption = input.server_encryption;
            output.add("server.pfx", input.codec->write_pkcs12(contents, input.password, options),
                       FileMode::private_file);
        }
        if (input.formats.bundle && input.profile.import.identity_pkcs12) {
            const std::string where =
                input.password_generated ? std::string("the same as server.pfx, in server.pfx.pass")
                                         : std::string("the same as server.pfx");
            for (const auto& device : input.devices) {
                std::vector<Bytes> device_chain{device.issued.certificate_der};
                if (input.ca_certificate != nullptr) {
                    device_chain.push_back(*input.ca_certificate);
                }
                const ByteView der = device.issued.key.pkcs8_der();
                const KeyAndChain device_contents{PrivateKey(SecureBytes(der.begin(), der.end())),
                                                  std::move(device_chain)};
                add_device_pkcs12(bundle, input.profile, *input.codec, device_contents,
                                  input.password, device.common_name, where, device.file_name);
            }
        }
        if (input.formats.p7b) {
            output.add("chain.p7b", input.codec->write_pkcs7(chain), FileMode::public_file);
        }
    }
    if (input.formats.jks) {
        JksContents jks;
        jks.keys.push_back({"server", copy_key(), chain});
        output.add("server.jks", write_jks(backend, jks, input.password, input.password, input.now),
                   FileMode::private_file);
    }
    if (input.password_generated && (pfx || input.formats.jks)) {
        output.add("server.pfx.pass", input.password + "\n", FileMode::private_file);
    }
    if (input.formats.der) {
        output.add("server.cer", leaf, FileMode::public_file);
    }
    if (input.formats.bundle) {
        output.add(kImportBundleFile, make_import_bundle(input.profile, bundle, backend),
                   bundle.holds_keys() ? FileMode::private_file : FileMode::public_file);
    }
    // Renamed into place last: a server.crt means the whole set landed.
    output.add("server.crt", leaf_pem, FileMode::public_file);
}

} // namespace certforge
