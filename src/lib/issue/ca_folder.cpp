// SPDX-License-Identifier: Apache-2.0
#include "certforge/ca_folder.hpp"

#include "certforge/errors.hpp"
#include "certforge/json_documents.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {
namespace fs = std::filesystem;

std::string metadata_to_json(const CaMetadata& metadata) {
    nlohmann::json json{
        {"schema", schema::kCaFolder},
        {"name", metadata.name},
        {"profile", metadata.profile_id},
        {"backend", metadata.backend},
        {"created", metadata.created},
        {"certificate_sha256", metadata.certificate_sha256},
        {"certforge_version", metadata.certforge_version},
    };
    if (!metadata.ledger.empty()) {
        json["ledger"] = metadata.ledger;
    }
    if (!metadata.key.empty()) {
        json["key"] = metadata.key;
    }
    return json.dump(2) + "\n";
}

CaMetadata metadata_from_json(std::string_view text, std::string_view source) {
    try {
        const auto json = nlohmann::json::parse(text);
        CaMetadata metadata;
        metadata.name = json.at("name").get<std::string>();
        metadata.profile_id = json.at("profile").get<std::string>();
        metadata.backend = json.value("backend", "");
        metadata.created = json.value("created", "");
        metadata.certificate_sha256 = json.value("certificate_sha256", "");
        metadata.certforge_version = json.value("certforge_version", "");
        metadata.ledger = json.value("ledger", "");
        metadata.key = json.value("key", "");
        return metadata;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(fmt::format("{}: invalid CA metadata: {}", source, e.what()));
    }
}

namespace {

// A CA folder's certificate, as DER and as parsed, checked to be a CA.
struct CaCertificate {
    Bytes der;
    CertInfo info;
};

CaCertificate ca_certificate_of(const fs::path& dir, const Backend& backend) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw InputError(
            fmt::format("{}: no such CA folder (make one with certforge ca init)", path_text(dir)));
    }
    const fs::path cert_path = dir / kCaCertFile;
    const std::string cert_text = read_file(cert_path);
    const auto blocks = pem_decode_all(cert_text, path_text(cert_path));
    if (blocks.front().label != "CERTIFICATE") {
        throw InputError(fmt::format("{}: expected a CERTIFICATE, found {}", path_text(cert_path),
                                     blocks.front().label));
    }
    CaCertificate certificate{blocks.front().der, {}};
    certificate.info = backend.parse_certificate(certificate.der, path_text(cert_path));
    if (!certificate.info.is_ca()) {
        throw InputError(fmt::format("{}: the certificate is not a CA (basicConstraints CA:TRUE)",
                                     path_text(cert_path)));
    }
    return certificate;
}

} // namespace

Bytes load_ca_certificate(const fs::path& dir, const Backend& backend) {
    return ca_certificate_of(dir, backend).der;
}

CaFolder load_ca_folder(const fs::path& dir, const Backend& backend, const TokenPin& pin) {
    CaCertificate certificate = ca_certificate_of(dir, backend);
    const fs::path cert_path = dir / kCaCertFile;
    const fs::path metadata_path = dir / kCaMetadataFile;

    std::error_code ec;
    CaMetadata metadata;
    if (fs::exists(metadata_path, ec)) {
        metadata = metadata_from_json(read_file(metadata_path), path_text(metadata_path));
    } else {
        metadata.name = certificate.info.subject.common_name().value_or("");
    }

    const fs::path key_path = dir / kCaKeyFile;
    PrivateKey key = [&] {
        if (!metadata.key.empty()) {
            return open_token_key(metadata.key, pin);
        }
        const SecureString key_text = read_secret_file(key_path);
        return PrivateKey(pem_decode_secret(key_text, "PRIVATE KEY", path_text(key_path)));
    }();
    if (!backend.key_matches_certificate(key, certificate.der)) {
        throw InputError(fmt::format("{}: the key does not belong to {}",
                                     metadata.key.empty() ? path_text(key_path) : metadata.key,
                                     path_text(cert_path)));
    }
    return {dir, std::move(certificate.der), std::move(key), std::move(metadata)};
}

} // namespace certforge
