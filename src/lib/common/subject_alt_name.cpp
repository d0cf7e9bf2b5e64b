// SPDX-License-Identifier: Apache-2.0
#include "certforge/subject_alt_name.hpp"

#include "certforge/errors.hpp"
#include "certforge/general_names.hpp"
#include "certforge/text.hpp"
#include "lib/platform/net.hpp"

#include <cctype>
#include <fmt/format.h>

namespace certforge {
namespace {

[[noreturn]] void undecodable(std::string_view source, std::string_view why) {
    throw InputError(
        fmt::format("{}: the subjectAltName extension cannot be decoded ({})", source, why));
}

struct Tlv {
    std::uint8_t tag = 0;
    ByteView content;
};

// The DER TLV at the front of `in` (one-byte tag, definite length); `in`
// moves past it.
Tlv next_tlv(ByteView& in, std::string_view source) {
    if (in.size() < 2) {
        undecodable(source, "truncated");
    }
    const std::uint8_t tag = in[0];
    if ((tag & 0x1f) == 0x1f) {
        undecodable(source, "a tag number above 30");
    }
    std::size_t header = 2;
    std::size_t length = in[1];
    if (length == 0x80) {
        undecodable(source, "an indefinite length");
    }
    if (length > 0x80) {
        const std::size_t count = length & 0x7f;
        if (count > 4 || in.size() < header + count) {
            undecodable(source, "a bad length");
        }
        length = 0;
        for (std::size_t i = 0; i < count; ++i) {
            length = (length << 8) | in[header + i];
        }
        header += count;
    }
    if (in.size() - header < length) {
        undecodable(source, "truncated");
    }
    const Tlv tlv{tag, in.subspan(header, length)};
    in = in.subspan(header + length);
    return tlv;
}

constexpr std::uint8_t kContextClass = 0x80;
constexpr std::uint8_t kConstructed = 0x20;
constexpr std::uint8_t kDnsNameTag = kContextClass | 2;
constexpr std::uint8_t kIpAddressTag = kContextClass | 7;

} // namespace

GeneralNames read_general_names(ByteView der, NamePolicy policy, std::string_view source) {
    ByteView rest = der;
    const Tlv sequence = next_tlv(rest, source);
    if (sequence.tag != 0x30) {
        undecodable(source, "not a SEQUENCE");
    }
    if (!rest.empty()) {
        undecodable(source, fmt::format("{} bytes after the SEQUENCE", rest.size()));
    }
    GeneralNames out;
    ByteView entries = sequence.content;
    while (!entries.empty()) {
        const Tlv name = next_tlv(entries, source);
        const unsigned number = name.tag & 0x1f;
        if ((name.tag & 0xc0) != kContextClass || number > 8) {
            undecodable(source, fmt::format("an entry with tag 0x{:02x}", name.tag));
        }
        const auto primitive_tag = static_cast<std::uint8_t>(name.tag & ~kConstructed);
        if (name.tag != primitive_tag &&
            (primitive_tag == kDnsNameTag || primitive_tag == kIpAddressTag)) {
            undecodable(source, fmt::format("a constructed [{}] entry", number));
        }
        if (name.tag == kDnsNameTag) {
            out.names.push_back({SanType::dns, read_dns_name(name.content, policy, source)});
            continue;
        }
        std::string ip = name.tag == kIpAddressTag ? format_ip_address(name.content) : "";
        if (ip.empty()) {
            ++out.others;
        } else {
            out.names.push_back({SanType::ip, std::move(ip)});
        }
    }
    return out;
}

std::optional<Bytes> parse_ip_address(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) {
        return std::nullopt;
    }
    const std::string copy(text);
    Bytes v4(4);
    if (::inet_pton(AF_INET, copy.c_str(), v4.data()) == 1) {
        return v4;
    }
    Bytes v6(16);
    if (::inet_pton(AF_INET6, copy.c_str(), v6.data()) == 1) {
        return v6;
    }
    return std::nullopt;
}

std::string format_ip_address(ByteView address) {
    char buffer[INET6_ADDRSTRLEN] = {};
    const int family = address.size() == 4 ? AF_INET : address.size() == 16 ? AF_INET6 : 0;
    if (family == 0 || ::inet_ntop(family, address.data(), buffer, sizeof buffer) == nullptr) {
        return {};
    }
    return buffer;
}

std::optional<std::string> hostname_problem(std::string_view name) {
    if (name.empty()) {
        return "the name is empty";
    }
    if (name.size() > 253) {
        return fmt::format("the name is {} characters long (at most 253)", name.size());
    }
    if (name.find('*') != std::string_view::npos) {
        return "wildcards are not supported: name every host and IP the devices use";
    }
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = name.find('.', start);
        const std::string_view label = name.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty()) {
            return "the name has an empty label (two dots in a row, or a leading or trailing dot)";
        }
        if (label.size() > 63) {
            return fmt::format("the label '{}' is longer than 63 characters", label);
        }
        for (char c : label) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
                return fmt::format("the character '{}' is not allowed in a host name", c);
            }
        }
        if (label.front() == '-' || label.back() == '-') {
            return fmt::format("the label '{}' starts or ends with a hyphen", label);
        }
        if (dot == std::string_view::npos) {
            break;
        }
        start = dot + 1;
    }
    return std::nullopt;
}

SubjectAltName parse_san(std::string_view spec) {
    const std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos) {
        throw InputError(fmt::format(
            "SAN '{}' has no type: write dns:NAME or ip:ADDRESS (e.g. dns:print.corp.local)",
            spec));
    }
    const std::string type = to_lower(spec.substr(0, colon));
    const std::string_view value = spec.substr(colon + 1);
    if (type == "dns") {
        if (auto problem = hostname_problem(value)) {
            throw InputError(fmt::format("SAN '{}' is not a valid host name: {}", spec, *problem));
        }
        return {SanType::dns, to_lower(value)};
    }
    if (type == "ip") {
        const auto bytes = parse_ip_address(value);
        if (!bytes) {
            throw InputError(fmt::format("SAN '{}' is not a valid IPv4 or IPv6 address", spec));
        }
        return {SanType::ip, format_ip_address(*bytes)};
    }
    throw InputError(fmt::format("SAN '{}' has unknown type '{}': use dns: or ip:", spec,
                                 spec.substr(0, colon)));
}

std::string to_string(const SubjectAltName& san) {
    return fmt::format("{}:{}", san.type == SanType::ip ? "ip" : "dns", san.value);
}

SubjectAltName san_for_common_name(std::string_view cn) {
    if (const auto bytes = parse_ip_address(cn)) {
        return {SanType::ip, format_ip_address(*bytes)};
    }
    if (auto problem = hostname_problem(cn)) {
        throw InputError(
            fmt::format("CN '{}' is neither a host name nor an IP address: {}", cn, *problem));
    }
    return {SanType::dns, to_lower(cn)};
}

} // namespace certforge
