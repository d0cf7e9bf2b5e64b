// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/text.hpp"
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge::detail {
namespace {

std::vector<std::string> san_texts(const CertInfo& cert) {
    std::vector<std::string> out;
    for (const auto& san : cert.subject_alt_names) {
        out.push_back(to_string(san));
    }
    return out;
}

} // namespace

Finding check_san_present(const RuleContext& c) {
    constexpr std::string_view id = "san.present", key = "subject.require_san";
    if (!c.cert.subject_alt_names.empty()) {
        return pass(id, key, fmt::format("subjectAltName: {}", fmt::join(san_texts(c.cert), ", ")));
    }
    if (!c.profile.subject.require_san) {
        return pass(id, key, "no DNS or IP subjectAltName (the profile does not require one)");
    }
    return fail(id, key, Severity::error,
                c.cert.has_subject_alt_name
                    ? "subjectAltName holds no DNS name or IP address"
                    : "no subjectAltName: clients that check names will refuse the certificate");
}

Finding check_san_covers_cn(const RuleContext& c) {
    constexpr std::string_view id = "san.covers-cn", key = "subject.cn_in_san";
    const auto cn = c.cert.subject.common_name();
    if (!cn) {
        return pass(id, key, "no CN in the subject");
    }
    std::optional<SubjectAltName> wanted;
    if (const auto ip = parse_ip_address(*cn)) {
        wanted = SubjectAltName{SanType::ip, format_ip_address(*ip)};
    } else {
        wanted = SubjectAltName{SanType::dns, to_lower(*cn)};
    }
    const bool covered =
        std::any_of(c.cert.subject_alt_names.begin(), c.cert.subject_alt_names.end(),
                    [&](const SubjectAltName& san) {
                        return san.type == wanted->type &&
                               (san.type == SanType::ip ? san.value == wanted->value
                                                        : to_lower(san.value) == wanted->value);
                    });
    if (covered) {
        return pass(id, key, fmt::format("CN '{}' is in the subjectAltName", *cn));
    }
    return fail(id, key, c.profile.subject.cn_in_san ? Severity::error : Severity::warning,
                fmt::format("CN '{}' is not in the subjectAltName: clients that use the SAN "
                            "will not match it",
                            *cn));
}

Finding check_ip_san(const RuleContext& c) {
    constexpr std::string_view id = "san.ip", key = "subject.require_ip_san";
    const bool has_ip =
        std::any_of(c.cert.subject_alt_names.begin(), c.cert.subject_alt_names.end(),
                    [](const SubjectAltName& s) { return s.type == SanType::ip; });
    if (has_ip) {
        return pass(id, key, "has an IP address SAN");
    }
    if (!c.profile.subject.require_ip_san) {
        return pass(id, key, "no IP address SAN (the profile does not require one)");
    }
    return fail(id, key, Severity::error,
                fmt::format("no IP address SAN; profile '{}' requires one", c.profile.id));
}

// Control characters in the subject or a subjectAltName, and bytes that a
// 7-bit string type could not carry (U+FFFD after parsing, see dn_text.hpp).
Finding check_name_characters(const RuleContext& c) {
    constexpr std::string_view id = "names.characters", key = "";
    std::vector<std::string> problems;
    for (const auto& attribute : c.cert.subject.attributes) {
        if (const auto problem = parsed_name_problem(attribute.value, attribute.string_type)) {
            problems.push_back(
                fmt::format("the subject's {} '{}' {}", attribute.type, attribute.value, *problem));
        }
    }
    for (const auto& san : c.cert.subject_alt_names) {
        if (const auto problem = parsed_name_problem(san.value, DnStringType::ia5)) {
            problems.push_back(fmt::format("the SAN '{}' {}", to_string(san), *problem));
        }
    }
    if (problems.empty()) {
        return pass(id, key, "the subject and the subjectAltNames are plain text");
    }
    return fail(id, key, Severity::error, fmt::format("{}", fmt::join(problems, "; ")));
}

} // namespace certforge::detail
