// SPDX-License-Identifier: Apache-2.0
#include "certforge/profile.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace certforge {

std::string_view to_string(ProfileKind kind) {
    return kind == ProfileKind::host ? "host" : "device";
}

std::string_view to_string(DnEncoding encoding) {
    return encoding == DnEncoding::printable ? "printable" : "utf8";
}

std::string_view to_string(CaCertFormat format) {
    return format == CaCertFormat::der ? "der" : "pem";
}

bool Profile::allows_weak_crypto() const {
    return std::any_of(signature.hashes.begin(), signature.hashes.end(), is_weak) ||
           std::any_of(key.rsa_bits.begin(), key.rsa_bits.end(),
                       [](unsigned bits) { return bits < kMinimumModernRsaBits; });
}

namespace {

std::string display_name(HashAlgorithm hash) {
    switch (hash) {
    case HashAlgorithm::md5:
        return "MD5";
    case HashAlgorithm::sha1:
        return "SHA-1";
    default:
        break;
    }
    return std::string(to_string(hash));
}

std::string and_list(const std::vector<std::string>& items) {
    if (items.size() <= 1) {
        return items.empty() ? std::string() : items.front();
    }
    return fmt::format("{} and {}", fmt::join(items.begin(), items.end() - 1, ", "), items.back());
}

} // namespace

std::string legacy_warning(const Profile& profile) {
    std::vector<std::string> weak;
    for (const auto hash : profile.signature.hashes) {
        if (is_weak(hash)) {
            weak.push_back(display_name(hash));
        }
    }
    std::vector<unsigned> small;
    for (const auto bits : profile.key.rsa_bits) {
        if (bits < kMinimumModernRsaBits) {
            small.push_back(bits);
        }
    }
    if (!small.empty()) {
        weak.push_back(fmt::format("RSA {} bits", fmt::join(small, "/")));
    }
    if (weak.empty()) {
        return fmt::format("profile '{}' is marked legacy: it is meant only for the old devices "
                           "it describes",
                           profile.id);
    }
    return fmt::format("profile '{}' is a legacy profile: it allows weak crypto ({}) for devices "
                       "that need it; use it only for them",
                       profile.id, and_list(weak));
}

std::optional<std::string> weak_crypto_warning(std::string_view what, HashAlgorithm hash,
                                               unsigned rsa_bits, std::string_view profiles) {
    std::vector<std::string> weak;
    if (is_weak(hash)) {
        weak.push_back(fmt::format("{} {} signature", hash == HashAlgorithm::md5 ? "an" : "a",
                                   display_name(hash)));
    }
    if (rsa_bits != 0 && rsa_bits < kMinimumModernRsaBits) {
        weak.push_back(fmt::format("an RSA {}-bit key", rsa_bits));
    }
    if (weak.empty()) {
        return std::nullopt;
    }
    return fmt::format("{} has weak crypto ({}), allowed by legacy profile{} {} for the old "
                       "devices that need it",
                       what, and_list(weak),
                       profiles.find(',') == std::string_view::npos ? "" : "s", profiles);
}

} // namespace certforge
