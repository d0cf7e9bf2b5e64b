// SPDX-License-Identifier: Apache-2.0
// PEM armour (RFC 7468): Base64 between BEGIN/END lines. Encoding only; no
// cryptography happens here.
#pragma once

#include "certforge/bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

struct PemBlock {
    std::string label; // e.g. "CERTIFICATE", "PRIVATE KEY"
    Bytes der;
};

// Armours DER bytes with the given label, 64 characters a line, LF endings.
std::string pem_encode(std::string_view label, ByteView der);
// The same for secrets: the result wipes itself.
SecureString pem_encode_secret(std::string_view label, ByteView der);

// Base64 text (line breaks and blanks ignored) as bytes; nullopt when it
// is not Base64 or decodes to nothing.
std::optional<Bytes> base64_decode(std::string_view text);

// True when the text holds a "-----BEGIN " line.
bool contains_pem(std::string_view text);

// Every PEM block in the text, in order. Text outside the blocks is ignored
// (as openssl does). Throws InputError naming `source` when a block is
// unterminated, its Base64 is invalid, or there is no block at all.
std::vector<PemBlock> pem_decode_all(std::string_view text, std::string_view source);

// The single block with `label` (e.g. "PRIVATE KEY"), decoded into wiping
// memory. Throws InputError naming `source` if there is none.
SecureBytes pem_decode_secret(std::string_view text, std::string_view label,
                              std::string_view source);

} // namespace certforge
