// SPDX-License-Identifier: Apache-2.0
#include "rules.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge::detail {
namespace {

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

} // namespace certforge::detail
