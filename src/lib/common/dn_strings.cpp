// SPDX-License-Identifier: Apache-2.0
#include "lib/common/dn_strings.hpp"

#include "certforge/dn_text.hpp"

#include <fmt/format.h>

namespace certforge {
namespace detail {

bool seven_bit_type(int tag) {
    return tag == kTagPrintableString || tag == kTagIa5String || tag == kTagNumericString;
}

} // namespace detail

using detail::kReplacement;
using detail::seven_bit_type;

namespace {

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

} // namespace certforge
