// SPDX-License-Identifier: Apache-2.0
#include "certforge/profile_merge.hpp"

#include "certforge/errors.hpp"
#include "profile_field.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace detail {
namespace {

std::string listing(const KeyRule& rule, const nlohmann::json& list) {
    return fmt::format(fmt::runtime(rule.merge.listing), fmt::join(element_texts(list), ", "));
}

bool share_nothing(const nlohmann::json& a, const nlohmann::json& b) {
    return std::none_of(a.begin(), a.end(), [&](const auto& item) {
        return std::find(b.begin(), b.end(), item) != b.end();
    });
}

} // namespace

void no_common_value(const KeyRule& rule, const std::vector<Profile>& profiles,
                     const std::vector<nlohmann::json>& lists) {
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        for (std::size_t j = i + 1; j < profiles.size(); ++j) {
            if (share_nothing(lists[i], lists[j])) {
                throw InputError(fmt::format(
                    "profiles {} and {} cannot share one certificate: no {} is common ({} "
                    "allows {}; {} allows {})",
                    profiles[i].id, profiles[j].id, rule.merge.noun, profiles[i].id,
                    listing(rule, lists[i]), profiles[j].id, listing(rule, lists[j])));
            }
        }
    }
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        ids.push_back(fmt::format("{} ({})", profiles[i].id, listing(rule, lists[i])));
    }
    throw InputError(
        fmt::format("no {} is allowed by all of: {}", rule.merge.noun, fmt::join(ids, ", ")));
}

} // namespace detail

namespace {

// Position in the list of hashes from weakest to strongest.
int strength(HashAlgorithm hash) {
    constexpr HashAlgorithm order[] = {HashAlgorithm::md5,    HashAlgorithm::sha1,
                                       HashAlgorithm::sha224, HashAlgorithm::sha256,
                                       HashAlgorithm::sha384, HashAlgorithm::sha512};
    return static_cast<int>(std::find(std::begin(order), std::end(order), hash) -
                            std::begin(order));
}

// The keys whose rule is Merge::derived, and the settings that must agree
// with each other after the rows merged one key at a time.
void derive(const std::vector<Profile>& profiles, Profile& out) {
    std::vector<std::string> ids;
    for (const auto& p : profiles) {
        ids.push_back(p.id);
    }
    out.id = fmt::format("{}", fmt::join(ids, "+"));
    out.name = fmt::format("common ground of {}", fmt::join(ids, ", "));
    out.extends_chain.clear();
    out.key.default_rsa_bits = *std::max_element(out.key.rsa_bits.begin(), out.key.rsa_bits.end());
    out.signature.default_hash = *std::max_element(
        out.signature.hashes.begin(), out.signature.hashes.end(),
        [](HashAlgorithm a, HashAlgorithm b) { return strength(a) < strength(b); });
    out.validity.default_days = std::min(out.validity.default_days, out.validity.max_days);
    out.serial.bytes = std::max(out.serial.bytes, out.serial.min_bytes);
}

} // namespace

Profile common_ground(const std::vector<Profile>& profiles) {
    if (profiles.empty()) {
        throw UsageError("name at least one profile");
    }
    if (profiles.size() == 1) {
        return profiles.front();
    }
    Profile out = profiles.front();
    for (const auto& rule : detail::profile_schema()) {
        if (rule.field.merge != nullptr) {
            rule.field.merge(rule, profiles, out);
        }
    }
    derive(profiles, out);
    return out;
}

} // namespace certforge
