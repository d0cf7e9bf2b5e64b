// OpenSSL's thread-local error queue as text for our errors.
#pragma once

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

} // namespace certforge::openssl
