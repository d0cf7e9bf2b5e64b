// SPDX-License-Identifier: Apache-2.0
#include "certforge/schannel.hpp"

#include "certforge/errors.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {
namespace {

struct VersionNames {
    TlsVersion version;
    std::string_view name;
    std::string_view key;
    std::string_view dotnet;
};

constexpr std::array<VersionNames, 5> kVersions{{
    {TlsVersion::ssl3, "ssl3", "SSL 3.0", "Ssl3"},
    {TlsVersion::tls1_0, "tls1.0", "TLS 1.0", "Tls"},
    {TlsVersion::tls1_1, "tls1.1", "TLS 1.1", "Tls11"},
    {TlsVersion::tls1_2, "tls1.2", "TLS 1.2", "Tls12"},
    {TlsVersion::tls1_3, "tls1.3", "TLS 1.3", "Tls13"},
}};

const VersionNames& names_of(TlsVersion version) {
    return kVersions.at(static_cast<std::size_t>(version));
}

constexpr std::string_view kSchannel =
    "HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL";
constexpr std::array<std::string_view, 4> kDotnetKeys{
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v2.0.50727",
    "HKEY_LOCAL_MACHINE\\SOFTWARE\\Wow6432Node\\Microsoft\\.NETFramework\\v2.0.50727",
};

std::vector<std::string_view> sides(SchannelSide side) {
    switch (side) {
    case SchannelSide::client:
        return {"Client"};
    case SchannelSide::server:
        return {"Server"};
    case SchannelSide::both:
        break;
    }
    return {"Client", "Server"};
}

// One key with its values; `undo` writes each value as deleted ("Name"=-).
struct RegKey {
    std::string path;
    std::vector<std::pair<std::string, unsigned>> dwords;
};

std::vector<RegKey> keys_of(const SchannelChange& change) {
    for (auto v : change.enable) {
        if (std::find(change.disable.begin(), change.disable.end(), v) != change.disable.end()) {
            throw UsageError(fmt::format("{} is both enabled and disabled", to_string(v)));
        }
    }
    std::vector<RegKey> keys;
    for (const auto& names : kVersions) {
        const bool on = std::find(change.enable.begin(), change.enable.end(), names.version) !=
                        change.enable.end();
        const bool off = std::find(change.disable.begin(), change.disable.end(), names.version) !=
                         change.disable.end();
        if (!on && !off) {
            continue;
        }
        for (auto side : sides(change.side)) {
            keys.push_back({fmt::format("{}\\Protocols\\{}\\{}", kSchannel, names.key, side),
                            {{"Enabled", on ? 1u : 0u}, {"DisabledByDefault", on ? 0u : 1u}}});
        }
    }
    if (change.dh_client_min_bits || change.disable_dh) {
        RegKey dh{fmt::format("{}\\KeyExchangeAlgorithms\\Diffie-Hellman", kSchannel), {}};
        if (change.dh_client_min_bits) {
            dh.dwords.emplace_back("ClientMinKeyBitLength", *change.dh_client_min_bits);
        }
        if (change.disable_dh) {
            dh.dwords.emplace_back("Enabled", 0u);
        }
        keys.push_back(dh);
    }
    if (change.dotnet_strong_crypto) {
        for (auto key : kDotnetKeys) {
            keys.push_back(
                {std::string(key), {{"SchUseStrongCrypto", 1u}, {"SystemDefaultTlsVersions", 1u}}});
        }
    }
    if (keys.empty()) {
        throw UsageError("nothing to change: give --enable, --disable, --dh-min-bits, --disable-dh "
                         "or --dotnet-strong-crypto");
    }
    return keys;
}

std::string render(const std::vector<RegKey>& keys, bool undo) {
    std::string text = "Windows Registry Editor Version 5.00\r\n\r\n";
    for (const auto& key : keys) {
        text += fmt::format("[{}]\r\n", key.path);
        for (const auto& [name, value] : key.dwords) {
            text += undo ? fmt::format("\"{}\"=-\r\n", name)
                         : fmt::format("\"{}\"=dword:{:08x}\r\n", name, value);
        }
        text += "\r\n";
    }
    return text;
}

} // namespace

