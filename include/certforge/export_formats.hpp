// SPDX-License-Identifier: Apache-2.0
// The one vocabulary of file formats: `export --format`, `make --formats`
// and a sites file's `formats` all name formats from this table, and one
// encoder writes each, so a format means the same bytes wherever it is
// asked for. Older spellings stay accepted as aliases ("pem-bundle",
// "bundle").
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"
#include "certforge/containers.hpp"
#include "certforge/output_set.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

enum class ExportFormat : unsigned {
    pfx,
    pfx_3des,
    pfx_rc2,
    jks,
    truststore_jks,
    p7b,
    der,
    pem,
    pem_chain,
    import_bundle,
};

struct ExportFormatInfo {
    ExportFormat format;
    std::string_view name;        // the spelling certforge prints
    std::string_view alias;       // an older spelling still accepted; "" when none
    std::string_view description; // one line, for --help and the summary
    std::string_view set_file;    // its file in a make/batch set; "" when not part of one
    FileMode mode;                // the file's mode (import-bundle: 0600 when it holds keys)
    bool needs_key;               // carries the private key
    bool needs_password;          // is protected by a password
    bool needs_codec;             // written by the OpenSSL container codec
    bool single_file;             // `export` writes it from a key and chain alone
};

// Every format, in the order --help lists them.
std::span<const ExportFormatInfo> export_formats();

const ExportFormatInfo& export_format(ExportFormat format);

// The format named `name` (its name or alias). Throws UsageError listing
// the names when there is none.
const ExportFormatInfo& find_export_format(std::string_view name);

// True for the three PKCS#12 formats.
bool is_pfx(ExportFormat format);

// The PKCS#12 encryption a format asks for: "aes", "3des", "rc2", or ""
// for `pfx` when the Terminal Server's host profile is to choose.
std::string_view pfx_request(ExportFormat format, bool server_os_given);

// The optional files of a make/batch set, beside server.key, server.crt,
// chain.pem and ca.crt, which are always written. Default: pfx and
// import-bundle.
class ServerFormats {
public:
    ServerFormats();
    // Throws UsageError naming a format that is unknown or not part of a set
    // (and what to use instead).
    explicit ServerFormats(const std::vector<std::string>& names);
    static ServerFormats none();

    bool has(ExportFormat format) const { return (bits_ & bit(format)) != 0; }
    void add(ExportFormat format) { bits_ |= bit(format); }
    void remove(ExportFormat format) { bits_ &= ~bit(format); }

    // The canonical names, in table order.
    std::vector<std::string> names() const;

private:
    explicit ServerFormats(unsigned bits) : bits_(bits) {}
    static unsigned bit(ExportFormat format) { return 1U << static_cast<unsigned>(format); }
    unsigned bits_;
};

// What the encoder needs beyond the key and chain.
struct ExportSettings {
    SecureString password;        // the PFX's or JKS's (store and key alike)
    std::string alias = "server"; // PFX friendly name, JKS key alias
    Pkcs12Encryption pfx_encryption = Pkcs12Encryption::aes; // for `pfx`
    ContainerCodec* codec = nullptr;                         // for the PKCS#12 and PKCS#7 formats
    UnixTime now = 0;                                        // the JKS entries' creation time
};

// The bytes of `format` (a single_file one) holding `input`: the key where
// the format carries one (input.key must be set then), the chain leaf first.
// pfx-3des and pfx-rc2 use their own encryption, pfx settings.pfx_encryption.
// A JKS holds the key entry (settings.alias) with its chain and each CA as a
// trusted entry "ca", "ca-2", ...; truststore-jks only the CAs (the leaf
// when it is alone). Throws UsageError when the format needs the codec and
// settings.codec is null.
Bytes encode_export(ExportFormat format, const KeyAndChain& input, const ExportSettings& settings,
                    Backend& backend);

} // namespace certforge
