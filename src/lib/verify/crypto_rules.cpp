// SPDX-License-Identifier: Apache-2.0
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge::detail {
namespace {

std::string hash_list(const Profile& profile) {
    std::vector<std::string_view> names;
    for (auto h : profile.signature.hashes) {
        names.push_back(to_string(h));
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace

Finding check_signature_hash(const RuleContext& c) {
    constexpr std::string_view id = "signature.hash", key = "signature.hashes";
    const auto& hashes = c.profile.signature.hashes;
    if (std::find(hashes.begin(), hashes.end(), c.cert.signature_hash) != hashes.end()) {
        return pass(id, key,
                    fmt::format("signed with {} ({})", to_string(c.cert.signature_hash),
                                c.cert.signature_algorithm));
    }
    return fail(id, key, Severity::error,
                fmt::format("signed with {} ({}); profile '{}' allows: {}",
                            to_string(c.cert.signature_hash), c.cert.signature_algorithm,
                            c.profile.id, hash_list(c.profile)));
}

Finding check_key_algorithm(const RuleContext& c) {
    constexpr std::string_view id = "key.algorithm", key = "key.algorithms";
    const auto& allowed = c.profile.key.algorithms;
    if (std::find(allowed.begin(), allowed.end(), c.cert.key_algorithm) != allowed.end()) {
        return pass(id, key, fmt::format("{} key", to_string(c.cert.key_algorithm)));
    }
    std::vector<std::string_view> names;
    for (auto a : allowed) {
        names.push_back(to_string(a));
    }
    return fail(id, key, Severity::error,
                fmt::format("{} key; profile '{}' allows: {}", to_string(c.cert.key_algorithm),
                            c.profile.id, fmt::join(names, ", ")));
}

Finding check_key_size(const RuleContext& c) {
    constexpr std::string_view id = "key.size", key = "key.rsa_bits";
    if (c.cert.key_algorithm == KeyAlgorithm::unknown) {
        return fail(id, key, Severity::error,
                    "a key of an algorithm certforge does not know: the profile lists RSA sizes "
                    "only");
    }
    if (c.cert.key_algorithm != KeyAlgorithm::rsa) {
        return fail(id, key, Severity::error,
                    fmt::format("{} key of {} bits: the profile lists RSA sizes only",
                                to_string(c.cert.key_algorithm), c.cert.key_bits));
    }
    const auto& allowed = c.profile.key.rsa_bits;
    if (std::find(allowed.begin(), allowed.end(), c.cert.key_bits) != allowed.end()) {
        return pass(id, key, fmt::format("RSA {} bits", c.cert.key_bits));
    }
    return fail(id, key, Severity::error,
                fmt::format("RSA {} bits; profile '{}' allows: {}", c.cert.key_bits, c.profile.id,
                            fmt::join(allowed, ", ")));
}

} // namespace certforge::detail
