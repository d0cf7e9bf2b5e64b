// SPDX-License-Identifier: Apache-2.0
// OpenSSL's thread-local error queue as text for our errors.
#pragma once

#include "certforge/bytes.hpp"

#include <string>
#include <string_view>

namespace certforge::openssl {

// Takes every queued OpenSSL error, "reason (lib:func)" joined with "; ", and
// empties the queue.
std::string drain_error_queue();

// Throws CryptoError "what: <queue>".
[[noreturn]] void throw_crypto_error(std::string_view what);

// Throws CryptoError when `ok` is false; returns nothing otherwise.
inline void check(bool ok, std::string_view what) {
    if (!ok) {
        throw_crypto_error(what);
    }
}

// The DER encoding of `object` by its OpenSSL i2d function `encode`
// (i2d_X509, ...). Throws CryptoError "cannot encode <what>" on failure.
template <class Out = Bytes, class T, class Encode>
Out to_der(T* object, Encode encode, std::string_view what) {
    const int length = encode(object, nullptr);
    if (length <= 0) {
        throw_crypto_error(std::string("cannot encode ") + std::string(what));
    }
    Out der(static_cast<std::size_t>(length));
    unsigned char* out = der.data();
    if (encode(object, &out) != length) {
        throw_crypto_error(std::string("cannot encode ") + std::string(what));
    }
    return der;
}

} // namespace certforge::openssl
