// SPDX-License-Identifier: Apache-2.0
// A build without p11-kit (certforge.exe): a CA key on a token is refused
// with the reason.
#include "certforge/errors.hpp"
#include "certforge/token_key.hpp"

namespace certforge {

void check_token_key_uri(std::string_view) {
    throw UsageError("this certforge was built without PKCS#11 (p11-kit), so its CA key can only "
                     "be a file");
}

PrivateKey open_token_key(std::string_view uri, const TokenPin&) {
    check_token_key_uri(uri);
    throw InternalError("unreachable");
}

PrivateKey generate_token_key(std::string_view uri, unsigned, ByteView, const TokenPin&) {
    check_token_key_uri(uri);
    throw InternalError("unreachable");
}

} // namespace certforge
