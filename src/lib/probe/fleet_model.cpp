// SPDX-License-Identifier: Apache-2.0
#include "certforge/fleet_model.hpp"

#include "certforge/algorithms.hpp"
#include "certforge/diagnosis.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace {

constexpr TlsVersion kAllVersions[] = {TlsVersion::ssl3, TlsVersion::tls1_0, TlsVersion::tls1_1,
                                       TlsVersion::tls1_2, TlsVersion::tls1_3};
constexpr unsigned kDhMinimums[] = {512, 768, 1024, 2048};

bool has(const std::vector<TlsVersion>& versions, TlsVersion v) {
    return std::find(versions.begin(), versions.end(), v) != versions.end();
}

struct Answer {
    const VersionResult* result = nullptr;
    bool broken = false;
};

// The version the device answers SChannel's ClientHello with.
Answer answered(const ProbeReport& report, const ServerSettings& server) {
    for (const auto& v : report.versions) {
        if (v.version == TlsVersion::tls1_3 && v.supported && has(server.versions, v.version)) {
            return {&v, false};
        }
    }
    // Below TLS 1.3 the ClientHello names the highest version up to TLS 1.2.
    TlsVersion legacy_max = TlsVersion::tls1_2;
    for (auto v : server.versions) {
        if (v <= TlsVersion::tls1_2) {
            legacy_max = v;
        }
    }
    for (auto it = report.versions.rbegin(); it != report.versions.rend(); ++it) {
        if (it->version == TlsVersion::tls1_3 || it->version > legacy_max) {
            continue;
        }
        if (it->supported) {
            return {&*it, false};
        }
        if (claims_then_breaks(*it)) {
            return {&*it, true};
        }
    }
    return {};
}

DeviceVerdict breaks(std::string reason) {
    return {Verdict::breaks, std::move(reason)};
}

DeviceVerdict protocol_verdict(const DeviceEvidence& device, const ServerSettings& server) {
    const ProbeReport& report = *device.report;
    if (server.versions.empty()) {
        return breaks("the server enables no protocol version");
    }
    const Answer answer = answered(report, server);
    const auto device_versions = supported_versions(report);
    const bool common = std::any_of(device_versions.begin(), device_versions.end(),
                                    [&](TlsVersion v) { return has(server.versions, v); });
    if (answer.result == nullptr || (!common && !answer.broken)) {
        return breaks(fmt::format("no common protocol: the device speaks {}; the server enables {}",
                                  schannel_key_names(device_versions),
                                  schannel_key_names(server.versions)));
    }
    const TlsVersion version = answer.result->version;
    if (answer.broken) {
        return breaks(fmt::format("the device answers {} and then fails ({})",
                                  schannel_key_name(version), answer.result->failure));
    }
    if (!has(server.versions, version)) {
        return breaks(fmt::format("the device answers {}, which the server has disabled",
                                  schannel_key_name(version)));
    }
    const auto& ciphers = answer.result->ciphers;
    const auto picked = std::find_if(ciphers.begin(), ciphers.end(), [&](const AcceptedCipher& c) {
        return server.dhe || c.kx != "DHE";
    });
    if (picked == ciphers.end()) {
        return breaks(fmt::format("on {} the device accepts only DHE suites, and the server has "
                                  "Diffie-Hellman off",
                                  schannel_key_name(version)));
    }
    if (picked->kx == "DHE" && picked->dh_bits > 0 && picked->dh_bits < server.dh_min_bits) {
        return breaks(fmt::format("on {} the device picks {} with a {}-bit DH group; the "
                                  "server's minimum is {}",
                                  schannel_key_name(version), picked->name, picked->dh_bits,
                                  server.dh_min_bits));
    }
    if (picked->kx == "DHE" && device.profile != nullptr && device.profile->tls.dhe_broken) {
        return breaks(fmt::format("on {} the device picks {}, and its profile '{}' says this "
                                  "firmware breaks on DHE",
                                  schannel_key_name(version), picked->name, device.profile->id));
    }
    return {};
}

DeviceVerdict certificate_verdict(const DeviceEvidence& device) {
    if (device.profile != nullptr) {
        const auto& p = *device.profile;
        const bool sha256 = std::find(p.signature.hashes.begin(), p.signature.hashes.end(),
                                      HashAlgorithm::sha256) != p.signature.hashes.end();
        const bool rsa2048 =
            std::find(p.key.rsa_bits.begin(), p.key.rsa_bits.end(), 2048u) != p.key.rsa_bits.end();
        if (!sha256 || !rsa2048) {
            return breaks(fmt::format("its profile '{}' does not take a SHA-256/RSA-2048 "
                                      "certificate",
                                      p.id));
        }
        return {};
    }
    if (device.chain != nullptr && !device.chain->empty()) {
        const CertInfo& leaf = device.chain->front();
        if (is_weak(leaf.signature_hash) ||
            (leaf.key_algorithm == KeyAlgorithm::rsa && leaf.key_bits < 2048)) {
            return {Verdict::risk,
                    fmt::format("its own certificate is {} with {} {} bits: this firmware may "
                                "refuse a SHA-256/RSA-2048 one",
                                to_string(leaf.signature_hash), to_string(leaf.key_algorithm),
                                leaf.key_bits)};
        }
    }
    return {};
}

