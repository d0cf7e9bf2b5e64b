// SPDX-License-Identifier: Apache-2.0
#include "certforge/diagnosis.hpp"

#include "certforge/json_documents.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {
namespace {

const VersionResult* result_for(const ProbeReport& report, TlsVersion version) {
    for (const auto& v : report.versions) {
        if (v.version == version) {
            return &v;
        }
    }
    return nullptr;
}

// The version a Terminal Server on `host` and the device would agree on.
std::optional<TlsVersion> common_version(const ProbeReport& report, const Profile& host) {
    std::optional<TlsVersion> best;
    const auto mine = host_versions(host);
    for (auto v : supported_versions(report)) {
        if (std::find(mine.begin(), mine.end(), v) != mine.end()) {
            best = v;
        }
    }
    return best;
}

std::string_view kind_name(ReplyKind kind) {
    switch (kind) {
    case ReplyKind::nothing:
        return "nothing";
    case ReplyKind::tls:
        return "tls";
    case ReplyKind::http:
        return "http";
    case ReplyKind::other:
        break;
    }
    return "other";
}

} // namespace

std::vector<TlsVersion> host_versions(const Profile& host) {
    std::vector<TlsVersion> out;
    for (const auto& name : host.tls.versions) {
        if (const auto v = tls_version_from_name(name);
            v && std::find(out.begin(), out.end(), *v) == out.end()) {
            out.push_back(*v);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool claims_then_breaks(const VersionResult& result) {
    return !result.supported && result.failure.find("bad_record_mac") != std::string::npos;
}

std::vector<TlsVersion> supported_versions(const ProbeReport& report) {
    std::vector<TlsVersion> out;
    for (const auto& v : report.versions) {
        if (v.supported) {
            out.push_back(v.version);
        }
    }
    return out;
}

namespace {

// What every diagnosis looks at: the probe, the device's chain, the host and
// device profiles, and what follows from them.
struct Evidence {
    const ProbeReport& report;
    const std::vector<CertInfo>& chain;
    const Profile& host;
    const std::optional<Profile>& device;
    std::vector<TlsVersion> device_versions;
    std::optional<TlsVersion> common;
};

std::optional<Diagnosis> no_common_protocol(const Evidence& e) {
    if (e.device_versions.empty() || e.common) {
        return std::nullopt;
    }
    const TlsVersion highest = e.device_versions.back();
    SchannelChange change;
    change.enable = {highest};
    change.side = SchannelSide::client;
    return Diagnosis{"no-common-protocol",
                     fmt::format("the device speaks {}; {} enables {} by default",
                                 schannel_key_names(e.device_versions), e.host.host.os,
                                 schannel_key_names(host_versions(e.host))),
                     fmt::format("enable {} for SChannel's client side (certforge schannel "
                                 "--enable {} --side client), and set SafeQ's "
                                 "securityProtocolTypesForOutboundCommunication to {}",
                                 schannel_key_name(highest), to_string(highest),
                                 safeq_protocol_types({highest})),
                     highest == TlsVersion::ssl3
                         ? "SSL 3.0 is broken (POODLE); better update the device firmware"
                         : "",
                     change};
}

std::optional<Diagnosis> claims_tls12_bad_record_mac(const Evidence& e) {
    const VersionResult* tls12 = result_for(e.report, TlsVersion::tls1_2);
    if (tls12 == nullptr || !claims_then_breaks(*tls12)) {
        return std::nullopt;
    }
    std::vector<TlsVersion> working;
    for (auto v : e.device_versions) {
        if (v < TlsVersion::tls1_2) {
            working.push_back(v);
        }
    }
    if (working.empty()) {
        return std::nullopt;
    }
    SchannelChange change;
    change.disable = {TlsVersion::tls1_2};
    change.side = SchannelSide::client;
    return Diagnosis{"claims-tls12-bad-record-mac",
                     fmt::format("a TLS 1.2 handshake ends with the device's bad_record_mac alert, "
                                 "while {} works",
                                 schannel_key_names(working)),
                     fmt::format("set SafeQ's securityProtocolTypesForOutboundCommunication to {} "
                                 "(SafeQ only); if that is not enough, disable TLS 1.2 for "
                                 "SChannel's client side",
                                 safeq_protocol_types(working)),
                     "disabling TLS 1.2 in SChannel is machine-wide: every other device and "
                     "service this server talks to loses TLS 1.2",
                     change};
}

std::optional<Diagnosis> weak_dh(const Evidence& e) {
    if (!e.common) {
        return std::nullopt;
    }
    const VersionResult* agreed = result_for(e.report, *e.common);
    if (agreed == nullptr || agreed->ciphers.empty()) {
        return std::nullopt;
    }
    const AcceptedCipher& preferred = agreed->ciphers.front();
    if (preferred.kx != "DHE" || preferred.dh_bits == 0 ||
        preferred.dh_bits >= e.host.tls.dh_min_bits) {
        return std::nullopt;
    }
    SchannelChange change;
    change.dh_client_min_bits = preferred.dh_bits;
    return Diagnosis{
        "weak-dh",
        fmt::format("on {} the device prefers {} with a {}-bit DH group; {} refuses "
                    "groups under {} bits{}",
                    schannel_key_name(*e.common), preferred.name, preferred.dh_bits, e.host.host.os,
                    e.host.tls.dh_min_bits,
                    e.host.host.dh_kbs.empty()
                        ? std::string()
                        : fmt::format(" (since {})", fmt::join(e.host.host.dh_kbs, ", "))),
        fmt::format("on the device, give DHE a group of at least {} bits or prefer "
                    "RSA/ECDHE suites; otherwise lower SChannel's "
                    "ClientMinKeyBitLength to {}",
                    e.host.tls.dh_min_bits, preferred.dh_bits),
        "a DH minimum under 1024 bits weakens every TLS client on the server "
        "(Logjam); the device fix is the safe one",
        change};
}

std::optional<Diagnosis> dhe_broken(const Evidence& e) {
    const bool offers_dhe =
        std::any_of(e.report.versions.begin(), e.report.versions.end(), [](const VersionResult& v) {
            return std::any_of(v.ciphers.begin(), v.ciphers.end(),
                               [](const AcceptedCipher& c) { return c.kx == "DHE"; });
        });
    if (!e.common || !e.device || !e.device->tls.dhe_broken || !offers_dhe) {
        return std::nullopt;
    }
    SchannelChange change;
    change.disable_dh = true;
    return Diagnosis{"dhe-broken",
                     fmt::format("the device accepts DHE suites, and its profile '{}' says "
                                 "this firmware breaks on DHE",
                                 e.device->id),
                     "turn DHE off on the device if it can; otherwise turn Diffie-Hellman "
                     "off in SChannel (certforge schannel --disable-dh)",
                     "disabling Diffie-Hellman is machine-wide: peers that offer only DHE "
                     "stop working",
                     change};
}

std::optional<Diagnosis> sha512_tls12(const Evidence& e) {
    const bool sha512_chain = std::any_of(e.chain.begin(), e.chain.end(), [](const CertInfo& c) {
        return c.signature_hash == HashAlgorithm::sha512;
    });
    if (e.common != TlsVersion::tls1_2 || e.host.host.sha512_tls12_kbs.empty() || !sha512_chain) {
        return std::nullopt;
    }
    return Diagnosis{"sha512-tls12",
                     fmt::format("TLS 1.2 with a SHA-512-signed device certificate; {} "
                                 "needs {} for that",
                                 e.host.host.os, fmt::join(e.host.host.sha512_tls12_kbs, ", ")),
                     fmt::format("install {}", fmt::join(e.host.host.sha512_tls12_kbs, ", ")), "",
                     std::nullopt};
}

std::optional<Diagnosis> device_legacy_crypto(const Evidence& e) {
    if (e.chain.empty()) {
        return std::nullopt;
    }
    const CertInfo& leaf = e.chain.front();
    const bool weak_key = leaf.key_algorithm == KeyAlgorithm::rsa && leaf.key_bits < 2048;
    if (!is_weak(leaf.signature_hash) && !weak_key) {
        return std::nullopt;
    }
    return Diagnosis{"device-legacy-crypto",
                     fmt::format("the device's own certificate is {} with {} {} bits",
                                 to_string(leaf.signature_hash), to_string(leaf.key_algorithm),
                                 leaf.key_bits),
                     "this firmware generation may refuse a SHA-256/RSA-2048 Terminal "
                     "Server certificate: if it does, make the server certificate with a "
                     "legacy profile (e.g. konica-legacy) or the profile --write-profile "
                     "drafts",
                     "a legacy certificate is weak: use it only for such devices", std::nullopt};
}

// Every known failure case, in the order a report lists them.
constexpr std::optional<Diagnosis> (*kDiagnoses[])(const Evidence&) = {
    no_common_protocol, claims_tls12_bad_record_mac, weak_dh, dhe_broken,
    sha512_tls12,       device_legacy_crypto,
};

} // namespace

std::vector<Diagnosis> diagnose(const ProbeReport& report, const std::vector<CertInfo>& chain,
                                const Profile& host, const std::optional<Profile>& device) {
    const Evidence evidence{
        report, chain, host, device, supported_versions(report), common_version(report, host)};
    std::vector<Diagnosis> out;
    for (const auto& diagnosis : kDiagnoses) {
        if (auto found = diagnosis(evidence)) {
            out.push_back(std::move(*found));
        }
    }
    return out;
}

std::string draft_profile(const ProbeReport& report, const std::vector<CertInfo>& chain,
                          const std::string& id, UnixTime now) {
    std::vector<std::string> versions;
    unsigned dh_min = 0;
    for (const auto& v : report.versions) {
        if (!v.supported) {
            continue;
        }
        versions.push_back(fmt::format("\"{}\"", to_string(v.version)));
        for (const auto& c : v.ciphers) {
            if (c.dh_bits > 0 && (dh_min == 0 || c.dh_bits < dh_min)) {
                dh_min = c.dh_bits;
            }
        }
    }
    const bool legacy =
        !chain.empty() &&
        (is_weak(chain.front().signature_hash) ||
         (chain.front().key_algorithm == KeyAlgorithm::rsa && chain.front().key_bits < 2048));
    std::string text = fmt::format(
        "# Drafted by certforge probe from what {}:{} showed on {}.\n"
        "# Probed, not documented: review every setting before you rely on it.\n"
        "id = \"{}\"\n"
        "name = \"Probed device {}:{} (review)\"\n"
        "extends = \"default\"\n"
        "vendor = \"unknown\"\n"
        "legacy = {}\n"
        "notes = \"Drafted from a probe; the TLS facts are what the device offered, the "
        "certificate limits are inferred from its own certificate.\"\n"
        "sources = [\"probed: certforge probe {}:{} on {}\"]\n",
        report.target.host, report.target.port, format_utc(now), id, report.target.host,
        report.target.port, legacy ? "true" : "false", report.target.host, report.target.port,
        format_utc(now));
    if (legacy) {
        text += "\n# The device's own certificate is weak: assume it needs the same.\n"
                "[key]\nrsa_bits = [1024, 2048]\n\n[signature]\nhashes = [\"sha1\", \"sha256\"]\n";
    }
    text += fmt::format("\n[tls]\nversions = [{}]\ndh_min_bits = {}\n", fmt::join(versions, ", "),
                        dh_min);
    return text;
}

nlohmann::json to_json(const ProbeReport& report) {
    nlohmann::json versions = nlohmann::json::array();
    for (const auto& v : report.versions) {
        nlohmann::json ciphers = nlohmann::json::array();
        for (const auto& c : v.ciphers) {
            nlohmann::json cipher{{"name", c.name}, {"openssl", c.openssl}, {"kx", c.kx}};
            if (c.dh_bits > 0) {
                cipher["dh_bits"] = c.dh_bits;
            }
            if (!c.curve.empty()) {
                cipher["curve"] = c.curve;
            }
            ciphers.push_back(cipher);
        }
        versions.push_back({{"version", std::string(to_string(v.version))},
                            {"testable", v.testable},
                            {"supported", v.supported},
                            {"failure", v.failure},
                            {"ciphers", ciphers}});
    }
    nlohmann::json out{{"schema", schema::kProbe},        {"host", report.target.host},
                       {"port", report.target.port},      {"sni", report.target.sni},
                       {"speaks_tls", report.speaks_tls}, {"versions", versions}};
    if (!report.speaks_tls) {
        out["answer"] = {{"kind", kind_name(report.answer.kind)},
                         {"excerpt", report.answer.excerpt},
                         {"description", describe(report.answer)}};
    }
    return out;
}

} // namespace certforge
