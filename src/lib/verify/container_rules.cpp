// SPDX-License-Identifier: Apache-2.0
#include "certforge/verify.hpp"
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
using detail::fail;
using detail::pass;

namespace {

std::string describe(const Pkcs12Protection& p) {
    return fmt::format(
        "key {}, certificates {}, MAC {}", p.key_encryption,
        p.certificate_encryption.empty() ? "not encrypted" : p.certificate_encryption,
        p.mac.empty() ? "none" : fmt::format("{} ({} iterations)", p.mac, p.mac_iterations));
}

Finding encryption_finding(const ContainerFacts& facts, const Profile& profile) {
    constexpr std::string_view rule = "container.encryption", key = "import.pkcs12_encryption";
    if (facts.kind == ContainerKind::jks) {
        return pass(rule, "", "JKS key protector (the only protection JKS has)");
    }
    const Pkcs12Protection& p = *facts.pkcs12;
    const auto& allowed = profile.import.pkcs12_encryption;
    std::vector<std::string_view> names;
    for (auto e : allowed) {
        names.push_back(to_string(e));
    }
    if (!p.scheme) {
        return fail(rule, key, Severity::warning,
                    fmt::format("an encryption certforge does not classify ({}); profile '{}' "
                                "expects {}",
                                describe(p), profile.id, fmt::join(names, ", ")));
    }
    if (std::find(allowed.begin(), allowed.end(), *p.scheme) == allowed.end()) {
        return fail(rule, key, Severity::error,
                    fmt::format("{} ({}); profile '{}' allows: {}", to_string(*p.scheme),
                                describe(p), profile.id, fmt::join(names, ", ")));
    }
    return pass(rule, key, fmt::format("{} ({})", to_string(*p.scheme), describe(p)));
}

} // namespace

std::string_view to_string(ContainerKind kind) {
    switch (kind) {
    case ContainerKind::pkcs12:
        return "pkcs12";
    case ContainerKind::jks:
        return "jks";
    case ContainerKind::pkcs7:
        break;
    }
    return "pkcs7";
}

std::vector<Finding> check_container(const ContainerFacts& facts,
                                     const std::vector<CertInfo>& chain, const Profile& profile) {
    std::vector<Finding> out;
    if (facts.kind != ContainerKind::pkcs7) {
        out.push_back(encryption_finding(facts, profile));
    }
    if (facts.kind == ContainerKind::pkcs12) {
        out.push_back(facts.pkcs12->mac.empty()
                          ? fail("container.mac", "", Severity::warning,
                                 "no integrity MAC: a damaged or altered file goes unnoticed")
                          : pass("container.mac", "",
                                 fmt::format("{} MAC, {} iterations", facts.pkcs12->mac,
                                             facts.pkcs12->mac_iterations)));
    }
    if (facts.kind != ContainerKind::pkcs7) {
        if (!facts.has_key) {
            out.push_back(fail("container.key-matches", "", Severity::error,
                               "no private key in the file: the Terminal Server needs its key"));
        } else if (!facts.key_matches_leaf) {
            out.push_back(fail("container.key-matches", "", Severity::error,
                               "the private key does not belong to the leaf certificate"));
        } else {
            out.push_back(pass("container.key-matches", "", "the private key matches the leaf"));
        }
    }
    if (chain.empty()) {
        out.push_back(fail("container.chain-complete", "", Severity::error, "no certificate"));
    } else if (chain.back().self_issued()) {
        out.push_back(pass("container.chain-complete", "",
                           fmt::format("{} certificates, ending at the self-signed '{}'",
                                       chain.size(), chain.back().subject.to_string())));
    } else {
        out.push_back(
            fail("container.chain-complete", "", Severity::warning,
                 fmt::format("the chain ends at '{}', issued by '{}', which is not "
                             "included: the Terminal Server PFX should hold the whole "
                             "chain",
                             chain.back().subject.to_string(), chain.back().issuer.to_string())));
    }
    return out;
}

} // namespace certforge
