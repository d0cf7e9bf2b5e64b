// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

// A minimal DER reader for check_names_before_decoding: one TLV with a one-byte
// identifier and a definite length.
struct Tlv {
    std::uint8_t identifier = 0;
    ByteView content;
};

std::optional<Tlv> next_tlv(ByteView& in) {
    if (in.size() < 2 || (in[0] & 0x1F) == 0x1F) {
        return std::nullopt;
    }
    std::size_t length = in[1];
    std::size_t header = 2;
    if (length & 0x80) {
        const std::size_t count = length & 0x7F;
        if (count == 0 || count > 4 || in.size() < 2 + count) {
            return std::nullopt;
        }
        length = 0;
        for (std::size_t i = 0; i < count; ++i) {
            length = (length << 8) | in[2 + i];
        }
        header += count;
    }
    if (in.size() - header < length) {
        return std::nullopt;
    }
    Tlv tlv{in[0], in.subspan(header, length)};
    in = in.subspan(header + length);
    return tlv;
}

std::optional<Tlv> next_tlv(ByteView& in, std::uint8_t identifier) {
    auto tlv = next_tlv(in);
    if (!tlv || tlv->identifier != identifier) {
        return std::nullopt;
    }
    return tlv;
}

// The dotted form of an OBJECT IDENTIFIER's content; empty when malformed.
std::string dotted_oid(ByteView content) {
    std::string out;
    std::uint64_t value = 0;
    bool first = true;
    for (std::size_t i = 0; i < content.size(); ++i) {
        if (value > (UINT64_MAX >> 7)) {
            return {};
        }
        value = (value << 7) | (content[i] & 0x7F);
        if (content[i] & 0x80) {
            continue;
        }
        if (first) {
            const std::uint64_t arc = value < 40 ? 0 : value < 80 ? 1 : 2;
            out = fmt::format("{}.{}", arc, value - arc * 40);
            first = false;
        } else {
            out += fmt::format(".{}", value);
        }
        value = 0;
    }
    return (content.empty() || (content.back() & 0x80)) ? std::string() : out;
}

// The universal tag number of a primitive universal value, else -1.
int universal_tag(std::uint8_t identifier) {
    return (identifier & 0xE0) == 0 ? identifier & 0x1F : -1;
}

// Reads every attribute of a Name's content under `policy` (throwing as
// read_dn_attribute does); stops quietly where the DER is not a Name.
void check_name(ByteView name, NamePolicy policy, std::string_view source, std::string_view whose) {
    while (!name.empty()) {
        auto rdn = next_tlv(name, 0x31);
        if (!rdn) {
            return;
        }
        while (!rdn->content.empty()) {
            auto attribute = next_tlv(rdn->content, 0x30);
            if (!attribute) {
                return;
            }
            const auto oid = next_tlv(attribute->content, 0x06);
            const auto value = next_tlv(attribute->content);
            if (!oid || !value || dotted_oid(oid->content).empty()) {
                return;
            }
            read_dn_attribute(dotted_oid(oid->content), universal_tag(value->identifier),
                              value->content, policy, source, whose);
        }
    }
}

} // namespace

void check_names_before_decoding(ByteView der, NamePolicy policy, std::string_view source) {
    auto outer = next_tlv(der, 0x30);
    if (!outer) {
        return;
    }
    auto info = next_tlv(outer->content, 0x30);
    if (!info) {
        return;
    }
    ByteView fields = info->content;
    if (policy == NamePolicy::request) {
        const auto version = next_tlv(fields, 0x02);
        const auto subject = version ? next_tlv(fields, 0x30) : std::nullopt;
        if (subject) {
            check_name(subject->content, policy, source, "subject");
        }
        return;
    }
    auto serial = next_tlv(fields);
    if (serial && serial->identifier == 0xA0) {
        serial = next_tlv(fields);
    }
    if (!serial || serial->identifier != 0x02 || !next_tlv(fields, 0x30)) {
        return;
    }
    const auto issuer = next_tlv(fields, 0x30);
    const auto validity = issuer ? next_tlv(fields, 0x30) : std::nullopt;
    const auto subject = validity ? next_tlv(fields, 0x30) : std::nullopt;
    if (subject) {
        check_name(subject->content, policy, source, "subject");
    }
    if (issuer) {
        check_name(issuer->content, policy, source, "issuer");
    }
}

} // namespace certforge
