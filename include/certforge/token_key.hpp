// SPDX-License-Identifier: Apache-2.0
// CA keys on PKCS#11 tokens (smart cards, HSMs, SoftHSM), named by RFC 7512
// URIs: "pkcs11:token=Print%20CA;object=ca-2026?module-path=/usr/lib/...".
// The module is the URI's module-path, else every module p11-kit has
// registered (module-name= is refused). The PIN is never in the URI.
// A key on a token is an RSA key that signs there (ExternalKey); it never
// leaves the token.
#pragma once

#include "certforge/backend.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace certforge {

// Asked once, when the token needs a login, for the PIN of the token
// labelled `token`.
using TokenPin = std::function<SecureString(std::string_view token)>;

// True when `text` is meant as a PKCS#11 URI (starts with "pkcs11:").
inline bool is_token_key_uri(std::string_view text) {
    return text.starts_with("pkcs11:");
}

// Checks a key URI without loading a module: it parses, names a key
// (object= or id=) and carries no PIN (pin-value, pin-source). Throws
// UsageError saying which.
void check_token_key_uri(std::string_view uri);

// The one private key the URI names, logged in with `pin` when the token
// asks. Throws InputError when no module loads, no token or several match,
// no key or several match, the key is not RSA, or the PIN is refused; each
// error is one line that names the URI.
PrivateKey open_token_key(std::string_view uri, const TokenPin& pin);

// Makes an RSA key pair of `bits` on the token the URI names, labelled with
// its object= (and given its id=, else `new_id`): private, sensitive, not
// extractable, for signing only. Throws InputError when the token already
// holds a private key the URI names, or when the token refuses.
PrivateKey generate_token_key(std::string_view uri, unsigned bits, ByteView new_id,
                              const TokenPin& pin);

} // namespace certforge
