// SPDX-License-Identifier: Apache-2.0
// Profile: what one device family (or Terminal Server host) accepts, loaded
// from TOML and validated. The schema is documented in profiles/README.md.
#pragma once

#include "certforge/algorithms.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

enum class ProfileKind { device, host };
enum class DnEncoding { utf8, printable };
enum class CaCertFormat { pem, der };

std::string_view to_string(ProfileKind kind);
std::string_view to_string(DnEncoding encoding);
std::string_view to_string(CaCertFormat format);

struct Profile {
    // Identity
    std::string id;
    std::string name;
    ProfileKind kind = ProfileKind::device;
    std::string vendor;
    std::vector<std::string> models;
    std::string notes;
    std::vector<std::string> sources;
    bool legacy = false;
    std::filesystem::path file;             // the file it was loaded from
    std::vector<std::string> extends_chain; // ids of the profiles it extends, nearest first
    // Loaded by id: the files of the same id further down the search path,
    // which this one overrides (an admin's /etc profile over a shipped one).
    std::vector<std::filesystem::path> overrides;

    struct Key {
        std::vector<KeyAlgorithm> algorithms{KeyAlgorithm::rsa};
        std::vector<unsigned> rsa_bits{2048, 3072, 4096};
        unsigned default_rsa_bits = 2048;
    } key;

    struct Signature {
        std::vector<HashAlgorithm> hashes{HashAlgorithm::sha256, HashAlgorithm::sha384,
                                          HashAlgorithm::sha512};
        HashAlgorithm default_hash = HashAlgorithm::sha256;
    } signature;

    struct Validity {
        unsigned default_days = 825;
        unsigned max_days = 3650;
        unsigned backdate_minutes = 60;
    } validity;

    struct Subject {
        bool require_san = true;
        bool cn_in_san = true;
        bool require_ip_san = false;
        DnEncoding dn_encoding = DnEncoding::utf8;
    } subject;

    struct Extensions {
        KeyUsageSet key_usage = key_usage_flag(KeyUsageBit::digital_signature) |
                                key_usage_flag(KeyUsageBit::key_encipherment);
        bool key_usage_critical = true;
        std::vector<std::string> extended_key_usage{"1.3.6.1.5.5.7.3.1"}; // OIDs
        bool extended_key_usage_critical = false;
        bool basic_constraints = true;
        bool basic_constraints_critical = true;
        bool subject_key_id = true;
        bool authority_key_id = true;
    } extensions;

    struct Serial {
        unsigned bytes = 16;
        unsigned min_bytes = 8;
    } serial;

    struct Certificate {
        unsigned version = 3;
        unsigned max_chain_length = 3;
    } certificate;

    struct Ca {
        unsigned days = 3650;
        unsigned max_days = 7300;
        unsigned path_length = 0;
        KeyUsageSet key_usage =
            key_usage_flag(KeyUsageBit::key_cert_sign) | key_usage_flag(KeyUsageBit::crl_sign);
    } ca;

    struct Import {
        CaCertFormat ca_format = CaCertFormat::pem;
        bool identity_pkcs12 = false;
        std::vector<Pkcs12Encryption> pkcs12_encryption{Pkcs12Encryption::aes,
                                                        Pkcs12Encryption::triple_des};
        bool empty_password = false;
        std::vector<std::string> steps;
    } import;

    // Terminal Server hosts (kind = "host") only.
    struct Host {
        std::string os;                            // "Windows Server 2012 R2"
        std::vector<std::string> dh_kbs;           // updates that refuse DH under 1024 bits
        std::vector<std::string> sha512_tls12_kbs; // updates for TLS 1.2 with SHA-512 certificates
    } host;

    struct Tls {
        std::vector<std::string> versions; // "ssl3", "tls1.0" ... "tls1.3"; empty: unknown
        unsigned dh_min_bits = 0;          // 0: unknown
        bool dhe_broken = false;
        bool tls13_broken = false;
    } tls;

    // True when the profile allows anything below the modern minimum
    // (SHA-1 or MD5 hashes, RSA below 2048 bits).
    bool allows_weak_crypto() const;
};

// What a command that reads with a legacy profile says on stderr: the weak
// algorithms the profile allows, by name ("MD5, SHA-1 and RSA 1024 bits").
std::string legacy_warning(const Profile& profile);

// What a command that issued a certificate with weak crypto says on stderr:
// `what` ("the certificate for print.corp.local") and the weak algorithms it
// actually has (MD5 or SHA-1, RSA below 2048 bits), and the legacy profile(s)
// that allowed them. nullopt when nothing is weak.
std::optional<std::string> weak_crypto_warning(std::string_view what, HashAlgorithm hash,
                                               unsigned rsa_bits, std::string_view profiles);

} // namespace certforge
