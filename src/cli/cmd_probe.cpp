// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/diagnosis.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/probe.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/verify.hpp"
#include "cli_support.hpp"

#include <charconv>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct ProbeOptions {
    std::string target;
    std::string sni;
    double timeout = 5.0;
    double max_time = 120.0;
    std::string profile;
    std::string server_os;
    std::string write_profile;
    std::string backend;
    bool force = false;
    bool json = false;
};

ProbeTarget parse_target(const ProbeOptions& options) {
    ProbeTarget target;
    std::string_view text(options.target);
    std::string_view port = "443";
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            throw UsageError(
                fmt::format("'{}': an IPv6 address goes in brackets: [::1]:443", options.target));
        }
        target.host = std::string(text.substr(1, close - 1));
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                throw UsageError(fmt::format("'{}' is not HOST:PORT", options.target));
            }
            port = text.substr(close + 2);
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        if (text.find(':') != colon) {
            throw UsageError(fmt::format("'{}': put an IPv6 address in brackets: [{}]:443",
                                         options.target, options.target));
        }
        target.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    } else {
        target.host = std::string(text);
    }
    unsigned number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
        throw UsageError(fmt::format("'{}' is not a port number", port));
    }
    if (target.host.empty()) {
        throw UsageError("name the host to probe: HOST:PORT");
    }
    target.port = static_cast<std::uint16_t>(number);
    target.sni = options.sni;
    target.timeout_seconds = options.timeout;
    target.max_seconds = options.max_time;
    return target;
}

std::vector<Profile> hosts_for(const std::string& server_os) {
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<Profile> hosts;
    if (!server_os.empty()) {
        Profile host = catalog.load(server_os);
        if (host.kind != ProfileKind::host) {
            throw UsageError(fmt::format("'{}' is a device profile; --server-os takes a host "
                                         "profile (certforge profiles list --kind host)",
                                         host.id));
        }
        hosts.push_back(std::move(host));
        return hosts;
    }
    for (const auto& entry : catalog.entries()) {
        Profile p = catalog.load_file(entry.file);
        if (p.kind == ProfileKind::host) {
            hosts.push_back(std::move(p));
        }
    }
    return hosts;
}

// The SChannel parts of the diagnoses, merged into one change.
std::optional<SchannelChange> merged_fix(const std::vector<Diagnosis>& diagnoses) {
    std::optional<SchannelChange> out;
    for (const auto& d : diagnoses) {
        if (!d.registry) {
            continue;
        }
        if (!out) {
            out = SchannelChange{};
            out->side = SchannelSide::client;
        }
        out->enable.insert(out->enable.end(), d.registry->enable.begin(), d.registry->enable.end());
        out->disable.insert(out->disable.end(), d.registry->disable.begin(),
                            d.registry->disable.end());
        if (d.registry->dh_client_min_bits) {
            out->dh_client_min_bits = d.registry->dh_client_min_bits;
        }
        out->disable_dh = out->disable_dh || d.registry->disable_dh;
    }
    return out;
}

void print_versions(const ProbeReport& report) {
    for (const auto& v : report.versions) {
        if (!v.testable) {
            fmt::print("  {:<8} {}\n", schannel_key_name(v.version), v.failure);
            continue;
        }
        if (!v.supported) {
            fmt::print("  {:<8} no ({})\n", schannel_key_name(v.version), v.failure);
            continue;
        }
        fmt::print("  {:<8} yes, {} suite{} in the server's order:\n", schannel_key_name(v.version),
                   v.ciphers.size(), v.ciphers.size() == 1 ? "" : "s");
        for (const auto& c : v.ciphers) {
            const std::string detail = c.dh_bits > 0      ? fmt::format("dh {}", c.dh_bits)
                                       : !c.curve.empty() ? c.curve
                                                          : c.kx;
            fmt::print("    {:<48} {}\n", c.name, detail);
        }
    }
}

// What one probe found: the device's answer, its chain, how it fits the
// device profile, and the failure cases per Terminal Server host.
struct HostCases {
    const Profile* host;
    std::vector<Diagnosis> cases;
};

struct ProbeOutcome {
    ProbeTarget target;
    ProbeReport report;
    std::vector<CertInfo> chain;
    std::optional<Profile> device;
    std::optional<Report> findings; // with --profile and a chain
    std::vector<Profile> hosts;
    std::vector<HostCases> diagnoses;  // one per host, in the order of `hosts`
    std::optional<SchannelChange> fix; // with --server-os, when a registry change helps
};

nlohmann::json outcome_json(const ProbeOutcome& outcome) {
    nlohmann::json json = to_json(outcome.report);
    nlohmann::json certificates = nlohmann::json::array();
    for (const auto& c : outcome.chain) {
        certificates.push_back(certificate_json(c));
    }
    json["certificates"] = certificates;
    nlohmann::json diagnosis = nlohmann::json::array();
    for (const auto& [host, found] : outcome.diagnoses) {
        nlohmann::json cases = nlohmann::json::array();
        for (const auto& d : found) {
            cases.push_back(
                {{"case", d.id}, {"evidence", d.evidence}, {"fix", d.fix}, {"risk", d.risk}});
        }
        diagnosis.push_back({{"host", host->id}, {"os", host->host.os}, {"cases", cases}});
    }
    json["diagnosis"] = diagnosis;
    if (outcome.fix) {
        json["schannel_fix"] = to_json(*outcome.fix);
    }
    if (outcome.findings) {
        json["verify"] = to_json(*outcome.findings);
    }
    return json;
}

