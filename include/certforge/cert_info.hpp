// SPDX-License-Identifier: Apache-2.0
// CertInfo: what a backend parses out of a certificate, in a form that does
// not depend on the backend. The verifier works only on this.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/bytes.hpp"
#include "certforge/subject_alt_name.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

// ASN.1 string types a DN attribute can carry, by their ASN.1 names.
enum class DnStringType { utf8, printable, ia5, teletex, bmp, universal, other };
std::string_view to_string(DnStringType type);

struct DnAttribute {
    std::string type;  // short name: "CN", "O", "OU", "L", "ST", "C"; else the OID
    std::string value; // UTF-8
    DnStringType string_type = DnStringType::utf8;

    bool operator==(const DnAttribute&) const = default;
};

struct DistinguishedName {
    std::vector<DnAttribute> attributes; // in encoding order (most significant first)

    // The first CN, if any.
    std::optional<std::string> common_name() const;
    // RFC 4514 order and escaping: "CN=print,O=Corp".
    std::string to_string() const;
    bool operator==(const DistinguishedName&) const = default;
};

struct BasicConstraints {
    bool ca = false;
    std::optional<unsigned> path_length;
    bool critical = true;
};

struct KeyUsageExtension {
    KeyUsageSet bits = 0;
    bool critical = true;
};

struct ExtendedKeyUsageExtension {
    std::vector<std::string> oids; // dotted OIDs, in encoding order
    bool critical = false;
};

// The key_bits both backends give Ed25519 and Ed448 keys (OpenSSL's sizes).
inline constexpr unsigned kEd25519KeyBits = 256;
inline constexpr unsigned kEd448KeyBits = 456;

// Seconds since the Unix epoch, UTC.
using UnixTime = std::int64_t;

// "2026-11-28T21:33:00Z"
std::string format_utc(UnixTime time);

// The system clock now.
UnixTime unix_now();

// A UTC calendar time: year (e.g. 1969, before 1970 too), month 1-12, day
// 1-31, hour, minute, second.
struct UtcFields {
    int year = 1970;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
};
// The seconds since the epoch of `fields` (proleptic Gregorian, as timegm,
// on every system).
UnixTime to_unix_time(const UtcFields& fields);
UtcFields to_utc_fields(UnixTime time);

// What a PKCS#10 certificate request asks for.
struct CsrInfo {
    Bytes der;
    DistinguishedName subject;
    std::vector<SubjectAltName> subject_alt_names;
    unsigned other_subject_alt_names = 0;
    KeyAlgorithm key_algorithm = KeyAlgorithm::unknown;
    unsigned key_bits = 0;
    Bytes public_key_info; // SubjectPublicKeyInfo DER
    std::string signature_algorithm;
    HashAlgorithm signature_hash = HashAlgorithm::unknown;
    KeyAlgorithm signature_key_algorithm = KeyAlgorithm::unknown;
    bool signature_valid = false;
};

struct CertInfo {
    Bytes der;
    int version = 0; // 1, 2 or 3
    Bytes serial;    // big-endian magnitude without leading zero bytes
    bool serial_negative = false;
    DistinguishedName subject;
    DistinguishedName issuer;
    UnixTime not_before = 0;
    UnixTime not_after = 0;

    std::string signature_algorithm; // e.g. "sha1WithRSAEncryption"
    HashAlgorithm signature_hash = HashAlgorithm::unknown;
    KeyAlgorithm signature_key_algorithm = KeyAlgorithm::unknown;

    // From the subjectPublicKeyInfo's algorithm OID. key_bits: the RSA or DSA
    // modulus size, the EC field size, 256 for Ed25519, 456 for Ed448, 0 for
    // any other algorithm (neither backend decodes such keys).
    KeyAlgorithm key_algorithm = KeyAlgorithm::unknown;
    unsigned key_bits = 0;
    std::string key_curve; // EC only: "prime256v1", ...

    bool has_subject_alt_name = false;
    bool subject_alt_name_critical = false;
    std::vector<SubjectAltName> subject_alt_names; // DNS and IP entries only
    unsigned other_subject_alt_names = 0;          // entries of other kinds

    std::optional<BasicConstraints> basic_constraints;
    std::optional<KeyUsageExtension> key_usage;
    std::optional<ExtendedKeyUsageExtension> extended_key_usage;
    Bytes subject_key_id;
    Bytes authority_key_id;
    // Dotted OIDs of the extensions that occur more than once (RFC 5280 4.2
    // forbids it), each once, in encoding order. The fields above hold the
    // first occurrence.
    std::vector<std::string> duplicate_extensions;

    Bytes sha256_fingerprint;

    bool is_ca() const { return basic_constraints && basic_constraints->ca; }
    bool self_issued() const { return subject == issuer; }
};

// The two spellings certforge prints, in JSON and in text alike:
// the serial number as `openssl x509 -serial` prints it, upper-case hex, two
// digits a byte, no separators ("0A1B2C"; "00" for zero; a "-" before a
// negative one, which RFC 5280 forbids and verify reports), as the CA ledger
// stores it;
std::string serial_hex(const CertInfo& info);
// and the SHA-256 fingerprint of the DER as sha256sum prints it: 64 lower-case
// hex digits, no separators.
std::string sha256_hex(const CertInfo& info);

// Sets info.key_bits for the key algorithms whose size is fixed (Ed25519,
// Ed448) and returns true for those and for unknown algorithms, which have
// no size to read; false when the size must be read from the key itself.
inline bool set_fixed_key_bits(CertInfo& info) {
    switch (info.key_algorithm) {
    case KeyAlgorithm::ed25519:
        info.key_bits = kEd25519KeyBits;
        return true;
    case KeyAlgorithm::ed448:
        info.key_bits = kEd448KeyBits;
        return true;
    case KeyAlgorithm::unknown:
        return true;
    default:
        return false;
    }
}

} // namespace certforge
