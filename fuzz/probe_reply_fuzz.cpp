// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: certforge::classify_reply and certforge::describe on any
// bytes, as a server might send them in answer to the probe's ClientHello.
// Besides crashes and sanitizer reports, it aborts when the contract of
// probe.hpp breaks: the line for the user must be printable ASCII and short,
// and only the first kReplyCapture bytes may matter.
#include "certforge/probe.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const certforge::ByteView bytes(data, size);
    const certforge::ServerReply reply = certforge::classify_reply(bytes);
    const std::string line = certforge::describe(reply);
    if (line.empty() || line.size() > 120) {
        std::abort();
    }
    for (const char c : line) {
        if (c < 0x20 || c > 0x7e) {
            std::abort();
        }
    }
    if ((reply.kind == certforge::ReplyKind::nothing) != (size == 0)) {
        std::abort();
    }
    if (size > certforge::kReplyCapture) {
        const certforge::ServerReply head =
            certforge::classify_reply(bytes.first(certforge::kReplyCapture));
        if (head.kind != reply.kind || head.excerpt != reply.excerpt || head.text != reply.text) {
            std::abort();
        }
    }
    return 0;
}
