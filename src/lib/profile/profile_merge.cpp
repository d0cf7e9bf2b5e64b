#include "certforge/profile_merge.hpp"

#include "certforge/errors.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace {

// Position in the list of hashes from weakest to strongest.
int strength(HashAlgorithm hash) {
    constexpr HashAlgorithm order[] = {HashAlgorithm::md5,    HashAlgorithm::sha1,
                                       HashAlgorithm::sha224, HashAlgorithm::sha256,
                                       HashAlgorithm::sha384, HashAlgorithm::sha512};
    return static_cast<int>(std::find(std::begin(order), std::end(order), hash) -
                            std::begin(order));
}

template <class T> std::vector<T> intersect(const std::vector<T>& a, const std::vector<T>& b) {
    std::vector<T> out;
    for (const auto& v : a) {
        if (std::find(b.begin(), b.end(), v) != b.end()) {
            out.push_back(v);
        }
    }
    return out;
}

std::string hash_names(const std::vector<HashAlgorithm>& hashes) {
    std::vector<std::string_view> names;
    for (auto h : hashes) {
        names.push_back(to_string(h));
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

// Throws when the per-profile lists have nothing in common, naming the first
// pair that shares nothing, or all of them.
template <class T, class Describe>
std::vector<T> common(const std::vector<Profile>& profiles,
                      std::vector<T> (*values)(const Profile&), std::string_view what,
                      Describe describe) {
    std::vector<T> shared = values(profiles.front());
    for (const auto& p : profiles) {
        shared = intersect(shared, values(p));
    }
    if (!shared.empty()) {
        return shared;
    }
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        for (std::size_t j = i + 1; j < profiles.size(); ++j) {
            if (intersect(values(profiles[i]), values(profiles[j])).empty()) {
                throw InputError(fmt::format(
                    "profiles {} and {} cannot share one certificate: no {} is common ({} "
                    "allows {}; {} allows {})",
                    profiles[i].id, profiles[j].id, what, profiles[i].id,
                    describe(values(profiles[i])), profiles[j].id, describe(values(profiles[j]))));
            }
        }
    }
    std::vector<std::string> ids;
    for (const auto& p : profiles) {
        ids.push_back(fmt::format("{} ({})", p.id, describe(values(p))));
    }
    throw InputError(fmt::format("no {} is allowed by all of: {}", what, fmt::join(ids, ", ")));
}

std::vector<unsigned> rsa_sizes(const Profile& p) {
    return p.key.rsa_bits;
}
std::vector<HashAlgorithm> hashes(const Profile& p) {
    return p.signature.hashes;
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
    std::vector<std::string> ids;
    for (const auto& p : profiles) {
        ids.push_back(p.id);
    }
    out.id = fmt::format("{}", fmt::join(ids, "+"));
    out.name = fmt::format("common ground of {}", fmt::join(ids, ", "));
    out.extends_chain.clear();

    out.key.rsa_bits = common(profiles, rsa_sizes, "RSA key size", [](const auto& v) {
        return fmt::format("RSA {}", fmt::join(v, ", "));
    });
    out.key.default_rsa_bits = *std::max_element(out.key.rsa_bits.begin(), out.key.rsa_bits.end());
    out.signature.hashes =
        common(profiles, hashes, "signature hash", [](const auto& v) { return hash_names(v); });
    out.signature.default_hash = *std::max_element(
        out.signature.hashes.begin(), out.signature.hashes.end(),
        [](HashAlgorithm a, HashAlgorithm b) { return strength(a) < strength(b); });

    for (const auto& p : profiles) {
        out.legacy = out.legacy || p.legacy;
        out.validity.max_days = std::min(out.validity.max_days, p.validity.max_days);
        out.validity.default_days = std::min(out.validity.default_days, p.validity.default_days);
        out.validity.backdate_minutes =
            std::max(out.validity.backdate_minutes, p.validity.backdate_minutes);
        out.subject.require_san = out.subject.require_san || p.subject.require_san;
        out.subject.cn_in_san = out.subject.cn_in_san || p.subject.cn_in_san;
        out.subject.require_ip_san = out.subject.require_ip_san || p.subject.require_ip_san;
        if (p.subject.dn_encoding == DnEncoding::printable) {
            out.subject.dn_encoding = DnEncoding::printable;
        }
        out.extensions.key_usage |= p.extensions.key_usage;
        for (const auto& oid : p.extensions.extended_key_usage) {
            auto& ekus = out.extensions.extended_key_usage;
            if (std::find(ekus.begin(), ekus.end(), oid) == ekus.end()) {
                ekus.push_back(oid);
            }
        }
        out.extensions.basic_constraints =
            out.extensions.basic_constraints || p.extensions.basic_constraints;
        out.serial.min_bytes = std::max(out.serial.min_bytes, p.serial.min_bytes);
        out.certificate.max_chain_length =
            std::min(out.certificate.max_chain_length, p.certificate.max_chain_length);
        out.ca.days = std::min(out.ca.days, p.ca.days);
        out.ca.max_days = std::min(out.ca.max_days, p.ca.max_days);
        out.ca.path_length = std::min(out.ca.path_length, p.ca.path_length);
        for (const auto& source : p.sources) {
            if (std::find(out.sources.begin(), out.sources.end(), source) == out.sources.end()) {
                out.sources.push_back(source);
            }
        }
    }
    out.validity.default_days = std::min(out.validity.default_days, out.validity.max_days);
    out.serial.bytes = std::max(out.serial.bytes, out.serial.min_bytes);
    return out;
}

} // namespace certforge