std::string_view to_string(TlsVersion version) {
    return names_of(version).name;
}
std::string_view schannel_key_name(TlsVersion version) {
    return names_of(version).key;
}
std::string schannel_key_names(const std::vector<TlsVersion>& versions) {
    std::vector<std::string_view> out;
    for (auto v : versions) {
        out.push_back(schannel_key_name(v));
    }
    return out.empty() ? std::string("none") : fmt::format("{}", fmt::join(out, ", "));
}
std::string_view dotnet_name(TlsVersion version) {
    return names_of(version).dotnet;
}

std::optional<TlsVersion> tls_version_from_name(std::string_view name) {
    for (const auto& names : kVersions) {
        if (names.name == name) {
            return names.version;
        }
    }
    return std::nullopt;
}

std::vector<std::string> schannel_risks(const SchannelChange& change) {
    std::vector<std::string> risks;
    if (change.dh_client_min_bits && *change.dh_client_min_bits < 1024) {
        risks.push_back(fmt::format(
            "a Diffie-Hellman minimum of {} bits (under 1024) weakens every TLS client on this "
            "server, not only the Terminal Server: it accepts groups that can be broken (Logjam)",
            *change.dh_client_min_bits));
    }
    if (change.disable_dh) {
        risks.push_back("disabling Diffie-Hellman is machine-wide: every program on this server "
                        "loses DHE cipher suites, and peers that offer only DHE stop working");
    }
    if (!change.disable.empty()) {
        std::vector<std::string_view> names;
        for (auto v : change.disable) {
            names.push_back(schannel_key_name(v));
        }
        risks.push_back(fmt::format("disabling {} narrows the protocol list machine-wide: other "
                                    "devices that speak only that can be cut off",
                                    fmt::join(names, ", ")));
    }
    if (std::find(change.enable.begin(), change.enable.end(), TlsVersion::ssl3) !=
        change.enable.end()) {
        risks.push_back("SSL 3.0 is broken (POODLE): enable it only for a device that speaks "
                        "nothing else, and only on the client side");
    }
    return risks;
}

std::string schannel_reg(const SchannelChange& change) {
    return render(keys_of(change), false);
}

std::string schannel_undo_reg(const SchannelChange& change) {
    return render(keys_of(change), true);
}

std::string encode_reg(const std::string& text, RegEncoding encoding) {
    if (encoding == RegEncoding::ascii) {
        return text;
    }
    std::string out("\xff\xfe", 2);
    for (const char c : text) {
        out += c;
        out += '\0';
    }
    return out;
}

nlohmann::json to_json(const SchannelChange& change) {
    const auto names = [](const std::vector<TlsVersion>& versions) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto v : versions) {
            out.push_back(std::string(to_string(v)));
        }
        return out;
    };
    const std::string_view side = change.side == SchannelSide::client   ? "client"
                                  : change.side == SchannelSide::server ? "server"
                                                                        : "both";
    return {{"enable", names(change.enable)},
            {"disable", names(change.disable)},
            {"side", side},
            {"dh_min_bits", change.dh_client_min_bits ? nlohmann::json(*change.dh_client_min_bits)
                                                      : nlohmann::json(nullptr)},
            {"disable_dh", change.disable_dh},
            {"dotnet_strong_crypto", change.dotnet_strong_crypto}};
}

std::string safeq_protocol_types(const std::vector<TlsVersion>& versions) {
    if (versions.empty()) {
        return {};
    }
    const auto [low, high] = std::minmax_element(versions.begin(), versions.end());
    std::vector<std::string_view> names;
    for (auto v = static_cast<int>(*low); v <= static_cast<int>(*high); ++v) {
        names.push_back(dotnet_name(static_cast<TlsVersion>(v)));
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

} // namespace certforge