// How much weaker than the strongest settings `s` is (lower is stronger).
unsigned weakness(const ServerSettings& s) {
    unsigned score = 0;
    score += has(s.versions, TlsVersion::ssl3) ? 1000 : 0;
    score += has(s.versions, TlsVersion::tls1_0) ? 300 : 0;
    score += has(s.versions, TlsVersion::tls1_1) ? 200 : 0;
    score += has(s.versions, TlsVersion::tls1_2) ? 0 : 500;
    score += has(s.versions, TlsVersion::tls1_3) ? 0 : 10;
    score += s.dh_min_bits < 1024 ? 400 - s.dh_min_bits / 8 : (s.dh_min_bits < 2048 ? 20 : 0);
    score += s.dhe ? 0 : 30;
    return score;
}

unsigned differences(const ServerSettings& a, const ServerSettings& b) {
    unsigned count = 0;
    for (auto v : kAllVersions) {
        count += has(a.versions, v) != has(b.versions, v) ? 1 : 0;
    }
    return count + (a.dh_min_bits != b.dh_min_bits ? 1 : 0) + (a.dhe != b.dhe ? 1 : 0);
}

std::optional<SchannelChange> change_from(const ServerSettings& baseline,
                                          const ServerSettings& wanted) {
    SchannelChange change;
    change.side = SchannelSide::client;
    for (auto v : kAllVersions) {
        if (has(wanted.versions, v) && !has(baseline.versions, v)) {
            change.enable.push_back(v);
        } else if (!has(wanted.versions, v) && has(baseline.versions, v)) {
            change.disable.push_back(v);
        }
    }
    if (wanted.dh_min_bits != baseline.dh_min_bits) {
        change.dh_client_min_bits = wanted.dh_min_bits;
    }
    change.disable_dh = !wanted.dhe && baseline.dhe;
    if (change.changes_nothing()) {
        return std::nullopt;
    }
    return change;
}

ServerSettings without(ServerSettings s, TlsVersion version) {
    std::erase(s.versions, version);
    return s;
}

} // namespace

ServerSettings settings_of(const Profile& host) {
    ServerSettings s;
    s.versions = host_versions(host);
    s.dh_min_bits = host.tls.dh_min_bits > 0 ? host.tls.dh_min_bits : 1024;
    return s;
}

DeviceVerdict evaluate(const DeviceEvidence& device, const ServerSettings& server) {
    DeviceVerdict protocol = protocol_verdict(device, server);
    if (protocol.verdict != Verdict::works || !server.modern_certificate) {
        return protocol;
    }
    return certificate_verdict(device);
}

std::vector<CandidateChange> candidate_changes(const Profile& baseline,
                                               const std::vector<Profile>& hosts) {
    const ServerSettings today = settings_of(baseline);
    std::vector<CandidateChange> out;
    out.push_back({"baseline", fmt::format("{} defaults, as today", baseline.host.os), today});
    out.push_back({"disable-tls1.0", "disable TLS 1.0", without(today, TlsVersion::tls1_0)});
    out.push_back({"disable-tls1.1", "disable TLS 1.1", without(today, TlsVersion::tls1_1)});
    ServerSettings dh2048 = today;
    dh2048.dh_min_bits = 2048;
    out.push_back({"dh-min-2048", "Diffie-Hellman minimum 2048 bits", dh2048});
    ServerSettings no_dhe = today;
    no_dhe.dhe = false;
    out.push_back({"disable-dhe", "Diffie-Hellman off", no_dhe});
    for (const auto& host : hosts) {
        out.push_back({host.id, fmt::format("{} defaults", host.host.os), settings_of(host)});
    }
    ServerSettings certificate = today;
    certificate.modern_certificate = true;
    out.push_back({"sha256-rsa2048-certificate", "a SHA-256/RSA-2048 Terminal Server certificate",
                   certificate});
    return out;
}

Recommendation recommend(const std::vector<DeviceEvidence>& devices,
                         const ServerSettings& baseline) {
    std::vector<TlsVersion> choosable(std::begin(kAllVersions), std::end(kAllVersions) - 1);
    if (has(baseline.versions, TlsVersion::tls1_3)) {
        choosable.push_back(TlsVersion::tls1_3); // only a Windows that has TLS 1.3 at all
    }
    std::optional<Recommendation> best;
    std::size_t best_working = 0;
    auto better = [&](const ServerSettings& s, std::size_t working) {
        if (!best || working != best_working) {
            return !best || working > best_working;
        }
        const unsigned a = weakness(s), b = weakness(best->settings);
        return a != b ? a < b : differences(s, baseline) < differences(best->settings, baseline);
    };
    for (unsigned mask = 1; mask < (1u << choosable.size()); ++mask) {
        ServerSettings s;
        for (std::size_t i = 0; i < choosable.size(); ++i) {
            if ((mask & (1u << i)) != 0) {
                s.versions.push_back(choosable[i]);
            }
        }
        for (const unsigned dh : kDhMinimums) {
            for (const bool dhe : {true, false}) {
                s.dh_min_bits = dh;
                s.dhe = dhe;
                std::vector<std::size_t> breaking;
                for (std::size_t i = 0; i < devices.size(); ++i) {
                    if (evaluate(devices[i], s).verdict == Verdict::breaks) {
                        breaking.push_back(i);
                    }
                }
                const std::size_t working = devices.size() - breaking.size();
                if (better(s, working)) {
                    best = Recommendation{s, std::move(breaking), std::nullopt};
                    best_working = working;
                }
            }
        }
    }
    best->change = change_from(baseline, best->settings);
    return *best;
}

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
    case Verdict::works:
        return "works";
    case Verdict::risk:
        return "risk";
    case Verdict::breaks:
        break;
    }
    return "breaks";
}

} // namespace certforge
