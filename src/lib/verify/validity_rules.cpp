// SPDX-License-Identifier: Apache-2.0
#include "rules.hpp"

#include <fmt/format.h>

namespace certforge::detail {
namespace {

constexpr UnixTime kDay = 86400;
constexpr UnixTime kExpiryWarningDays = 30;

} // namespace

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

} // namespace certforge::detail
