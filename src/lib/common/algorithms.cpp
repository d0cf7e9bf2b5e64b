// SPDX-License-Identifier: Apache-2.0
#include "certforge/algorithms.hpp"

#include "certforge/errors.hpp"

#include <array>
#include <fmt/format.h>
#include <utility>

namespace certforge {
namespace {

constexpr std::array<std::pair<HashAlgorithm, std::string_view>, 7> kHashNames{{
    {HashAlgorithm::md5, "md5"},
    {HashAlgorithm::sha1, "sha1"},
    {HashAlgorithm::sha224, "sha224"},
    {HashAlgorithm::sha256, "sha256"},
    {HashAlgorithm::sha384, "sha384"},
    {HashAlgorithm::sha512, "sha512"},
    {HashAlgorithm::unknown, "unknown"},
}};

constexpr std::array<std::string_view, kKeyUsageBitCount> kKeyUsageNames{
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly",
};

} // namespace

std::string_view to_string(HashAlgorithm hash) {
    for (const auto& [value, name] : kHashNames) {
        if (value == hash) {
            return name;
        }
    }
    return "unknown";
}

std::optional<HashAlgorithm> hash_from_name(std::string_view name) {
    for (const auto& [value, text] : kHashNames) {
        if (text == name && value != HashAlgorithm::unknown) {
            return value;
        }
    }
    return std::nullopt;
}

bool is_weak(HashAlgorithm hash) {
    return hash == HashAlgorithm::md5 || hash == HashAlgorithm::sha1;
}

std::string_view to_string(KeyAlgorithm algorithm) {
    switch (algorithm) {
    case KeyAlgorithm::rsa:
        return "rsa";
    case KeyAlgorithm::ec:
        return "ec";
    case KeyAlgorithm::dsa:
        return "dsa";
    case KeyAlgorithm::ed25519:
        return "ed25519";
    case KeyAlgorithm::ed448:
        return "ed448";
    case KeyAlgorithm::unknown:
        break;
    }
    return "unknown";
}

std::string_view to_string(KeyUsageBit bit) {
    return kKeyUsageNames.at(static_cast<unsigned>(bit));
}

std::optional<KeyUsageBit> key_usage_from_name(std::string_view name) {
    for (unsigned i = 0; i < kKeyUsageNames.size(); ++i) {
        if (kKeyUsageNames[i] == name) {
            return static_cast<KeyUsageBit>(i);
        }
    }
    return std::nullopt;
}

std::vector<std::string> key_usage_names(KeyUsageSet set) {
    std::vector<std::string> names;
    for (unsigned i = 0; i < kKeyUsageNames.size(); ++i) {
        if (set & key_usage_flag(static_cast<KeyUsageBit>(i))) {
            names.emplace_back(kKeyUsageNames[i]);
        }
    }
    return names;
}

std::string_view to_string(Pkcs12Encryption encryption) {
    switch (encryption) {
    case Pkcs12Encryption::aes:
        return "aes";
    case Pkcs12Encryption::triple_des:
        return "3des";
    case Pkcs12Encryption::rc2:
        break;
    }
    return "rc2";
}

Pkcs12Encryption pkcs12_encryption_from_name(std::string_view name) {
    for (auto e : {Pkcs12Encryption::aes, Pkcs12Encryption::triple_des, Pkcs12Encryption::rc2}) {
        if (to_string(e) == name) {
            return e;
        }
    }
    throw UsageError(fmt::format("'{}' is not a PKCS#12 encryption: use aes, 3des or rc2", name));
}

const std::vector<ExtendedKeyUsage>& known_ekus() {
    static const std::vector<ExtendedKeyUsage> ekus{
        {"serverAuth", "1.3.6.1.5.5.7.3.1"},   {"clientAuth", "1.3.6.1.5.5.7.3.2"},
        {"codeSigning", "1.3.6.1.5.5.7.3.3"},  {"emailProtection", "1.3.6.1.5.5.7.3.4"},
        {"timeStamping", "1.3.6.1.5.5.7.3.8"}, {"OCSPSigning", "1.3.6.1.5.5.7.3.9"},
    };
    return ekus;
}

std::optional<ExtendedKeyUsage> eku_from_name(std::string_view name) {
    for (const auto& eku : known_ekus()) {
        if (eku.name == name) {
            return eku;
        }
    }
    return std::nullopt;
}

std::string eku_display_name(std::string_view oid) {
    for (const auto& eku : known_ekus()) {
        if (eku.oid == oid) {
            return std::string(eku.name);
        }
    }
    return std::string(oid);
}

} // namespace certforge
