// SPDX-License-Identifier: Apache-2.0
#include "certforge/der_framing.hpp"

#include "certforge/errors.hpp"

#include <fmt/format.h>
#include <optional>

namespace certforge {
namespace {

struct Header {
    std::size_t size = 0;   // tag and length octets
    std::size_t length = 0; // content octets; 0 with `indefinite`
    bool indefinite = false;
};

// The header at `at`, or nullopt when it runs past the end.
std::optional<Header> read_header(ByteView data, std::size_t at) {
    std::size_t pos = at;
    if (pos >= data.size()) {
        return std::nullopt;
    }
    if ((data[pos++] & 0x1f) == 0x1f) {
        while (pos < data.size() && (data[pos] & 0x80) != 0) {
            ++pos;
        }
        ++pos;
    }
    if (pos >= data.size()) {
        return std::nullopt;
    }
    Header header;
    const std::uint8_t first = data[pos++];
    if (first == 0x80) {
        header.indefinite = true;
    } else if ((first & 0x80) == 0) {
        header.length = first;
    } else {
        const std::size_t count = first & 0x7f;
        if (count > sizeof(std::size_t) || pos + count > data.size()) {
            return std::nullopt;
        }
        for (std::size_t i = 0; i < count; ++i) {
            header.length = (header.length << 8) | data[pos++];
        }
    }
    header.size = pos - at;
    return header;
}

// Where the BER object at `at` ends, following indefinite lengths down to
// their end-of-contents octets (at most `depth` levels); nullopt when it
// does not end inside the input.
std::optional<std::size_t> object_end(ByteView data, std::size_t at, unsigned depth) {
    const auto header = read_header(data, at);
    if (!header || depth == 0) {
        return std::nullopt;
    }
    std::size_t pos = at + header->size;
    if (!header->indefinite) {
        if (header->length > data.size() - pos) {
            return std::nullopt;
        }
        return pos + header->length;
    }
    while (pos + 2 <= data.size()) {
        if (data[pos] == 0 && data[pos + 1] == 0) {
            return pos + 2;
        }
        const auto next = object_end(data, pos, depth - 1);
        if (!next) {
            return std::nullopt;
        }
        pos = *next;
    }
    return std::nullopt;
}

} // namespace

void require_one_der_object(ByteView der, DerRule rule, std::string_view what,
                            std::string_view source) {
    const auto fail = [&](std::string_view why) {
        throw InputError(fmt::format("{}: {} is not one DER object ({})", source, what, why));
    };
    if (der.empty()) {
        fail("no bytes");
    }
    const auto header = read_header(der, 0);
    if (!header) {
        fail("cut short in its header");
    }
    if (header->indefinite && rule == DerRule::strict) {
        fail("an indefinite length, which is BER, not DER");
    }
    const auto end = object_end(der, 0, 64);
    if (!end) {
        fail("cut short: its declared length runs past the end");
    }
    if (*end != der.size()) {
        fail(fmt::format("{} more bytes after its end", der.size() - *end));
    }
}

} // namespace certforge
