// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend.hpp"
#include "rules.hpp"

#include <fmt/format.h>

namespace certforge::detail {
namespace {

// "#0 'CN=print' was not signed by #1's key" for each broken signature.
Finding signature_finding(const std::vector<CertInfo>& chain, const Backend& backend) {
    constexpr std::string_view id = "chain.signatures";
    std::vector<std::string> forged;
    std::vector<std::string> unchecked;
    const auto check = [&](std::size_t child, std::size_t parent) {
        std::string why;
        const auto signed_by =
            backend.certificate_signed_by(chain[child].der, chain[parent].der, why);
        if (!signed_by) {
            unchecked.push_back(fmt::format("#{}: {}", child, why));
        } else if (!*signed_by) {
            forged.push_back(
                child == parent
                    ? fmt::format("#{} '{}' names itself as issuer but its self-signature does "
                                  "not verify",
                                  child, chain[child].subject.to_string())
                    : fmt::format("#{} '{}' names #{} '{}' as issuer but was not signed by its "
                                  "key",
                                  child, chain[child].subject.to_string(), parent,
                                  chain[parent].subject.to_string()));
        }
    };
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        if (chain[i].issuer == chain[i + 1].subject) {
            check(i, i + 1);
        }
    }
    if (chain.back().self_issued()) {
        check(chain.size() - 1, chain.size() - 1);
    }
    if (!forged.empty()) {
        return fail(id, "", Severity::error,
                    fmt::format("forged or damaged signature: {}", fmt::join(forged, "; ")));
    }
    if (!unchecked.empty()) {
        return fail(id, "", Severity::warning,
                    fmt::format("not checked: {}", fmt::join(unchecked, "; ")));
    }
    return pass(id, "", "each signature verifies with its issuer's key");
}

} // namespace

std::vector<Finding> chain_findings(const std::vector<CertInfo>& chain, const Profile& profile,
                                    const Backend* signatures) {
    std::vector<Finding> out;
    if (chain.size() < 2) {
        if (signatures != nullptr && !chain.empty() && chain.front().self_issued()) {
            out.push_back(signature_finding(chain, *signatures));
        }
        return out;
    }
    if (chain.size() <= profile.certificate.max_chain_length) {
        out.push_back(pass("chain.length", "certificate.max_chain_length",
                           fmt::format("{} certificates (at most {})", chain.size(),
                                       profile.certificate.max_chain_length)));
    } else {
        out.push_back(
            fail("chain.length", "certificate.max_chain_length", Severity::error,
                 fmt::format("{} certificates; profile '{}' allows at most {}", chain.size(),
                             profile.id, profile.certificate.max_chain_length)));
    }
    std::vector<std::string> broken;
    for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
        const auto& child = chain[i];
        const auto& parent = chain[i + 1];
        const bool names_match = child.issuer == parent.subject;
        const bool ids_match = child.authority_key_id.empty() || parent.subject_key_id.empty() ||
                               child.authority_key_id == parent.subject_key_id;
        if (!names_match || !ids_match) {
            broken.push_back(fmt::format("#{} '{}' is not issued by #{} '{}'", i,
                                         child.subject.to_string(), i + 1,
                                         parent.subject.to_string()));
        }
    }
    if (broken.empty()) {
        out.push_back(pass("chain.links", "", "each certificate names the next as its issuer"));
    } else {
        out.push_back(
            fail("chain.links", "", Severity::error,
                 fmt::format("chain out of order or incomplete: {}", fmt::join(broken, "; "))));
    }
    if (signatures != nullptr) {
        out.push_back(signature_finding(chain, *signatures));
    }
    return out;
}

} // namespace certforge::detail
