// SPDX-License-Identifier: Apache-2.0
#include "certforge/import_bundle.hpp"

#include "certforge/errors.hpp"
#include "certforge/json_documents.hpp"
#include "certforge/pem.hpp"
#include "certforge/version.hpp"

#include <fmt/format.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <zip.h>

namespace certforge {
namespace {

struct SourceFree {
    void operator()(zip_source_t* s) const noexcept { zip_source_free(s); }
};
struct ArchiveDiscard {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
using SourcePtr = std::unique_ptr<zip_source_t, SourceFree>;
using ArchivePtr = std::unique_ptr<zip_t, ArchiveDiscard>;

[[noreturn]] void zip_failure(const std::string& what, zip_error_t* error) {
    const std::string reason = error != nullptr ? zip_error_strerror(error) : "unknown";
    throw InternalError(fmt::format("cannot build the import bundle: {}: {}", what, reason));
}

struct ZipEntry {
    std::string name;
    Bytes content;
    unsigned mode = 0644;
};

// Builds a zip archive in memory; each entry gets its Unix mode.
Bytes zip_files(const std::vector<ZipEntry>& files, UnixTime created) {
    zip_error_t error;
    zip_error_init(&error);
    SourcePtr buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
    if (!buffer) {
        zip_failure("buffer", &error);
    }
    ArchivePtr archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
    if (!archive) {
        zip_failure("open", &error);
    }
    zip_source_keep(buffer.get());
    for (const auto& [name, content, mode] : files) {
        zip_source_t* source = zip_source_buffer(archive.get(), content.data(), content.size(), 0);
        if (source == nullptr) {
            zip_failure(name, zip_get_error(archive.get()));
        }
        const zip_int64_t index =
            zip_file_add(archive.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        if (index < 0) {
            zip_source_free(source);
            zip_failure(name, zip_get_error(archive.get()));
        }
        zip_file_set_mtime(archive.get(), static_cast<zip_uint64_t>(index),
                           static_cast<time_t>(created), 0);
        constexpr zip_uint32_t kRegularFile = 0100000;
        if (zip_file_set_external_attributes(archive.get(), static_cast<zip_uint64_t>(index), 0,
                                             ZIP_OPSYS_UNIX, (kRegularFile | mode) << 16) != 0) {
            zip_failure(name, zip_get_error(archive.get()));
        }
    }
    if (zip_close(archive.get()) != 0) {
        zip_failure("close", zip_get_error(archive.get()));
    }
    static_cast<void>(archive.release());

    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_source_stat(buffer.get(), &stat) != 0 || zip_source_open(buffer.get()) != 0) {
        zip_failure("read back", zip_source_error(buffer.get()));
    }
    Bytes out(static_cast<std::size_t>(stat.size));
    const zip_int64_t read = zip_source_read(buffer.get(), out.data(), out.size());
    zip_source_close(buffer.get());
    if (read < 0 || static_cast<zip_uint64_t>(read) != stat.size) {
        zip_failure("read back", zip_source_error(buffer.get()));
    }
    return out;
}

std::string readme(const Profile& profile, const BundleInput& input, const std::string& trust_file,
                   const CertInfo& trust) {
    std::string text = fmt::format("Import bundle for {} ({})\n", profile.name, profile.id);
    text += fmt::format("Made by certforge {} on {}.\n\n", version(), format_utc(input.created));
    text += fmt::format("{}: the certificate the device must trust ({}), {}\n", trust_file,
                        profile.import.ca_format == CaCertFormat::der ? "DER" : "PEM/Base64",
                        trust.subject.to_string());
    text += fmt::format("  SHA-256 {}\n", sha256_hex(trust));
    for (const auto& device : input.devices) {
        text += fmt::format("{}: the device's own key and certificate ({}), PKCS#12 ({}); "
                            "password: {}\n",
                            device.file_name, device.common_name, input.pkcs12_encryption,
                            input.password_hint);
    }
    if (input.devices.empty() && profile.import.identity_pkcs12) {
        text += "device.p12 is not in this bundle: these devices import a key and certificate of "
                "their own, made for the device's own name, and certforge never hands out the "
                "Terminal Server's key.";
        text += input.device_hint.empty() ? "\n" : fmt::format(" {}\n", input.device_hint);
    }
    text += "manifest.json: what is in this bundle, with SHA-256 sums.\n\nSteps\n";
    if (profile.import.steps.empty()) {
        text += fmt::format("1. In the device's web UI, open its certificate management page.\n"
                            "2. Import {} as a trusted CA certificate.\n",
                            trust_file);
        for (const auto& device : input.devices) {
            text += fmt::format("3. Import {} as the device certificate (key pair) of {}.\n",
                                device.file_name, device.common_name);
        }
        text += "(The profile has no vendor-specific steps: these are the general ones.)\n";
    } else {
        for (std::size_t i = 0; i < profile.import.steps.size(); ++i) {
            text += fmt::format("{}. {}\n", i + 1, profile.import.steps[i]);
        }
    }
    if (!profile.notes.empty()) {
        text += "\nNotes on this device family\n" + profile.notes + "\n";
    }
    std::string crlf;
    for (char c : text) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    return crlf;
}

} // namespace

void add_device_pkcs12(BundleInput& bundle, const Profile& profile, ContainerCodec& codec,
                       const KeyAndChain& contents, const SecureString& password,
                       const std::string& friendly_name, const std::string& where,
                       std::string file_name) {
    Pkcs12Options options;
    options.encryption = profile.import.pkcs12_encryption.front();
    options.friendly_name = friendly_name;
    const bool empty = profile.import.empty_password;
    bundle.devices.push_back(
        {std::move(file_name), friendly_name,
         codec.write_pkcs12(contents, empty ? SecureString() : password, options)});
    bundle.pkcs12_encryption = std::string(to_string(options.encryption));
    bundle.password_hint = empty ? "empty (this device needs an empty password)" : where;
}

std::string trust_file_name(const Profile& profile) {
    return profile.import.ca_format == CaCertFormat::der ? "ca.cer" : "ca.crt";
}

Bytes make_import_bundle(const Profile& profile, const BundleInput& input, const Backend& backend) {
    const std::string trust_file = trust_file_name(profile);
    const CertInfo trust = backend.parse_certificate(input.trust_certificate, "CA certificate");
    std::vector<ZipEntry> files;
    if (profile.import.ca_format == CaCertFormat::der) {
        files.push_back({trust_file, input.trust_certificate});
    } else {
        const std::string pem = pem_encode("CERTIFICATE", input.trust_certificate);
        files.push_back({trust_file, Bytes(pem.begin(), pem.end())});
    }
    for (const auto& device : input.devices) {
        files.push_back({device.file_name, device.pkcs12, 0600});
    }
    const std::string readme_text = readme(profile, input, trust_file, trust);
    files.push_back({"README.txt", Bytes(readme_text.begin(), readme_text.end())});

    nlohmann::json listed = nlohmann::json::array();
    for (const auto& [name, content, mode] : files) {
        listed.push_back({{"name", name},
                          {"size", content.size()},
                          {"sha256", to_hex(backend.digest(HashAlgorithm::sha256, content))}});
    }
    nlohmann::json manifest{{"schema", schema::kBundle},
                            {"profile", profile.id},
                            {"certforge_version", std::string(version())},
                            {"created", format_utc(input.created)},
                            {"files", listed},
                            {"trust_certificate", certificate_json(trust)}};
    if (input.leaf_certificate) {
        manifest["leaf_certificate"] =
            certificate_json(backend.parse_certificate(*input.leaf_certificate, "certificate"));
    }
    if (!input.devices.empty()) {
        manifest["device_pkcs12_encryption"] = input.pkcs12_encryption;
    }
    const std::string manifest_text = manifest.dump(2) + "\n";
    files.push_back({"manifest.json", Bytes(manifest_text.begin(), manifest_text.end())});
    return zip_files(files, input.created);
}

} // namespace certforge
