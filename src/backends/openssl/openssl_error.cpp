// SPDX-License-Identifier: Apache-2.0
#include "openssl_error.hpp"

#include "certforge/errors.hpp"

#include <fmt/format.h>
#include <openssl/err.h>

namespace certforge::openssl {

std::string drain_error_queue() {
    std::string out;
    unsigned long code = 0;
    while ((code = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        if (!out.empty()) {
            out += "; ";
        }
        const char* reason = ERR_reason_error_string(code);
        out += reason != nullptr ? reason : buffer;
    }
    return out;
}

void throw_crypto_error(std::string_view what) {
    const std::string queue = drain_error_queue();
    throw CryptoError(queue.empty() ? std::string(what)
                                    : fmt::format("{}: OpenSSL: {}", what, queue));
}

} // namespace certforge::openssl
