// SPDX-License-Identifier: Apache-2.0
// One-time SCEP challenges: made here, stored hashed in the ledger.
#include "certforge/backend.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/scep_service.hpp"

#include <fmt/format.h>

namespace certforge {

std::string scep_secret_sha256(const Backend& backend, std::string_view secret) {
    return to_hex(backend.digest(HashAlgorithm::sha256, as_bytes(secret)));
}

NewScepChallenge make_scep_challenge(CaLedger& ledger, Backend& backend, ScepChallenge request,
                                     UnixTime now) {
    if (request.uses_left < 1) {
        throw UsageError("a challenge needs at least one use");
    }
    if (request.expires_at <= now) {
        throw UsageError("a challenge must be valid for some time");
    }
    Bytes random = backend.random_bytes(16);
    constexpr std::string_view kDigits = "0123456789ABCDEF";
    SecureString secret;
    for (const std::uint8_t byte : random) {
        secret.push_back(kDigits[byte >> 4]);
        secret.push_back(kDigits[byte & 0x0f]);
    }
    secure_wipe(random.data(), random.size());
    request.id = to_hex(backend.random_bytes(4));
    request.created_at = now;
    ledger.add_scep_challenge(request, scep_secret_sha256(backend, secret), now);
    return {std::move(secret), std::move(request)};
}

} // namespace certforge
