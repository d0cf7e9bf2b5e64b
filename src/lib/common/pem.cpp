// SPDX-License-Identifier: Apache-2.0
#include "certforge/pem.hpp"

#include "certforge/errors.hpp"

#include <array>
#include <fmt/format.h>

namespace certforge {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kEnd = "-----END ";
constexpr std::string_view kDashes = "-----";

constexpr std::array<int, 256> make_decode_table() {
    std::array<int, 256> table{};
    for (auto& v : table) {
        v = -1;
    }
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
    }
    return table;
}
constexpr auto kDecode = make_decode_table();

template <class String> String encode(std::string_view label, ByteView der) {
    String out;
    out.reserve(der.size() * 4 / 3 + der.size() / 48 + 2 * label.size() + 40);
    out.append(kBegin).append(label).append(kDashes).append("\n");
    std::size_t line = 0;
    for (std::size_t i = 0; i < der.size(); i += 3) {
        const std::uint32_t b0 = der[i];
        const std::uint32_t b1 = i + 1 < der.size() ? der[i + 1] : 0;
        const std::uint32_t b2 = i + 2 < der.size() ? der[i + 2] : 0;
        const std::uint32_t triple = (b0 << 16) | (b1 << 8) | b2;
        out += kAlphabet[(triple >> 18) & 63];
        out += kAlphabet[(triple >> 12) & 63];
        out += i + 1 < der.size() ? kAlphabet[(triple >> 6) & 63] : '=';
        out += i + 2 < der.size() ? kAlphabet[triple & 63] : '=';
        line += 4;
        if (line == 64) {
            out += '\n';
            line = 0;
        }
    }
    if (line != 0) {
        out += '\n';
    }
    out.append(kEnd).append(label).append(kDashes).append("\n");
    return out;
}

// Decodes the Base64 body between the armour lines into `out`; false when it
// is not valid Base64.
template <class Out> bool decode_body(std::string_view body, Out& out) {
    std::uint32_t accumulator = 0;
    int bits = 0;
    std::size_t padding = 0;
    std::size_t symbols = 0;
    for (char c : body) {
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
            continue;
        }
        if (c == '=') {
            ++padding;
            ++symbols;
            continue;
        }
        const int value = kDecode[static_cast<unsigned char>(c)];
        if (value < 0 || padding > 0) {
            return false;
        }
        ++symbols;
        accumulator = (accumulator << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>((accumulator >> bits) & 0xff));
        }
    }
    secure_wipe(&accumulator, sizeof accumulator);
    return symbols % 4 == 0 && padding <= 2 && !out.empty();
}

struct RawBlock {
    std::string label;
    std::string_view body;
};

// Finds the armoured blocks. Throws on an unterminated block.
std::vector<RawBlock> find_blocks(std::string_view text, std::string_view source) {
    std::vector<RawBlock> blocks;
    std::size_t pos = 0;
    while ((pos = text.find(kBegin, pos)) != std::string_view::npos) {
        const std::size_t label_start = pos + kBegin.size();
        const std::size_t label_end = text.find(kDashes, label_start);
        const std::size_t line_end = text.find('\n', label_start);
        if (label_end == std::string_view::npos ||
            (line_end != std::string_view::npos && label_end > line_end)) {
            throw InputError(fmt::format("{}: malformed PEM BEGIN line", source));
        }
        std::string label(text.substr(label_start, label_end - label_start));
        const std::string end_line = fmt::format("{}{}{}", kEnd, label, kDashes);
        const std::size_t body_start = label_end + kDashes.size();
        const std::size_t end = text.find(end_line, body_start);
        if (end == std::string_view::npos) {
            throw InputError(
                fmt::format("{}: PEM block '{}' is truncated (no END line)", source, label));
        }
        blocks.push_back({std::move(label), text.substr(body_start, end - body_start)});
        pos = end + end_line.size();
    }
    return blocks;
}

} // namespace

std::optional<Bytes> base64_decode(std::string_view text) {
    Bytes out;
    if (!decode_body(text, out)) {
        return std::nullopt;
    }
    return out;
}

std::string pem_encode(std::string_view label, ByteView der) {
    return encode<std::string>(label, der);
}

SecureString pem_encode_secret(std::string_view label, ByteView der) {
    return encode<SecureString>(label, der);
}

bool contains_pem(std::string_view text) {
    return text.find(kBegin) != std::string_view::npos;
}

std::vector<PemBlock> pem_decode_all(std::string_view text, std::string_view source) {
    std::vector<PemBlock> out;
    for (auto& raw : find_blocks(text, source)) {
        PemBlock block{std::move(raw.label), {}};
        if (!decode_body(raw.body, block.der)) {
            throw InputError(
                fmt::format("{}: PEM block '{}' has invalid Base64 content", source, block.label));
        }
        out.push_back(std::move(block));
    }
    if (out.empty()) {
        throw InputError(fmt::format("{}: no PEM block found", source));
    }
    return out;
}

SecureBytes pem_decode_secret(std::string_view text, std::string_view label,
                              std::string_view source) {
    for (const auto& raw : find_blocks(text, source)) {
        if (raw.label != label) {
            continue;
        }
        SecureBytes der;
        if (!decode_body(raw.body, der)) {
            throw InputError(
                fmt::format("{}: PEM block '{}' has invalid Base64 content", source, label));
        }
        return der;
    }
    throw InputError(fmt::format("{}: no '{}' PEM block found", source, label));
}

} // namespace certforge
