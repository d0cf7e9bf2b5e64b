#include "certforge/dn_text.hpp"

#include "certforge/errors.hpp"
#include "certforge/oids.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD

bool seven_bit_type(int tag) {
    return tag == kTagPrintableString || tag == kTagIa5String || tag == kTagNumericString;
}

// "a PrintableString", "an IA5String", "a GeneralString".
std::string type_phrase(int tag) {
    switch (tag) {
    case kTagUtf8String:
        return "a UTF8String";
    case kTagNumericString:
        return "a NumericString";
    case kTagPrintableString:
        return "a PrintableString";
    case kTagTeletexString:
        return "a TeletexString";
    case kTagIa5String:
        return "an IA5String";
    case kTagUniversalString:
        return "a UniversalString";
    case kTagBmpString:
        return "a BMPString";
    case 21:
        return "a VideotexString";
    case 25:
        return "a GraphicString";
    case 26:
        return "a VisibleString";
    case 27:
        return "a GeneralString";
    default:
        return {};
    }
}

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

bool surrogate(char32_t c) {
    return c >= 0xD800 && c <= 0xDFFF;
}

// The length of the valid UTF-8 sequence at `at`, or 0 with `bad` set to the
// offset of the first byte that makes it invalid (content.size() when the
// sequence is cut short).
std::size_t utf8_sequence(ByteView content, std::size_t at, std::size_t& bad) {
    const std::uint8_t lead = content[at];
    std::size_t length = 0;
    std::uint8_t low = 0x80;
    std::uint8_t high = 0xBF;
    if (lead < 0x80) {
        return 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;  // no overlong forms
        high = lead == 0xED ? 0x9F : 0xBF; // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;  // no overlong forms
        high = lead == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
    } else {
        bad = at;
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (at + i >= content.size()) {
            bad = content.size();
            return 0;
        }
        const std::uint8_t byte = content[at + i];
        if (byte < (i == 1 ? low : 0x80) || byte > (i == 1 ? high : 0xBF)) {
            bad = at + i;
            return 0;
        }
    }
    return length;
}

std::uint32_t big_endian(ByteView content, std::size_t at, std::size_t size) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < size; ++i) {
        value = (value << 8) | content[at + i];
    }
    return value;
}

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

// "req.csr: the subject's CN".
std::string name_field(std::string_view source, std::string_view whose,
                       std::string_view attribute) {
    return fmt::format("{}: the {}'s {}", source, whose, attribute);
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

DnStringType dn_string_type(int tag) {
    switch (tag) {
    case kTagUtf8String:
        return DnStringType::utf8;
    case kTagPrintableString:
        return DnStringType::printable;
    case kTagIa5String:
        return DnStringType::ia5;
    case kTagTeletexString:
        return DnStringType::teletex;
    case kTagBmpString:
        return DnStringType::bmp;
    case kTagUniversalString:
        return DnStringType::universal;
    default:
        return DnStringType::other;
    }
}

std::optional<std::string> dn_string_problem(int tag, ByteView content) {
    if (seven_bit_type(tag)) {
        for (std::size_t i = 0; i < content.size(); ++i) {
            if (content[i] > 0x7F) {
                return fmt::format("{} with a byte that is not 7-bit ASCII (0x{:02X} at offset {})",
                                   type_phrase(tag), content[i], i);
            }
        }
        return std::nullopt;
    }
    switch (tag) {
    case kTagTeletexString:
        return std::nullopt;
    case kTagUtf8String:
        for (std::size_t i = 0; i < content.size();) {
            std::size_t bad = 0;
            const std::size_t length = utf8_sequence(content, i, bad);
            if (length == 0) {
                if (bad == content.size()) {
                    return "a UTF8String that is not valid UTF-8 (it ends inside a character)";
                }
                return fmt::format(
                    "a UTF8String that is not valid UTF-8 (byte 0x{:02X} at offset {})",
                    content[bad], bad);
            }
            i += length;
        }
        return std::nullopt;
    case kTagBmpString:
        if (content.size() % 2 != 0) {
            return fmt::format("a BMPString of odd length ({} bytes): not UCS-2", content.size());
        }
        for (std::size_t i = 0; i < content.size(); i += 2) {
            const char32_t c = big_endian(content, i, 2);
            if (surrogate(c)) {
                return fmt::format(
                    "a BMPString with a UTF-16 surrogate (0x{:04X} at offset {}): not UCS-2",
                    static_cast<std::uint32_t>(c), i);
            }
        }
        return std::nullopt;
    case kTagUniversalString:
        if (content.size() % 4 != 0) {
            return fmt::format("a UniversalString of {} bytes, not a multiple of 4: not UCS-4",
                               content.size());
        }
        for (std::size_t i = 0; i < content.size(); i += 4) {
            const char32_t c = big_endian(content, i, 4);
            if (c > 0x10FFFF) {
                return fmt::format("a UniversalString with a value above U+10FFFF (0x{:08X} at "
                                   "offset {}): not UCS-4",
                                   static_cast<std::uint32_t>(c), i);
            }
            if (surrogate(c)) {
                return fmt::format(
                    "a UniversalString with a UTF-16 surrogate (0x{:08X} at offset {}): not UCS-4",
                    static_cast<std::uint32_t>(c), i);
            }
        }
        return std::nullopt;
    default:
        break;
    }
    const std::string phrase = type_phrase(tag);
    if (!phrase.empty()) {
        return fmt::format("{}, a string type certforge does not read", phrase);
    }
    if (tag < 0) {
        return "not a string";
    }
    return fmt::format("not a string (ASN.1 tag {})", tag);
}

std::string dn_string_to_utf8_lossy(int tag, ByteView content) {
    std::string out;
    out.reserve(content.size());
    if (seven_bit_type(tag)) {
        for (const std::uint8_t byte : content) {
            if (byte > 0x7F) {
                out += kReplacement;
            } else {
                out += static_cast<char>(byte);
            }
        }
        return out;
    }
    switch (tag) {
    case kTagTeletexString:
        for (const std::uint8_t byte : content) {
            append_utf8(out, byte);
        }
        return out;
    case kTagUtf8String:
        for (std::size_t i = 0; i < content.size();) {
            std::size_t bad = 0;
            const std::size_t length = utf8_sequence(content, i, bad);
            if (length == 0) {
                out += kReplacement;
                i = bad == i ? i + 1 : bad;
            } else {
                out.append(reinterpret_cast<const char*>(content.data() + i), length);
                i += length;
            }
        }
        return out;
    case kTagBmpString:
    case kTagUniversalString: {
        const std::size_t unit = tag == kTagBmpString ? 2 : 4;
        std::size_t i = 0;
        for (; i + unit <= content.size(); i += unit) {
            const char32_t c = big_endian(content, i, unit);
            if (c > 0x10FFFF || surrogate(c)) {
                out += kReplacement;
            } else {
                append_utf8(out, c);
            }
        }
        if (i != content.size()) {
            out += kReplacement;
        }
        return out;
    }
    default:
        return std::string(kReplacement);
    }
}

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
