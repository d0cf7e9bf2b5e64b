// SPDX-License-Identifier: Apache-2.0
// Containers that carry keys and certificates to the Terminal Server and the
// devices: PKCS#12 (PFX) and PKCS#7 certs-only (.p7b). Written and read
// through OpenSSL; a build without the OpenSSL backend has none.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

// A private key and its chain, leaf first.
struct KeyAndChain {
    std::optional<PrivateKey> key;
    std::vector<Bytes> chain;
};

inline constexpr int kDefaultPkcs12Iterations = 2048;
// The most key-derivation or MAC iterations a PKCS#12 file may ask for to be
// read: Windows refuses more than this, and each one costs a hash, so a
// file asking for 2^31 would hold a core for minutes.
inline constexpr std::int64_t kMaxPkcs12Iterations = 600'000;

struct Pkcs12Options {
    // aes: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates,
    //      SHA-256 MAC;
    // triple_des: pbeWithSHA1And3-KeyTripleDES-CBC for both, SHA-1 MAC;
    // rc2: pbeWithSHA1And40BitRC2-CBC for the certificates, 3DES for the
    //      key, SHA-1 MAC (the `openssl pkcs12 -legacy` layout).
    Pkcs12Encryption encryption = Pkcs12Encryption::triple_des;
    std::string friendly_name = "certforge";
    int iterations = kDefaultPkcs12Iterations; // key derivation and MAC
};

// What protects a PKCS#12 file, as read back.
struct Pkcs12Protection {
    std::string key_encryption;             // OpenSSL short names: "PBE-SHA1-3DES",
                                            // "PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC"
    std::string certificate_encryption;     // "" when the certificates are not encrypted
    std::optional<Pkcs12Encryption> scheme; // which of certforge's three it matches, if any
    std::string mac;                        // "sha1", "sha256", ... or "" for none
    int mac_iterations = 0;
    std::string friendly_name;
};

class ContainerCodec {
public:
    virtual ~ContainerCodec() = default;

    // A PFX holding the key and the whole chain. An empty password is
    // written as such (the caller decides whether it is allowed).
    virtual Bytes write_pkcs12(const KeyAndChain& contents, const SecureString& password,
                               const Pkcs12Options& options) = 0;
    // The key and chain (leaf first) of a PFX, and how it is protected.
    // `password` is asked only once the file has parsed as PKCS#12; an empty
    // one is tried in both encodings other tools write (none at all, and an
    // empty BMPString). Throws InputError "wrong password" (naming `source`)
    // when the MAC or decryption fails, and InputError for a file that is
    // not PKCS#12, whose iteration counts exceed kMaxPkcs12Iterations, or
    // whose key cannot be loaded.
    virtual KeyAndChain read_pkcs12(ByteView der, const std::function<SecureString()>& password,
                                    std::string_view source, Pkcs12Protection* protection) = 0;

    // A degenerate SignedData carrying the certificates in order.
    virtual Bytes write_pkcs7(const std::vector<Bytes>& certificates) = 0;
    virtual std::vector<Bytes> read_pkcs7(ByteView der, std::string_view source) = 0;
};

// The codec of this build. Throws UsageError saying that PKCS#12 and PKCS#7
// need the OpenSSL backend when it was not built.
std::unique_ptr<ContainerCodec> make_container_codec();

} // namespace certforge
