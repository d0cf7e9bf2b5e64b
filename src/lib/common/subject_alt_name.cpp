#include "certforge/errors.hpp"
#include "certforge/names.hpp"
#include "certforge/text.hpp"

#include <arpa/inet.h>
#include <cctype>
#include <fmt/format.h>

namespace certforge {

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
