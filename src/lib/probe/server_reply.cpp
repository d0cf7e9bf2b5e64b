// SPDX-License-Identifier: Apache-2.0
#include "certforge/probe.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace {

constexpr std::size_t kExcerptChars = 40;
constexpr std::size_t kExcerptHexBytes = 16;
// The largest TLSCiphertext: 2^14 bytes plus 2048 of expansion.
constexpr unsigned kMaxRecordLength = 16384 + 2048;

bool printable(std::uint8_t byte) {
    return byte >= 0x20 && byte <= 0x7e;
}

// True when the bytes can be the start of a TLS (or SSL 3.0) record:
// content type change_cipher_spec .. heartbeat, version 3.0 .. 3.4, a
// length a record may have. Checks only the bytes present.
bool tls_record_start(ByteView bytes) {
    if (bytes.empty() || bytes[0] < 20 || bytes[0] > 24) {
        return false;
    }
    if (bytes.size() >= 2 && bytes[1] != 3) {
        return false;
    }
    if (bytes.size() >= 3 && bytes[2] > 4) {
        return false;
    }
    if (bytes.size() >= 5) {
        const unsigned length = (static_cast<unsigned>(bytes[3]) << 8) | bytes[4];
        return length > 0 && length <= kMaxRecordLength;
    }
    return true;
}

// Sets the reply's excerpt: the first line as text if it is printable,
// else the first bytes in hex.
void set_excerpt(ServerReply& reply, ByteView bytes) {
    const auto end = std::find_if(bytes.begin(), bytes.end(),
                                  [](std::uint8_t b) { return b == '\r' || b == '\n'; });
    const ByteView line(bytes.begin(), end);
    if (!line.empty() && std::all_of(line.begin(), line.end(), printable)) {
        reply.text = true;
        reply.excerpt.assign(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                              line.size(), kExcerptChars)));
        if (line.size() > kExcerptChars) {
            reply.excerpt += "...";
        }
        return;
    }
    const ByteView head = bytes.first(std::min(bytes.size(), kExcerptHexBytes));
    reply.excerpt = to_hex(head, " ");
    if (bytes.size() > head.size()) {
        reply.excerpt += " ...";
    }
}

} // namespace

ServerReply classify_reply(ByteView first_bytes) {
    const ByteView bytes = first_bytes.first(std::min(first_bytes.size(), kReplyCapture));
    ServerReply reply;
    if (bytes.empty()) {
        return reply;
    }
    constexpr std::string_view http = "HTTP/";
    const std::size_t compared = std::min(bytes.size(), http.size());
    if (tls_record_start(bytes)) {
        reply.kind = ReplyKind::tls;
    } else if (std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(compared),
                          http.begin())) {
        reply.kind = ReplyKind::http;
    } else {
        reply.kind = ReplyKind::other;
    }
    set_excerpt(reply, bytes);
    return reply;
}

std::string describe(const ServerReply& reply) {
    switch (reply.kind) {
    case ReplyKind::nothing:
        return "it closed each connection without answering";
    case ReplyKind::tls:
        return fmt::format("it answered with a TLS record: {}", reply.excerpt);
    case ReplyKind::http:
    case ReplyKind::other:
        break;
    }
    if (reply.text) {
        return fmt::format("it answered \"{}\"", reply.excerpt);
    }
    return fmt::format("it answered bytes that are not TLS: {}", reply.excerpt);
}

} // namespace certforge
