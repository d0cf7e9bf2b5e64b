// SPDX-License-Identifier: Apache-2.0
// A CA folder on disk: ca.key (PKCS#8 PEM, 0600), ca.crt (PEM) and ca.json
// (metadata: name, profile, backend, creation time, fingerprint, and where
// the ledger is when it is not ca.db in the folder).
#pragma once

#include "certforge/backend.hpp"
#include "certforge/cert_info.hpp"

#include <filesystem>
#include <string>

namespace certforge {

struct CaMetadata {
    std::string name;
    std::string profile_id;
    std::string backend;
    std::string created; // ISO 8601 UTC
    std::string certificate_sha256;
    std::string certforge_version;
    std::string ledger; // a PostgreSQL ledger's URL; empty: ca.db in the folder
};

struct CaFolder {
    std::filesystem::path dir;
    Bytes certificate_der;
    PrivateKey key;
    CaMetadata metadata;

    CaCredentials credentials() const { return {certificate_der, key}; }
};

inline constexpr const char* kCaKeyFile = "ca.key";
inline constexpr const char* kCaCertFile = "ca.crt";
inline constexpr const char* kCaMetadataFile = "ca.json";

// Reads a CA folder. Throws InputError when a file is missing or unreadable,
// or when the key does not belong to the certificate.
CaFolder load_ca_folder(const std::filesystem::path& dir, const Backend& backend);

// The metadata as JSON text, and back.
std::string metadata_to_json(const CaMetadata& metadata);
CaMetadata metadata_from_json(std::string_view text, std::string_view source);

} // namespace certforge
