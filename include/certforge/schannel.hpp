// SPDX-License-Identifier: Apache-2.0
// The Windows side of a TLS fix: SChannel and .NET registry settings, written
// as .reg files the way regedit writes them, with an undo file that puts
// the Windows defaults back.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

enum class TlsVersion { ssl3, tls1_0, tls1_1, tls1_2, tls1_3 };

// "ssl3", "tls1.0", ... (as in profiles), and SChannel's key names
// ("SSL 3.0", "TLS 1.0", ...), and .NET SecurityProtocolType names ("Ssl3",
// "Tls", "Tls11", "Tls12", "Tls13").
std::string_view to_string(TlsVersion version);
std::string_view schannel_key_name(TlsVersion version);
std::string_view dotnet_name(TlsVersion version);
std::optional<TlsVersion> tls_version_from_name(std::string_view name);
// The versions' SChannel names, "TLS 1.0, TLS 1.2"; "none" for no version.
std::string schannel_key_names(const std::vector<TlsVersion>& versions);

enum class SchannelSide { client, server, both };

struct SchannelChange {
    std::vector<TlsVersion> enable;
    std::vector<TlsVersion> disable;
    SchannelSide side = SchannelSide::both;
    std::optional<unsigned> dh_client_min_bits; // KeyExchangeAlgorithms\Diffie-Hellman
    bool disable_dh = false;
    bool dotnet_strong_crypto = false; // SchUseStrongCrypto, SystemDefaultTlsVersions

    // No version enabled or disabled, no DH setting, no .NET setting.
    bool changes_nothing() const {
        return enable.empty() && disable.empty() && !dh_client_min_bits && !disable_dh &&
               !dotnet_strong_crypto;
    }
};

// A change as JSON: {enable, disable (version names), side, dh_min_bits
// (null when not set), disable_dh, dotnet_strong_crypto}, as a probe
// report's schannel_fix and `certforge schannel --json` carry it.
nlohmann::json to_json(const SchannelChange& change);

// What a probe report (`certforge probe --json`, schema certforge.probe/N)
// asks of SChannel.
struct ProbeSchannelFix {
    // The report's schannel_fix; empty when the probe found nothing that a
    // registry change would fix.
    std::optional<SchannelChange> change;
    // Without a change: the Windows versions (host profiles' `os`) the
    // report's diagnosis is for, and the failure cases it found there (none
    // of them fixed in the registry).
    std::vector<std::string> server_os;
    std::vector<std::string> cases;
};

// Reads a probe report from its JSON text, which may be any bytes.
// `source` names it (the file) in errors. Throws InputError, one line
// naming `source` and the JSON key, for text that is not JSON, a report of
// an endpoint that does not speak TLS ("speaks_tls": false), a missing key,
// a wrong type or a value out of range: side is client, server or both,
// versions are known and none both enabled and disabled, dh_min_bits is a
// whole number from 512 to 8192 (or null), and the fix changes something.
// Without a schannel_fix, the diagnosis must be for one Windows version,
// or find no case at all.
ProbeSchannelFix schannel_change_from_probe(std::string_view json_text, std::string_view source);

// Why each part of the change is risky, one line each; empty when none is.
// (A DH minimum under 1024 bits weakens the server; disabling DH is
// machine-wide; disabling a protocol can cut off other devices; SSL 3.0 is
// broken.)
std::vector<std::string> schannel_risks(const SchannelChange& change);

// The .reg text (LF-free: lines end in CRLF) that applies the change, and
// the text that undoes it by deleting exactly the values it sets (Windows
// then uses its defaults). Throws UsageError for a change that sets nothing
// or enables and disables the same version.
std::string schannel_reg(const SchannelChange& change);
std::string schannel_undo_reg(const SchannelChange& change);

enum class RegEncoding { utf16le, ascii };

// The bytes of a .reg file: UTF-16LE with a byte-order mark, as regedit
// writes ("Windows Registry Editor Version 5.00"), or plain ASCII.
std::string encode_reg(const std::string& text, RegEncoding encoding);

// The value for SafeQ's securityProtocolTypesForOutboundCommunication:
// .NET names of the consecutive versions from the lowest to the highest
// given ("Tls11, Tls12"); SafeQ 5 refuses gaps.
std::string safeq_protocol_types(const std::vector<TlsVersion>& versions);

} // namespace certforge
