#include "certforge/diagnosis.hpp"

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

std::vector<TlsVersion> host_versions(const Profile& host) {
    std::vector<TlsVersion> out;
    for (const auto& name : host.tls.versions) {
        if (auto v = tls_version_from_name(name)) {
            out.push_back(*v);
        }
    }
    return out;
}

// The version a Terminal Server on `host` and the device would agree on.
std::optional<TlsVersion> common_version(const ProbeReport& report, const Profile& host) {
    std::optional<TlsVersion> best;
    for (auto v : supported_versions(report)) {
        const auto mine = host_versions(host);
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

std::string names(const std::vector<TlsVersion>& versions) {
    std::vector<std::string_view> out;
    for (auto v : versions) {
        out.push_back(schannel_key_name(v));
    }
    return out.empty() ? std::string("none") : fmt::format("{}", fmt::join(out, ", "));
}

} // namespace

std::vector<TlsVersion> supported_versions(const ProbeReport& report) {
    std::vector<TlsVersion> out;
    for (const auto& v : report.versions) {
        if (v.supported) {
            out.push_back(v.version);
        }
    }
    return out;
}

std::vector<Diagnosis> diagnose(const ProbeReport& report, const std::vector<CertInfo>& chain,
                                const Profile& host, const std::optional<Profile>& device) {
    std::vector<Diagnosis> out;
    const auto device_versions = supported_versions(report);
    const auto common = common_version(report, host);

    if (!device_versions.empty() && !common) {
        const TlsVersion highest = device_versions.back();
        SchannelChange change;
        change.enable = {highest};
        change.side = SchannelSide::client;
        out.push_back(
            {"no-common-protocol",
             fmt::format("the device speaks {}; {} enables {} by default", names(device_versions),
                         host.host.os, names(host_versions(host))),
             fmt::format("enable {} for SChannel's client side (certforge schannel "
                         "--enable {} --side client), and set SafeQ's "
                         "securityProtocolTypesForOutboundCommunication to {}",
                         schannel_key_name(highest), to_string(highest),
                         safeq_protocol_types({highest})),
             highest == TlsVersion::ssl3
                 ? "SSL 3.0 is broken (POODLE); better update the device firmware"
                 : "",
             change});
    }

    const VersionResult* tls12 = result_for(report, TlsVersion::tls1_2);
    if (tls12 != nullptr && !tls12->supported &&
        tls12->failure.find("bad_record_mac") != std::string::npos) {
        std::vector<TlsVersion> working;
        for (auto v : device_versions) {
            if (v < TlsVersion::tls1_2) {
                working.push_back(v);
            }
        }
        if (!working.empty()) {
            SchannelChange change;
            change.disable = {TlsVersion::tls1_2};
            change.side = SchannelSide::client;
            out.push_back(
                {"claims-tls12-bad-record-mac",
                 fmt::format("a TLS 1.2 handshake ends with the device's bad_record_mac alert, "
                             "while {} works",
                             names(working)),
                 fmt::format("set SafeQ's securityProtocolTypesForOutboundCommunication to {} "
                             "(SafeQ only); if that is not enough, disable TLS 1.2 for "
                             "SChannel's client side",
                             safeq_protocol_types(working)),
                 "disabling TLS 1.2 in SChannel is machine-wide: every other device and service "
                 "this server talks to loses TLS 1.2",
                 change});
        }
    }

    if (common) {
        const VersionResult* agreed = result_for(report, *common);
        if (agreed != nullptr && !agreed->ciphers.empty()) {
            const AcceptedCipher& preferred = agreed->ciphers.front();
            if (preferred.kx == "DHE" && preferred.dh_bits > 0 &&
                preferred.dh_bits < host.tls.dh_min_bits) {
                SchannelChange change;
                change.dh_client_min_bits = preferred.dh_bits;
                out.push_back(
                    {"weak-dh",
                     fmt::format(
                         "on {} the device prefers {} with a {}-bit DH group; {} refuses "
                         "groups under {} bits{}",
                         schannel_key_name(*common), preferred.name, preferred.dh_bits,
                         host.host.os, host.tls.dh_min_bits,
                         host.host.dh_kbs.empty()
                             ? std::string()
                             : fmt::format(" (since {})", fmt::join(host.host.dh_kbs, ", "))),
                     fmt::format("on the device, give DHE a group of at least {} bits or prefer "
                                 "RSA/ECDHE suites; otherwise lower SChannel's "
                                 "ClientMinKeyBitLength to {}",
                                 host.tls.dh_min_bits, preferred.dh_bits),
                     "a DH minimum under 1024 bits weakens every TLS client on the server "
                     "(Logjam); the device fix is the safe one",
                     change});
            }
        }
        const bool offers_dhe =
            std::any_of(report.versions.begin(), report.versions.end(), [](const VersionResult& v) {
                return std::any_of(v.ciphers.begin(), v.ciphers.end(),
                                   [](const AcceptedCipher& c) { return c.kx == "DHE"; });
            });
        if (device && device->tls.dhe_broken && offers_dhe) {
            SchannelChange change;
            change.disable_dh = true;
            out.push_back({"dhe-broken",
                           fmt::format("the device accepts DHE suites, and its profile '{}' says "
                                       "this firmware breaks on DHE",
                                       device->id),
                           "turn DHE off on the device if it can; otherwise turn Diffie-Hellman "
                           "off in SChannel (certforge schannel --disable-dh)",
                           "disabling Diffie-Hellman is machine-wide: peers that offer only DHE "
                           "stop working",
                           change});
        }
        if (*common == TlsVersion::tls1_2 && !host.host.sha512_tls12_kbs.empty() &&
            std::any_of(chain.begin(), chain.end(), [](const CertInfo& c) {
                return c.signature_hash == HashAlgorithm::sha512;
            })) {
            out.push_back({"sha512-tls12",
                           fmt::format("TLS 1.2 with a SHA-512-signed device certificate; {} "
                                       "needs {} for that",
                                       host.host.os, fmt::join(host.host.sha512_tls12_kbs, ", ")),
                           fmt::format("install {}", fmt::join(host.host.sha512_tls12_kbs, ", ")),
                           "", std::nullopt});
        }
    }

    if (!chain.empty()) {
        const CertInfo& leaf = chain.front();
        const bool weak_key = leaf.key_algorithm == KeyAlgorithm::rsa && leaf.key_bits < 2048;
        if (is_weak(leaf.signature_hash) || weak_key) {
            out.push_back({"device-legacy-crypto",
                           fmt::format("the device's own certificate is {} with {} {} bits",
                                       to_string(leaf.signature_hash),
                                       to_string(leaf.key_algorithm), leaf.key_bits),
                           "this firmware generation may refuse a SHA-256/RSA-2048 Terminal "
                           "Server certificate: if it does, make the server certificate with a "
                           "legacy profile (e.g. konica-legacy) or the profile --write-profile "
                           "drafts",
                           "a legacy certificate is weak: use it only for such devices",
                           std::nullopt});
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
    nlohmann::json out{{"schema", "certforge.probe/1"},   {"host", report.target.host},
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
