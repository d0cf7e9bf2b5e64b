// SPDX-License-Identifier: Apache-2.0
// Names of the algorithms and X.509 extension values that profiles, requests
// and parsed certificates share.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

enum class HashAlgorithm { md5, sha1, sha224, sha256, sha384, sha512, unknown };

// Profile spelling: "md5", "sha1", "sha224", "sha256", "sha384", "sha512".
std::string_view to_string(HashAlgorithm hash);
std::optional<HashAlgorithm> hash_from_name(std::string_view name);
// True for hashes that modern stacks distrust for signatures (MD5, SHA-1).
bool is_weak(HashAlgorithm hash);

enum class KeyAlgorithm { rsa, ec, dsa, ed25519, ed448, unknown };
std::string_view to_string(KeyAlgorithm algorithm);

// RSA below this size is weak and needs a legacy profile.
inline constexpr unsigned kMinimumModernRsaBits = 2048;

// keyUsage bits, numbered as in RFC 5280 (digitalSignature is bit 0).
enum class KeyUsageBit : unsigned {
    digital_signature = 0,
    non_repudiation = 1,
    key_encipherment = 2,
    data_encipherment = 3,
    key_agreement = 4,
    key_cert_sign = 5,
    crl_sign = 6,
    encipher_only = 7,
    decipher_only = 8,
};
inline constexpr unsigned kKeyUsageBitCount = 9;

// A set of keyUsage bits; bit i set means KeyUsageBit(i).
using KeyUsageSet = std::uint16_t;

inline constexpr KeyUsageSet key_usage_flag(KeyUsageBit bit) {
    return static_cast<KeyUsageSet>(1u << static_cast<unsigned>(bit));
}

// Profile spelling: "digitalSignature", "keyEncipherment", "keyCertSign", ...
std::string_view to_string(KeyUsageBit bit);
std::optional<KeyUsageBit> key_usage_from_name(std::string_view name);
// The names of the bits in `set`, in bit order.
std::vector<std::string> key_usage_names(KeyUsageSet set);

// How a PKCS#12 (PFX) file is encrypted; Pkcs12Options (containers.hpp)
// says what each one writes.
enum class Pkcs12Encryption { aes, triple_des, rc2 };

// Profile spelling: "aes", "3des", "rc2".
std::string_view to_string(Pkcs12Encryption encryption);
// "aes", "3des" or "rc2". Throws UsageError for anything else.
Pkcs12Encryption pkcs12_encryption_from_name(std::string_view name);

// extendedKeyUsage purposes certforge knows by name.
struct ExtendedKeyUsage {
    std::string_view name; // profile spelling: "serverAuth"
    std::string_view oid;  // "1.3.6.1.5.5.7.3.1"
};
// nullopt for unknown names.
std::optional<ExtendedKeyUsage> eku_from_name(std::string_view name);
// The profile name of an OID, or the OID itself when certforge has no name.
std::string eku_display_name(std::string_view oid);
// All known purposes, for help texts and suggestions.
const std::vector<ExtendedKeyUsage>& known_ekus();

} // namespace certforge
