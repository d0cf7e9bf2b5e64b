// SPDX-License-Identifier: Apache-2.0
#include "certforge/cert_info.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <fmt/format.h>

namespace certforge {

std::string_view to_string(DnStringType type) {
    switch (type) {
    case DnStringType::utf8:
        return "UTF8String";
    case DnStringType::printable:
        return "PrintableString";
    case DnStringType::ia5:
        return "IA5String";
    case DnStringType::teletex:
        return "TeletexString";
    case DnStringType::bmp:
        return "BMPString";
    case DnStringType::universal:
        return "UniversalString";
    case DnStringType::other:
        break;
    }
    return "other";
}

std::optional<std::string> DistinguishedName::common_name() const {
    for (const auto& attribute : attributes) {
        if (attribute.type == "CN") {
            return attribute.value;
        }
    }
    return std::nullopt;
}

std::string DistinguishedName::to_string() const {
    std::string out;
    for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
        if (!out.empty()) {
            out += ',';
        }
        out += it->type;
        out += '=';
        for (std::size_t i = 0; i < it->value.size(); ++i) {
            const char c = it->value[i];
            const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' ||
                                 c == '>' || c == ';' || c == '=' ||
                                 (i == 0 && (c == ' ' || c == '#')) ||
                                 (i + 1 == it->value.size() && c == ' ');
            if (special) {
                out += '\\';
            }
            out += c;
        }
    }
    return out;
}

std::string serial_hex(const CertInfo& info) {
    const std::string hex = info.serial.empty() ? std::string("00") : to_upper_hex(info.serial);
    return info.serial_negative ? "-" + hex : hex;
}

std::string sha256_hex(const CertInfo& info) {
    return to_hex(info.sha256_fingerprint);
}

UnixTime to_unix_time(const UtcFields& fields) {
    using namespace std::chrono;
    const sys_days day = year{fields.year} / month{static_cast<unsigned>(fields.month)} /
                         static_cast<unsigned>(fields.day);
    return static_cast<UnixTime>(day.time_since_epoch() / seconds{1}) + fields.hour * 3600LL +
           fields.minute * 60LL + fields.second;
}

UtcFields to_utc_fields(UnixTime time) {
    using namespace std::chrono;
    const sys_seconds at{seconds{time}};
    const sys_days day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss clock{at - day};
    return {static_cast<int>(date.year()),
            static_cast<int>(static_cast<unsigned>(date.month())),
            static_cast<int>(static_cast<unsigned>(date.day())),
            static_cast<int>(clock.hours().count()),
            static_cast<int>(clock.minutes().count()),
            static_cast<int>(clock.seconds().count())};
}

UnixTime unix_now() {
    return static_cast<UnixTime>(std::time(nullptr));
}

std::string format_utc(UnixTime time) {
    const UtcFields utc = to_utc_fields(time);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.year, utc.month, utc.day,
                       utc.hour, utc.minute, utc.second);
}

} // namespace certforge
