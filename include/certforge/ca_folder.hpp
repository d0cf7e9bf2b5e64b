// SPDX-License-Identifier: Apache-2.0
// A CA folder on disk: ca.key (PKCS#8 PEM, 0600), ca.crt (PEM) and ca.json
// (metadata: name, profile, backend, creation time, fingerprint, where the
// ledger is when it is not ca.db in the folder, and where the key is when it
// is on a PKCS#11 token instead of in ca.key).
#pragma once

#include "certforge/backend.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/token_key.hpp"

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
    std::string key;    // a PKCS#11 URI (token_key.hpp); empty: ca.key in the folder
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

// Reads a CA folder. A key on a token is opened with `pin` (asked only when
// the token needs a login). Throws InputError when a file is missing or
// unreadable, the token cannot be used, or the key does not belong to the
// certificate.
CaFolder load_ca_folder(const std::filesystem::path& dir, const Backend& backend,
                        const TokenPin& pin = {});

// The CA certificate (DER) of a CA folder, checked to be a CA, without its
// key: for commands that hand the certificate out.
Bytes load_ca_certificate(const std::filesystem::path& dir, const Backend& backend);

// The metadata as JSON text, and back.
std::string metadata_to_json(const CaMetadata& metadata);
CaMetadata metadata_from_json(std::string_view text, std::string_view source);

} // namespace certforge
