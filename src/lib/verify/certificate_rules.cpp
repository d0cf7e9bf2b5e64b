// SPDX-License-Identifier: Apache-2.0
#include "rules.hpp"

#include <fmt/format.h>

namespace certforge::detail {

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

Finding check_version(const RuleContext& c) {
    constexpr std::string_view id = "certificate.version", key = "certificate.version";
    if (c.cert.version == static_cast<int>(c.profile.certificate.version)) {
        return pass(id, key, fmt::format("X.509 v{}", c.cert.version));
    }
    return fail(id, key, Severity::error,
                fmt::format("X.509 v{}, profile requires v{}", c.cert.version,
                            c.profile.certificate.version));
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

Finding server_role_finding(const CertInfo& cert) {
    return fail("certificate.role", "", Severity::warning,
                fmt::format("'{}' is {}marked CA:TRUE, as `openssl req -x509` makes certificates "
                            "by default: it is checked as the server certificate it is used as",
                            cert.subject.to_string(),
                            cert.self_issued() ? "self-signed and " : ""));
}

} // namespace certforge::detail
