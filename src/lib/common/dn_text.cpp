// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"

#include "certforge/errors.hpp"
#include "certforge/oids.hpp"
#include "lib/common/dn_strings.hpp"

#include <fmt/format.h>

namespace certforge {
using detail::kReplacement;
using detail::seven_bit_type;

namespace {

// "req.csr: the subject's CN".
std::string name_field(std::string_view source, std::string_view whose,
                       std::string_view attribute) {
    return fmt::format("{}: the {}'s {}", source, whose, attribute);
}

} // namespace

std::string read_name_string(int tag, ByteView content, NamePolicy policy, std::string_view field) {
    if (const auto problem = dn_string_problem(tag, content)) {
        if (policy == NamePolicy::request || !seven_bit_type(tag)) {
            throw InputError(fmt::format("{} is {}", field, *problem));
        }
        return dn_string_to_utf8_lossy(tag, content);
    }
    std::string text = dn_string_to_utf8_lossy(tag, content);
    if (policy == NamePolicy::request && has_control_characters(text)) {
        throw InputError(
            fmt::format("{} '{}' has control characters", field, escape_control(text)));
    }
    return text;
}

DnAttribute read_dn_attribute(std::string_view dotted_oid, int tag, ByteView content,
                              NamePolicy policy, std::string_view source, std::string_view whose) {
    std::string name = dn_attribute_name(dotted_oid);
    std::string text = read_name_string(tag, content, policy, name_field(source, whose, name));
    return {std::move(name), std::move(text), dn_string_type(tag)};
}

std::string read_dns_name(ByteView content, NamePolicy policy, std::string_view source) {
    return read_name_string(kTagIa5String, content, policy,
                            fmt::format("{}: the subjectAltName dNSName", source));
}

bool has_control_characters(std::string_view text) {
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> parsed_name_problem(std::string_view text, DnStringType type) {
    if (has_control_characters(text)) {
        return "has control characters";
    }
    const bool seven_bit =
        type == DnStringType::printable || type == DnStringType::ia5 || type == DnStringType::other;
    if (seven_bit && text.find(kReplacement) != std::string_view::npos) {
        return fmt::format("had bytes that are not 7-bit ASCII, which its {} cannot carry "
                           "(shown as U+FFFD)",
                           type == DnStringType::other ? "string type" : to_string(type));
    }
    return std::nullopt;
}

std::string excerpt(std::string_view text, std::size_t limit) {
    return text.size() > limit ? escape_control(text.substr(0, limit)) + "..."
                               : escape_control(text);
}

std::string escape_control(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\\') {
            out += "\\\\";
        } else if (byte < 0x20 || byte == 0x7F) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace certforge
