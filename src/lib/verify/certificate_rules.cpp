#include "certforge/backend.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/text.hpp"
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge::detail {
namespace {

constexpr UnixTime kDay = 86400;
constexpr UnixTime kExpiryWarningDays = 30;

Finding pass(std::string_view rule, std::string_view key, std::string message) {
    return {std::string(rule), Outcome::pass, Severity::info, std::move(message), std::string(key)};
}

Finding fail(std::string_view rule, std::string_view key, Severity severity, std::string message) {
    return {std::string(rule), Outcome::fail, severity, std::move(message), std::string(key)};
}

std::string hash_list(const Profile& profile) {
    std::vector<std::string_view> names;
    for (auto h : profile.signature.hashes) {
        names.push_back(to_string(h));
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

Finding check_version(const RuleContext& c) {
    constexpr std::string_view id = "certificate.version", key = "certificate.version";
    if (c.cert.version == static_cast<int>(c.profile.certificate.version)) {
        return pass(id, key, fmt::format("X.509 v{}", c.cert.version));
    }
    return fail(id, key, Severity::error,
                fmt::format("X.509 v{}, profile requires v{}", c.cert.version,
                            c.profile.certificate.version));
}

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

Finding check_validity_length(const RuleContext& c) {
    constexpr std::string_view id = "validity.length";
    const bool ca = c.role == CertificateRole::ca;
    const std::string_view key = ca ? "ca.max_days" : "validity.max_days";
    const unsigned max_days = ca ? c.profile.ca.max_days : c.profile.validity.max_days;
    const UnixTime length = c.cert.not_after - c.cert.not_before;
    const double days = static_cast<double>(length) / static_cast<double>(kDay);
    if (length < 0) {
        return fail(id, key, Severity::error, "notAfter is before notBefore");
    }
    if (length <= static_cast<UnixTime>(max_days) * kDay) {
        return pass(id, key, fmt::format("valid for {:.1f} days (at most {})", days, max_days));
    }
    return fail(id, key, Severity::error,
                fmt::format("valid for {:.1f} days; profile '{}' allows at most {}", days,
                            c.profile.id, max_days));
}

Finding check_validity_now(const RuleContext& c) {
    constexpr std::string_view id = "validity.current", key = "";
    if (c.now < c.cert.not_before) {
        return fail(id, key, Severity::error,
                    fmt::format("not valid yet: notBefore is {}", format_utc(c.cert.not_before)));
    }
    if (c.now > c.cert.not_after) {
        return fail(id, key, Severity::error,
                    fmt::format("expired: notAfter was {}", format_utc(c.cert.not_after)));
    }
    const UnixTime days_left = (c.cert.not_after - c.now) / kDay;
    if (days_left < kExpiryWarningDays) {
        return fail(
            id, key, Severity::warning,
            fmt::format("expires in {} days ({})", days_left, format_utc(c.cert.not_after)));
    }
    return pass(
        id, key,
        fmt::format("valid now, until {} ({} days left)", format_utc(c.cert.not_after), days_left));
}

std::vector<std::string> san_texts(const CertInfo& cert) {
    std::vector<std::string> out;
    for (const auto& san : cert.subject_alt_names) {
        out.push_back(to_string(san));
    }
    return out;
}

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

Finding check_key_usage(const RuleContext& c) {
    constexpr std::string_view id = "extensions.key-usage";
    const bool ca = c.role == CertificateRole::ca;
    const std::string_view key = ca ? "ca.key_usage" : "extensions.key_usage";
    const KeyUsageSet required = ca ? c.profile.ca.key_usage : c.profile.extensions.key_usage;
    if (!c.cert.key_usage) {
        if (required == 0) {
            return pass(id, key, "no keyUsage extension (none required)");
        }
        return fail(id, key, Severity::error,
                    fmt::format("no keyUsage extension; profile requires {}",
                                fmt::join(key_usage_names(required), ", ")));
    }
    const KeyUsageSet present = c.cert.key_usage->bits;
    const KeyUsageSet missing = static_cast<KeyUsageSet>(required & ~present);
    if (missing != 0) {
        return fail(id, key, Severity::error,
                    fmt::format("keyUsage lacks {} (has: {})",
                                fmt::join(key_usage_names(missing), ", "),
                                fmt::join(key_usage_names(present), ", ")));
    }
    const KeyUsageSet ca_bits =
        key_usage_flag(KeyUsageBit::key_cert_sign) | key_usage_flag(KeyUsageBit::crl_sign);
    if (!ca && (present & ca_bits) != 0) {
        return fail(id, key, Severity::warning,
                    fmt::format("keyUsage of a server certificate includes CA bits ({})",
                                fmt::join(key_usage_names(present & ca_bits), ", ")));
    }
    return pass(id, key, fmt::format("keyUsage: {}", fmt::join(key_usage_names(present), ", ")));
}

Finding check_extended_key_usage(const RuleContext& c) {
    constexpr std::string_view id = "extensions.extended-key-usage",
                               key = "extensions.extended_key_usage";
    const auto& required = c.profile.extensions.extended_key_usage;
    std::vector<std::string> present_names;
    if (c.cert.extended_key_usage) {
        for (const auto& oid : c.cert.extended_key_usage->oids) {
            present_names.push_back(eku_display_name(oid));
        }
    }
    if (!c.cert.extended_key_usage) {
        if (required.empty()) {
            return pass(id, key, "no extendedKeyUsage extension (none required)");
        }
        std::vector<std::string> names;
        for (const auto& oid : required) {
            names.push_back(eku_display_name(oid));
        }
        return fail(id, key, Severity::error,
                    fmt::format("no extendedKeyUsage extension; profile requires {}",
                                fmt::join(names, ", ")));
    }
    std::vector<std::string> missing;
    for (const auto& oid : required) {
        const auto& oids = c.cert.extended_key_usage->oids;
        if (std::find(oids.begin(), oids.end(), oid) == oids.end()) {
            missing.push_back(eku_display_name(oid));
        }
    }
    if (!missing.empty()) {
        return fail(id, key, Severity::error,
                    fmt::format("extendedKeyUsage lacks {} (has: {})", fmt::join(missing, ", "),
                                fmt::join(present_names, ", ")));
    }
    return pass(id, key, fmt::format("extendedKeyUsage: {}", fmt::join(present_names, ", ")));
}

Finding check_basic_constraints(const RuleContext& c) {
    constexpr std::string_view id = "extensions.basic-constraints";
    const auto& bc = c.cert.basic_constraints;
    if (c.role == CertificateRole::ca) {
        constexpr std::string_view key = "ca.path_length";
        if (!bc || !bc->ca) {
            return fail(id, key, Severity::error,
                        "a CA certificate without basicConstraints CA:TRUE");
        }
        if (!bc->critical) {
            return fail(id, key, Severity::warning, "basicConstraints CA:TRUE is not critical");
        }
        return pass(id, key,
                    bc->path_length ? fmt::format("CA:TRUE, pathlen:{}", *bc->path_length)
                                    : std::string("CA:TRUE"));
    }
    constexpr std::string_view key = "extensions.basic_constraints";
    if (bc && bc->ca) {
        return fail(id, key, Severity::error, "a server certificate marked CA:TRUE");
    }
    if (!bc && c.profile.extensions.basic_constraints) {
        return fail(id, key, Severity::warning,
                    "no basicConstraints extension (expected CA:FALSE)");
    }
    return pass(id, key, bc ? "CA:FALSE" : "no basicConstraints (not required)");
}

Finding check_serial(const RuleContext& c) {
    constexpr std::string_view id = "serial.size", key = "serial.min_bytes";
    const std::size_t size = c.cert.serial.size();
    if (c.cert.serial_negative || size == 0) {
        return fail(id, key, Severity::error,
                    "the serial number is not positive (RFC 5280 4.1.2.2)");
    }
    if (size > 20) {
        return fail(id, key, Severity::error,
                    fmt::format("the serial number is {} bytes (RFC 5280 allows 20)", size));
    }
    if (size < c.profile.serial.min_bytes) {
        return fail(id, key, Severity::error,
                    fmt::format("the serial number is {} bytes; profile wants at least {}", size,
                                c.profile.serial.min_bytes));
    }
    return pass(id, key, fmt::format("serial number of {} bytes", size));
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

} // namespace

const std::vector<Rule>& certificate_rules() {
    static const std::vector<Rule> rules{
        {"certificate.version", true, true, check_version},
        {"signature.hash", true, true, check_signature_hash},
        {"key.algorithm", true, true, check_key_algorithm},
        {"key.size", true, true, check_key_size},
        {"validity.length", true, true, check_validity_length},
        {"validity.current", true, true, check_validity_now},
        {"san.present", true, false, check_san_present},
        {"san.covers-cn", true, false, check_san_covers_cn},
        {"san.ip", true, false, check_ip_san},
        {"extensions.key-usage", true, true, check_key_usage},
        {"extensions.extended-key-usage", true, false, check_extended_key_usage},
        {"extensions.basic-constraints", true, true, check_basic_constraints},
        {"serial.size", true, true, check_serial},
        {"names.characters", true, true, check_name_characters},
    };
    return rules;
}

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

std::string extension_display_name(const std::string& oid) {
    static const std::vector<std::pair<std::string_view, std::string_view>> names{
        {"2.5.29.14", "subjectKeyIdentifier"},   {"2.5.29.15", "keyUsage"},
        {"2.5.29.17", "subjectAltName"},         {"2.5.29.19", "basicConstraints"},
        {"2.5.29.35", "authorityKeyIdentifier"}, {"2.5.29.37", "extendedKeyUsage"},
    };
    for (const auto& [known, name] : names) {
        if (oid == known) {
            return fmt::format("{} ({})", name, oid);
        }
    }
    return oid;
}

} // namespace

std::optional<Finding> duplicate_extensions_finding(const CertInfo& cert) {
    if (cert.duplicate_extensions.empty()) {
        return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto& oid : cert.duplicate_extensions) {
        names.push_back(extension_display_name(oid));
    }
    const bool one = names.size() == 1;
    return fail("extensions.unique", "", Severity::error,
                fmt::format("the {} {} {} more than once: RFC 5280 4.2 allows each extension "
                            "once (the first is the one checked)",
                            one ? "extension" : "extensions", fmt::join(names, ", "),
                            one ? "occurs" : "occur"));
}

Finding server_role_finding(const CertInfo& cert) {
    return fail("certificate.role", "", Severity::warning,
                fmt::format("'{}' is {}marked CA:TRUE, as `openssl req -x509` makes certificates "
                            "by default: it is checked as the server certificate it is used as",
                            cert.subject.to_string(),
                            cert.self_issued() ? "self-signed and " : ""));
}

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