void print_outcome(const ProbeOutcome& outcome) {
    fmt::print("{}:{}\n", outcome.target.host, outcome.target.port);
    print_versions(outcome.report);
    for (const auto& c : outcome.chain) {
        fmt::print("  certificate {} ({} {} bits, {}, until {})\n",
                   escape_control(c.subject.to_string()), to_string(c.key_algorithm), c.key_bits,
                   to_string(c.signature_hash), format_utc(c.not_after));
    }
    for (const auto& [host, found] : outcome.diagnoses) {
        fmt::print("{}:{}\n", host->host.os, found.empty() ? " no known failure case" : "");
        for (const auto& d : found) {
            fmt::print("  [{}] {}\n    fix: {}\n", d.id, d.evidence, d.fix);
            if (!d.risk.empty()) {
                fmt::print("    risk: {}\n", d.risk);
            }
        }
    }
    if (outcome.findings) {
        fmt::print("profile {}: {}\n", outcome.device->id,
                   outcome.findings->has_errors() ? "the device's certificate breaks it" : "fits");
    }
}

// Reads the chain and diagnoses a report that speaks TLS.
void examine(ProbeOutcome& outcome, const Backend& backend, bool one_host, UnixTime now) {
    for (const auto& der : outcome.report.chain) {
        outcome.chain.push_back(backend.parse_certificate(der, "device certificate"));
    }
    if (outcome.device && !outcome.chain.empty()) {
        outcome.findings =
            verify_chain(outcome.chain, *outcome.device, now, {CertificateRole::leaf, &backend});
    }
    for (const auto& host : outcome.hosts) {
        auto found = diagnose(outcome.report, outcome.chain, host, outcome.device);
        if (one_host) {
            outcome.fix = merged_fix(found);
        }
        outcome.diagnoses.push_back({&host, std::move(found)});
    }
}

int run_probe(const ProbeOptions& options) {
    ProbeOutcome outcome;
    outcome.target = parse_target(options);
    const auto backend = make_backend(options.backend);
    if (!options.profile.empty()) {
        outcome.device.emplace(load_profile(options.profile));
    }
    outcome.hosts = hosts_for(options.server_os);
    outcome.report = make_tls_prober()->probe(outcome.target);
    if (!outcome.report.speaks_tls) {
        if (options.json) {
            print_json(outcome_json(outcome));
        }
        throw InputError(fmt::format("{}:{} does not speak TLS: {}", outcome.target.host,
                                     outcome.target.port, describe(outcome.report.answer)));
    }
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    examine(outcome, *backend, !options.server_os.empty(), now);
    if (!options.write_profile.empty()) {
        const std::filesystem::path out = utf8_path(options.write_profile);
        OutputSet output(folder_of(out), options.force);
        output.add(path_text(out.filename()),
                   draft_profile(outcome.report, outcome.chain, path_text(out.stem()), now),
                   FileMode::public_file);
        output.commit();
        note(fmt::format("drafted {} from the probe: review it before use", path_text(out)));
    }
    if (options.json) {
        print_json(outcome_json(outcome));
    } else {
        print_outcome(outcome);
    }
    return outcome.findings && outcome.findings->has_errors() ? kExitFindings : kExitOk;
}

} // namespace

void add_probe_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<ProbeOptions>();
    auto* command = app.add_subcommand(
        "probe", "Probe a device's TLS endpoint (versions, cipher suites in the device's order, "
                 "DH group sizes, alerts, its certificate) and name the known failure case "
                 "between it and the Terminal Server's Windows, with the fix");
    command->add_option("target", options->target, "HOST:PORT ([IPv6]:PORT; port 443 if omitted)")
        ->required();
    command->add_option("--sni", options->sni, "server name to send");
    command
        ->add_option("--timeout", options->timeout,
                     "seconds for each connection, from the TCP connect to the end of its "
                     "handshake (default 5)")
        ->check(CLI::Range(0.1, 120.0));
    command
        ->add_option("--max-time", options->max_time,
                     "seconds for the whole probe (default 120); it makes one connection per "
                     "version and per cipher suite the device accepts, each within --timeout, "
                     "and ends with exit 3 when this runs out")
        ->check(CLI::Range(1.0, 3600.0));
    command->add_option("--profile", options->profile,
                        "device profile: check the device's own certificate and use its known "
                        "defects");
    command->add_option("--server-os", options->server_os,
                        "the Terminal Server's Windows (host profile); default: every Windows "
                        "version. With it, --json carries the schannel_fix");
    command->add_option("--write-profile", options->write_profile,
                        "draft a device profile (TOML) from what was seen");
    add_backend_option(command, options->backend);
    command->add_flag("--force", options->force, "replace an existing --write-profile file");
    command->add_flag("--json", options->json, fmt::format("print JSON ({})", schema::kProbe));
    on_run(command, selected, options, run_probe);
}

} // namespace certforge::cli
