// SPDX-License-Identifier: Apache-2.0
// Java KeyStore (JKS, magic 0xFEEDFEED, version 2), written and read by
// certforge itself: no C++ library handles it. Private keys are protected
// with Sun's key protector (SHA-1 keystream, OID 1.3.6.1.4.1.42.2.17.1.1);
// the store ends with SHA-1(password as UTF-16BE, "Mighty Aphrodite",
// contents). The hashes come from the backend. Checked against keytool.
#pragma once

#include "certforge/backend.hpp"

#include <string>
#include <vector>

namespace certforge {

struct JksKeyEntry {
    std::string alias;
    PrivateKey key;
    std::vector<Bytes> chain; // leaf first
};

struct JksTrustedEntry {
    std::string alias;
    Bytes certificate;
};

struct JksContents {
    std::vector<JksKeyEntry> keys;
    std::vector<JksTrustedEntry> trusted;
};

// Aliases are stored in lower case, as keytool does. Throws UsageError for
// an empty or duplicate alias.
Bytes write_jks(Backend& backend, const JksContents& contents, const SecureString& store_password,
                const SecureString& key_password, UnixTime created);

// Checks the store digest with `store_password` and decrypts each key with
// `key_password`. Throws InputError "wrong password" when either check
// fails, and InputError for a file that is not JKS.
JksContents read_jks(const Backend& backend, ByteView data, const SecureString& store_password,
                     const SecureString& key_password, std::string_view source);

// True when the data starts with the JKS magic number.
bool is_jks(ByteView data);

} // namespace certforge
