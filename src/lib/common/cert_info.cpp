// SPDX-License-Identifier: Apache-2.0
#include "certforge/cert_info.hpp"

#include <algorithm>
#include <cctype>
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
    std::string hex = info.serial.empty() ? std::string("00") : to_hex(info.serial);
    std::transform(hex.begin(), hex.end(), hex.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return info.serial_negative ? "-" + hex : hex;
}

std::string sha256_hex(const CertInfo& info) {
    return to_hex(info.sha256_fingerprint);
}

std::string format_utc(UnixTime time) {
    const std::time_t t = static_cast<std::time_t>(time);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

} // namespace certforge
