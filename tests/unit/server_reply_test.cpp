// SPDX-License-Identifier: Apache-2.0
// classify_reply and describe: what the probe says about the first bytes a
// server sent, from any bytes.
#include "certforge/probe.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace certforge;

namespace {

ServerReply classify(const std::string& bytes) {
    return classify_reply(as_bytes(bytes));
}

bool printable_line(const std::string& text) {
    for (const char c : text) {
        if (c < 0x20 || c > 0x7e) {
            return false;
        }
    }
    return true;
}

} // namespace

TEST_CASE("probe reply: TLS records are told from the rest", "[probe-reply]") {
    CHECK(classify("").kind == ReplyKind::nothing);
    CHECK(describe(classify("")) == "it closed each connection without answering");
    CHECK(classify(std::string("\x15\x03\x03\x00\x02\x02\x28", 7)).kind == ReplyKind::tls);
    CHECK(classify(std::string("\x16\x03\x01\x00\x4a\x02", 6)).kind == ReplyKind::tls);
    CHECK(classify("\x16").kind == ReplyKind::tls);
    CHECK(classify("\x16\x03").kind == ReplyKind::tls);
    CHECK(describe(classify(std::string("\x16\x03\x03\x40\x00", 5))) ==
          "it answered with a TLS record: 16 03 03 40 00");
    CHECK(classify(std::string("\x16\x03\x03\x00\x00", 5)).kind == ReplyKind::other);
    CHECK(classify("\x16\x05").kind == ReplyKind::other);
    CHECK(classify("\x16\x03\x05").kind == ReplyKind::other);
    CHECK(classify("\x17\x03\x03\xff\xff").kind == ReplyKind::other);
    CHECK(classify(std::string("\x19\x03\x03\x00\x01", 5)).kind == ReplyKind::other);
}

TEST_CASE("probe reply: text answers are quoted, cut and never carry control characters",
          "[probe-reply]") {
    const auto http = classify("HTTP/1.1 400 Bad Request\r\nServer: x\r\n\r\n");
    CHECK(http.kind == ReplyKind::http);
    CHECK(http.text);
    CHECK(describe(http) == "it answered \"HTTP/1.1 400 Bad Request\"");
    CHECK(classify("HTT").kind == ReplyKind::http);

    const auto ssh = classify("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    CHECK(ssh.kind == ReplyKind::other);
    CHECK(describe(ssh) == "it answered \"SSH-2.0-OpenSSH_9.2p1 Debian-2\"");

    const auto long_line = classify(std::string(60, 'a') + "\n");
    CHECK(long_line.excerpt == std::string(40, 'a') + "...");

    const auto escape = classify("220 mfp\x1b[2J ready\r\n");
    CHECK_FALSE(escape.text);
    CHECK(
        describe(escape) ==
        "it answered bytes that are not TLS: 32 32 30 20 6d 66 70 1b 5b 32 4a 20 72 65 61 64 ...");
    CHECK(describe(classify(std::string("\x8f\x00\x07", 3))) ==
          "it answered bytes that are not TLS: 8f 00 07");
    CHECK(describe(classify("\r\nabc")) == "it answered bytes that are not TLS: 0d 0a 61 62 63");

    // Only the first kReplyCapture bytes count.
    const auto beyond = classify(std::string(kReplyCapture, 'x') + "\x1b");
    CHECK(beyond.text);
    CHECK(beyond.excerpt == std::string(40, 'x') + "...");
}

TEST_CASE("probe reply: every one- and two-byte answer gives one printable line", "[probe-reply]") {
    for (unsigned value = 0; value < 65536 + 256; ++value) {
        std::string bytes;
        if (value < 256) {
            bytes.push_back(static_cast<char>(value));
        } else {
            bytes.push_back(static_cast<char>((value - 256) >> 8));
            bytes.push_back(static_cast<char>((value - 256) & 0xff));
        }
        const std::string line = describe(classify(bytes));
        if (!printable_line(line) || line.size() > 120) {
            FAIL("answer " << to_hex(as_bytes(bytes)) << " gives '" << line << "'");
        }
    }
}
