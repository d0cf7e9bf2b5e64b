// SPDX-License-Identifier: Apache-2.0
#include "certforge/jks_keystore.hpp"

#include "certforge/errors.hpp"
#include "certforge/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace certforge {
namespace {

constexpr std::uint32_t kMagic = 0xFEEDFEED;
constexpr std::uint32_t kVersion = 2;
constexpr std::uint32_t kPrivateKeyTag = 1;
constexpr std::uint32_t kTrustedCertTag = 2;
constexpr std::size_t kSha1Size = 20;
// DER of AlgorithmIdentifier { 1.3.6.1.4.1.42.2.17.1.1, NULL }.
const Bytes kKeyProtectorAlgorithm{0x30, 0x0e, 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                                   0x01, 0x2a, 0x02, 0x11, 0x01, 0x01, 0x05, 0x00};
constexpr std::string_view kWhitener = "Mighty Aphrodite";

class Writer {
public:
    void u16(std::uint16_t v) { out_.insert(out_.end(), {std::uint8_t(v >> 8), std::uint8_t(v)}); }
    void u32(std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out_.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    }
    void u64(std::uint64_t v) {
        u32(static_cast<std::uint32_t>(v >> 32));
        u32(static_cast<std::uint32_t>(v));
    }
    void bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
    // Java's DataOutput.writeUTF; aliases and type names are ASCII here.
    void utf(std::string_view text) {
        u16(static_cast<std::uint16_t>(text.size()));
        bytes(as_bytes(text));
    }
    void blob(ByteView b) {
        u32(static_cast<std::uint32_t>(b.size()));
        bytes(b);
    }
    Bytes& data() { return out_; }

private:
    Bytes out_;
};

class Reader {
public:
    Reader(ByteView data, std::string_view source) : data_(data), source_(source) {}
    std::uint32_t u32() {
        const auto b = take(4);
        return (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) |
               (std::uint32_t(b[2]) << 8) | b[3];
    }
    std::uint64_t u64() {
        const std::uint64_t high = u32();
        return (high << 32) | u32();
    }
    std::string utf() {
        const auto b = take(2);
        const auto text = take(static_cast<std::size_t>((b[0] << 8) | b[1]));
        return std::string(text.begin(), text.end());
    }
    Bytes blob() {
        const auto b = take(u32());
        return Bytes(b.begin(), b.end());
    }
    ByteView take(std::size_t n) {
        if (n > data_.size() - pos_) {
            throw InputError(fmt::format("{}: the JKS file is truncated", source_));
        }
        const ByteView out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::size_t position() const { return pos_; }

private:
    ByteView data_;
    std::string_view source_;
    std::size_t pos_ = 0;
};

// Java chars of the password as big-endian bytes (BMP only: a password with
// characters beyond it is refused, as keytool's UTF-16 would differ).
SecureBytes utf16be(const SecureString& password) {
    SecureBytes out;
    for (std::size_t i = 0; i < password.size();) {
        const auto c = static_cast<unsigned char>(password[i]);
        std::uint32_t code = 0;
        std::size_t length = 1;
        if (c < 0x80) {
            code = c;
        } else if ((c & 0xe0) == 0xc0) {
            code = c & 0x1f;
            length = 2;
        } else if ((c & 0xf0) == 0xe0) {
            code = c & 0x0f;
            length = 3;
        } else {
            throw InputError("JKS passwords must use characters of the Unicode BMP only");
        }
        if (i + length > password.size()) {
            throw InputError("the password is not valid UTF-8");
        }
        for (std::size_t k = 1; k < length; ++k) {
            code = (code << 6) | (static_cast<unsigned char>(password[i + k]) & 0x3f);
        }
        out.push_back(static_cast<std::uint8_t>(code >> 8));
        out.push_back(static_cast<std::uint8_t>(code));
        i += length;
    }
    return out;
}

SecureBytes concat(std::initializer_list<ByteView> parts) {
    SecureBytes out;
    for (const auto& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

// The key protector's SHA-1 keystream over the password, started from `salt`.
SecureBytes keystream(const Backend& backend, const SecureBytes& password, ByteView salt,
                      std::size_t length) {
    SecureBytes stream;
    Bytes digest(salt.begin(), salt.end());
    while (stream.size() < length) {
        digest = backend.digest(HashAlgorithm::sha1, concat({password, digest}));
        stream.insert(stream.end(), digest.begin(),
                      digest.begin() +
                          static_cast<long>(std::min(kSha1Size, length - stream.size())));
    }
    return stream;
}

// DER length octets.
void der_length(Bytes& out, std::size_t length) {
    if (length < 0x80) {
        out.push_back(static_cast<std::uint8_t>(length));
        return;
    }
    Bytes digits;
    for (std::size_t n = length; n > 0; n >>= 8) {
        digits.insert(digits.begin(), static_cast<std::uint8_t>(n));
    }
    out.push_back(static_cast<std::uint8_t>(0x80 | digits.size()));
    out.insert(out.end(), digits.begin(), digits.end());
}

// EncryptedPrivateKeyInfo { AlgorithmIdentifier, OCTET STRING protected }.
Bytes encrypted_key_info(ByteView protected_key) {
    Bytes octets{0x04};
    der_length(octets, protected_key.size());
    octets.insert(octets.end(), protected_key.begin(), protected_key.end());
    Bytes out{0x30};
    der_length(out, kKeyProtectorAlgorithm.size() + octets.size());
    out.insert(out.end(), kKeyProtectorAlgorithm.begin(), kKeyProtectorAlgorithm.end());
    out.insert(out.end(), octets.begin(), octets.end());
    return out;
}

// The protected key bytes inside an EncryptedPrivateKeyInfo written by the
// key protector.
Bytes protected_key_of(ByteView info, std::string_view source) {
    const auto bad = [&] {
        return InputError(fmt::format("{}: a JKS key entry is not protected with the JKS key "
                                      "protector (JCEKS and PKCS#12 keystores are not JKS)",
                                      source));
    };
    std::size_t pos = 0;
    auto read_header = [&](std::uint8_t tag) -> std::size_t {
        if (pos + 2 > info.size() || info[pos] != tag) {
            throw bad();
        }
        std::size_t length = info[pos + 1];
        pos += 2;
        if (length & 0x80) {
            const std::size_t count = length & 0x7f;
            if (count > 4 || pos + count > info.size()) {
                throw bad();
            }
            length = 0;
            for (std::size_t i = 0; i < count; ++i) {
                length = (length << 8) | info[pos++];
            }
        }
        if (pos + length > info.size()) {
            throw bad();
        }
        return length;
    };
    read_header(0x30);
    const std::size_t algorithm_length = read_header(0x30);
    // The OID TLV of the key protector: 06 0a and ten bytes.
    constexpr std::size_t kOidLength = 12;
    if (algorithm_length < kOidLength ||
        !std::equal(kKeyProtectorAlgorithm.begin() + 2,
                    kKeyProtectorAlgorithm.begin() + 2 + kOidLength,
                    info.begin() + static_cast<long>(pos))) {
        throw bad();
    }
    pos += algorithm_length;
    const std::size_t length = read_header(0x04);
    return Bytes(info.begin() + static_cast<long>(pos),
                 info.begin() + static_cast<long>(pos + length));
}

[[noreturn]] void wrong_password(std::string_view source, std::string_view which) {
    throw InputError(fmt::format("{}: wrong password ({})", source, which));
}

} // namespace

bool is_jks(ByteView data) {
    return data.size() >= 4 && data[0] == 0xfe && data[1] == 0xed && data[2] == 0xfe &&
           data[3] == 0xed;
}

Bytes write_jks(Backend& backend, const JksContents& contents, const SecureString& store_password,
                const SecureString& key_password, UnixTime created) {
    std::set<std::string> aliases;
    auto check_alias = [&](const std::string& alias) {
        const std::string name = to_lower(alias);
        if (name.empty() || name.size() > 0xffff ||
            std::any_of(name.begin(), name.end(),
                        [](char c) { return static_cast<unsigned char>(c) >= 0x80 || c == 0; })) {
            throw UsageError(
                fmt::format("'{}' is not a usable JKS alias (ASCII, not empty)", alias));
        }
        if (!aliases.insert(name).second) {
            throw UsageError(fmt::format("the JKS alias '{}' is used twice", name));
        }
        return name;
    };
    const SecureBytes key_pass = utf16be(key_password);
    const SecureBytes store_pass = utf16be(store_password);
    const std::uint64_t millis = static_cast<std::uint64_t>(created) * 1000;

    Writer out;
    out.u32(kMagic);
    out.u32(kVersion);
    out.u32(static_cast<std::uint32_t>(contents.keys.size() + contents.trusted.size()));
    for (const auto& entry : contents.keys) {
        if (entry.chain.empty()) {
            throw UsageError("a JKS key entry needs its certificate chain");
        }
        const ByteView plain = entry.key.pkcs8_der();
        const Bytes salt = backend.random_bytes(kSha1Size);
        const SecureBytes stream = keystream(backend, key_pass, salt, plain.size());
        SecureBytes protected_key(salt.begin(), salt.end());
        for (std::size_t i = 0; i < plain.size(); ++i) {
            protected_key.push_back(static_cast<std::uint8_t>(plain[i] ^ stream[i]));
        }
        const Bytes check = backend.digest(HashAlgorithm::sha1, concat({key_pass, plain}));
        protected_key.insert(protected_key.end(), check.begin(), check.end());

        out.u32(kPrivateKeyTag);
        out.utf(check_alias(entry.alias));
        out.u64(millis);
        out.blob(encrypted_key_info(protected_key));
        out.u32(static_cast<std::uint32_t>(entry.chain.size()));
        for (const auto& cert : entry.chain) {
            out.utf("X.509");
            out.blob(cert);
        }
    }
    for (const auto& entry : contents.trusted) {
        out.u32(kTrustedCertTag);
        out.utf(check_alias(entry.alias));
        out.u64(millis);
        out.utf("X.509");
        out.blob(entry.certificate);
    }
    const Bytes digest =
        backend.digest(HashAlgorithm::sha1, concat({store_pass, as_bytes(kWhitener), out.data()}));
    out.bytes(digest);
    return std::move(out.data());
}

JksContents read_jks(const Backend& backend, ByteView data, const SecureString& store_password,
                     const SecureString& key_password, std::string_view source) {
    if (!is_jks(data)) {
        throw InputError(fmt::format("{}: not a JKS keystore (no 0xFEEDFEED magic)", source));
    }
    if (data.size() < 12 + kSha1Size) {
        throw InputError(fmt::format("{}: the JKS file is truncated", source));
    }
    const ByteView body = data.first(data.size() - kSha1Size);
    const SecureBytes store_pass = utf16be(store_password);
    const Bytes digest =
        backend.digest(HashAlgorithm::sha1, concat({store_pass, as_bytes(kWhitener), body}));
    if (!std::equal(digest.begin(), digest.end(), data.end() - kSha1Size)) {
        wrong_password(source, "the keystore integrity check failed");
    }
    Reader in(body, source);
    in.u32();
    if (const auto version = in.u32(); version != kVersion) {
        throw InputError(
            fmt::format("{}: JKS version {} is not supported (only 2)", source, version));
    }
    const SecureBytes key_pass = utf16be(key_password);
    JksContents contents;
    const std::uint32_t count = in.u32();
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint32_t tag = in.u32();
        const std::string alias = in.utf();
        in.u64();
        if (tag == kPrivateKeyTag) {
            const Bytes sealed = protected_key_of(in.blob(), source);
            if (sealed.size() < 2 * kSha1Size) {
                throw InputError(fmt::format("{}: a JKS key entry is truncated", source));
            }
            const ByteView salt = ByteView(sealed).first(kSha1Size);
            const ByteView cipher =
                ByteView(sealed).subspan(kSha1Size, sealed.size() - 2 * kSha1Size);
            const SecureBytes stream = keystream(backend, key_pass, salt, cipher.size());
            SecureBytes plain;
            for (std::size_t k = 0; k < cipher.size(); ++k) {
                plain.push_back(static_cast<std::uint8_t>(cipher[k] ^ stream[k]));
            }
            const Bytes check = backend.digest(HashAlgorithm::sha1, concat({key_pass, plain}));
            if (!std::equal(check.begin(), check.end(), sealed.end() - kSha1Size)) {
                wrong_password(source, fmt::format("the key of '{}' does not decrypt", alias));
            }
            JksKeyEntry entry{alias, PrivateKey(std::move(plain)), {}};
            const std::uint32_t certs = in.u32();
            for (std::uint32_t k = 0; k < certs; ++k) {
                in.utf();
                entry.chain.push_back(in.blob());
            }
            contents.keys.push_back(std::move(entry));
        } else if (tag == kTrustedCertTag) {
            in.utf();
            contents.trusted.push_back({alias, in.blob()});
        } else {
            throw InputError(fmt::format("{}: unknown JKS entry type {}", source, tag));
        }
    }
    return contents;
}

} // namespace certforge
