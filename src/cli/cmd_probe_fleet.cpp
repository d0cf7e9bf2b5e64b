// SPDX-License-Identifier: Apache-2.0
#include "cmd_probe_fleet.hpp"

#include "certforge/backend_registry.hpp"
#include "certforge/diagnosis.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/fleet_model.hpp"
#include "certforge/json_documents.hpp"
#include "certforge/passwords.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/text.hpp"
#include "cli_support.hpp"
#include "probe_outcome.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

// One device of the fleet and what the probe made of it.
struct DeviceResult {
    FleetDevice device;
    const Profile* profile = nullptr; // named in the targets file or by --profile
    ProbeOutcome outcome;             // probed devices
    std::string drafted_id;           // probed devices without a profile
    std::string drafted;              // their drafted profile (TOML)
};

struct MatrixColumn {
    CandidateChange change;
    std::vector<DeviceVerdict> verdicts; // per device; meaningless for devices not probed
};

struct FleetSummary {
    const Profile* baseline = nullptr;
    std::vector<DeviceResult> devices;
    std::vector<MatrixColumn> matrix;
    std::vector<std::size_t> probed; // indexes of the devices that spoke TLS
    Recommendation recommendation;
    double seconds = 0;
    unsigned jobs = 0;
};

DeviceEvidence evidence_of(const DeviceResult& r) {
    return {&r.outcome.report, &r.outcome.chain, r.profile};
}

// A profile id made from a device's name: lower case, [a-z0-9-].
std::string profile_id_for(const std::string& name) {
    std::string id;
    for (const char c : to_lower(name)) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep) {
            id += c;
        } else if (!id.empty() && id.back() != '-') {
            id += '-';
        }
    }
    while (!id.empty() && id.back() == '-') {
        id.pop_back();
    }
    return "probed-" + (id.empty() ? std::string("device") : id);
}

// The device profiles the targets name, each loaded once.
std::map<std::string, Profile> device_profiles(const std::vector<FleetTarget>& targets,
                                               const std::string& fallback,
                                               const std::string& targets_file) {
    std::map<std::string, Profile> out;
    for (const auto& t : targets) {
        const std::string& name = t.profile.empty() ? fallback : t.profile;
        if (name.empty() || out.contains(name)) {
            continue;
        }
        try {
            Profile p = load_profile_quietly(name);
            if (p.kind != ProfileKind::device) {
                throw InputError(fmt::format("'{}' is a host profile, not a device profile", p.id));
            }
            out.emplace(name, std::move(p));
        } catch (const InputError& e) {
            if (t.profile.empty()) {
                throw;
            }
            throw InputError(fmt::format("{}:{}: {}", targets_file, t.line, e.what()));
        }
    }
    return out;
}

// "probing: 37 of 254 done, 12 at work, 2 unreachable" on one terminal line.
std::function<void(const FleetProgress&)> progress_line() {
    if (!stderr_is_terminal()) {
        return {};
    }
    return [](const FleetProgress& p) {
        std::fprintf(stderr, "\rprobing: %zu of %zu done, %zu at work, %zu unreachable\033[K",
                     p.done, p.total, p.running, p.unreachable);
        if (p.done == p.total) {
            std::fputs("\r\033[K", stderr);
        }
        std::fflush(stderr);
    };
}

nlohmann::json settings_json(const ServerSettings& s) {
    nlohmann::json versions = nlohmann::json::array();
    for (auto v : s.versions) {
        versions.push_back(std::string(to_string(v)));
    }
    return {{"versions", versions},
            {"dh_min_bits", s.dh_min_bits},
            {"dhe", s.dhe},
            {"certificate", s.modern_certificate ? "sha256-rsa2048" : "unchanged"}};
}

std::string settings_text(const ServerSettings& s) {
    return fmt::format("{}; DH minimum {} bits{}", schannel_key_names(s.versions), s.dh_min_bits,
                       s.dhe ? "" : "; Diffie-Hellman off");
}

std::size_t count_status(const FleetSummary& s, FleetStatus status) {
    return static_cast<std::size_t>(
        std::count_if(s.devices.begin(), s.devices.end(),
                      [&](const DeviceResult& r) { return r.device.status == status; }));
}

// Whether probed device `i` works with the baseline's defaults (the
// matrix's first column).
bool works_today(const FleetSummary& s, std::size_t i) {
    return s.matrix.front().verdicts[i].verdict != Verdict::breaks;
}

nlohmann::json device_json(const DeviceResult& r) {
    const FleetDevice& d = r.device;
    nlohmann::json out{{"id", d.target.id},
                       {"host", d.target.target.host},
                       {"port", d.target.target.port},
                       {"sni", d.target.target.sni},
                       {"status", std::string(to_string(d.status))},
                       {"seconds", static_cast<double>(static_cast<long>(d.seconds * 1000)) / 1000},
                       {"profile", r.profile != nullptr ? nlohmann::json(r.profile->id)
                                                        : nlohmann::json(nullptr)}};
    if (d.status == FleetStatus::unreachable) {
        out["error"] = d.error;
        return out;
    }
    out["report"] = outcome_json(r.outcome);
    if (d.status == FleetStatus::not_tls) {
        return out;
    }
    if (r.profile != nullptr) {
        out["fits"] = r.outcome.findings ? nlohmann::json(!r.outcome.findings->has_errors())
                                         : nlohmann::json(nullptr);
    } else {
        out["drafted_profile"] = {{"id", r.drafted_id}, {"toml", r.drafted}};
    }
    return out;
}

nlohmann::json fleet_json(const FleetSummary& s) {
    nlohmann::json devices = nlohmann::json::array();
    for (const auto& r : s.devices) {
        devices.push_back(device_json(r));
    }
    nlohmann::json matrix = nlohmann::json::array();
    for (const auto& column : s.matrix) {
        nlohmann::json works = nlohmann::json::array(), risk = nlohmann::json::array(),
                       breaks = nlohmann::json::array();
        for (const std::size_t i : s.probed) {
            const auto& v = column.verdicts[i];
            const std::string& id = s.devices[i].device.target.id;
            if (v.verdict == Verdict::works) {
                works.push_back(id);
            } else {
                (v.verdict == Verdict::risk ? risk : breaks)
                    .push_back({{"id", id}, {"reason", v.reason}});
            }
        }
        matrix.push_back({{"change", column.change.id},
                          {"description", column.change.description},
                          {"settings", settings_json(column.change.settings)},
                          {"works", works},
                          {"risk", risk},
                          {"breaks", breaks}});
    }
    const Recommendation& rec = s.recommendation;
    nlohmann::json breaking = nlohmann::json::array();
    for (const std::size_t k : rec.breaking) {
        const std::size_t i = s.probed[k];
        breaking.push_back({{"id", s.devices[i].device.target.id},
                            {"reason", evaluate(evidence_of(s.devices[i]), rec.settings).reason}});
    }
    nlohmann::json recommendation{{"baseline", s.baseline->id},
                                  {"server_os", s.baseline->host.os},
                                  {"settings", settings_json(rec.settings)},
                                  {"keeps", s.probed.size() - rec.breaking.size()},
                                  {"of", s.probed.size()},
                                  {"breaking", breaking}};
    if (rec.change) {
        recommendation["schannel_fix"] = to_json(*rec.change);
    }
    return {{"schema", schema::kFleetProbe},
            {"baseline", s.baseline->id},
            {"jobs", s.jobs},
            {"seconds", static_cast<double>(static_cast<long>(s.seconds * 10)) / 10},
            {"summary",
             {{"devices", s.devices.size()},
              {"probed", s.probed.size()},
              {"not_tls", count_status(s, FleetStatus::not_tls)},
              {"unreachable", count_status(s, FleetStatus::unreachable)},
              {"working_today", std::count_if(s.probed.begin(), s.probed.end(),
                                              [&](std::size_t i) { return works_today(s, i); })}}},
            {"devices", devices},
            {"matrix", matrix},
            {"recommendation", recommendation}};
}

void print_fleet(const FleetSummary& s) {
    fmt::print("{} device{}: {} probed, {} not TLS, {} unreachable ({:.1f} s, up to {} at once)\n",
               s.devices.size(), s.devices.size() == 1 ? "" : "s", s.probed.size(),
               count_status(s, FleetStatus::not_tls), count_status(s, FleetStatus::unreachable),
               s.seconds, s.jobs);
    fmt::print("\nDevices (failure cases on {}):\n", s.baseline->host.os);
    for (const auto& r : s.devices) {
        const FleetDevice& d = r.device;
        const std::string id = escape_control(d.target.id);
        if (d.status == FleetStatus::unreachable) {
            fmt::print("  {:<24} unreachable: {}\n", id, escape_control(d.error));
            continue;
        }
        if (d.status == FleetStatus::not_tls) {
            fmt::print("  {:<24} does not speak TLS: {}\n", id, describe(r.outcome.report.answer));
            continue;
        }
        std::string fit = r.profile == nullptr
                              ? fmt::format("no profile; drafted {}", r.drafted_id)
                              : fmt::format("{}: {}", r.profile->id,
                                            !r.outcome.findings ? "no certificate seen"
                                            : r.outcome.findings->has_errors() ? "does not fit"
                                                                               : "fits");
        std::vector<std::string> cases;
        for (const auto& [host, found] : r.outcome.diagnoses) {
            if (host->id == s.baseline->id) {
                for (const auto& c : found) {
                    cases.push_back(c.id);
                }
            }
        }
        fmt::print("  {:<24} {:<22} {}; {}\n", id,
                   schannel_key_names(supported_versions(r.outcome.report)), fit,
                   cases.empty() ? std::string("no known failure case")
                                 : fmt::format("{}", fmt::join(cases, ", ")));
    }
    fmt::print("\nWho breaks, of the {} probed devices:\n", s.probed.size());
    for (const auto& column : s.matrix) {
        std::vector<std::string> breaking, risky;
        for (const std::size_t i : s.probed) {
            const auto verdict = column.verdicts[i].verdict;
            const std::string id = escape_control(s.devices[i].device.target.id);
            if (verdict == Verdict::breaks) {
                breaking.push_back(id);
            } else if (verdict == Verdict::risk) {
                risky.push_back(id);
            }
        }
        std::string line = breaking.empty() ? std::string("nobody breaks")
                                            : fmt::format("{} break: {}", breaking.size(),
                                                          fmt::join(breaking, ", "));
        if (!risky.empty()) {
            line += fmt::format("; {} at risk: {}", risky.size(), fmt::join(risky, ", "));
        }
        fmt::print("  {:<44} {}\n", column.change.description, line);
    }
    const Recommendation& rec = s.recommendation;
    if (s.probed.empty()) {
        fmt::print("\nNo device spoke TLS: nothing to recommend\n");
        return;
    }
    fmt::print("\nRecommended for {} (keeps {} of {} probed devices working):\n  {}\n",
               s.baseline->host.os, s.probed.size() - rec.breaking.size(), s.probed.size(),
               settings_text(rec.settings));
    if (rec.change) {
        fmt::print("  write it with: certforge probe --targets FILE --json > fleet.json; "
                   "certforge schannel --from-probe fleet.json --out fix.reg\n");
    } else {
        fmt::print("  that is the baseline: nothing to change\n");
    }
}

// Each device's outcome: its chain read, its profile checked or drafted,
// its failure cases on the `diagnosed` hosts.
void examine_devices(FleetSummary& summary, std::vector<FleetDevice> devices,
                     const std::map<std::string, Profile>& profiles, const FleetCommand& command,
                     const Backend& backend, const std::vector<Profile>& diagnosed) {
    const UnixTime now = unix_now();
    summary.devices.resize(devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        DeviceResult& r = summary.devices[i];
        r.device = std::move(devices[i]);
        const std::string& named =
            r.device.target.profile.empty() ? command.profile : r.device.target.profile;
        r.profile = named.empty() ? nullptr : &profiles.at(named);
        if (r.device.status == FleetStatus::unreachable) {
            continue;
        }
        r.outcome.target = r.device.target.target;
        r.outcome.report = std::move(r.device.report);
        if (r.device.status == FleetStatus::not_tls) {
            continue;
        }
        summary.probed.push_back(i);
        if (r.profile != nullptr) {
            r.outcome.device = *r.profile;
        }
        examine(r.outcome, backend, diagnosed, false, now);
        if (r.profile == nullptr) {
            r.drafted_id = profile_id_for(r.device.target.id);
            r.drafted = draft_profile(r.outcome.report, r.outcome.chain, r.drafted_id, now);
        }
    }
}

// The matrix of candidate changes and the recommendation.
void judge(FleetSummary& summary, const std::vector<Profile>& hosts) {
    const ServerSettings baseline = settings_of(*summary.baseline);
    summary.recommendation.settings = baseline;
    std::vector<DeviceEvidence> evidence;
    for (const std::size_t i : summary.probed) {
        evidence.push_back(evidence_of(summary.devices[i]));
    }
    for (auto& change : candidate_changes(*summary.baseline, hosts)) {
        MatrixColumn column{std::move(change), std::vector<DeviceVerdict>(summary.devices.size())};
        for (std::size_t k = 0; k < summary.probed.size(); ++k) {
            column.verdicts[summary.probed[k]] = evaluate(evidence[k], column.change.settings);
        }
        summary.matrix.push_back(std::move(column));
    }
    if (!evidence.empty()) { // with no device seen there is nothing to recommend
        summary.recommendation = recommend(evidence, baseline);
    }
}

} // namespace

int run_fleet_probe(const FleetCommand& command) {
    const auto targets = read_fleet_targets(utf8_path(command.targets_file));
    const auto backend = make_backend(command.backend); // a wrong one fails before the probes
    const auto profiles = device_profiles(targets, command.profile, command.targets_file);
    const std::vector<Profile> hosts = hosts_for("");
    const std::vector<Profile> chosen =
        command.server_os.empty() ? std::vector<Profile>{} : hosts_for(command.server_os);
    const std::vector<Profile>& diagnosed = command.server_os.empty() ? hosts : chosen;
    FleetSummary summary;
    const std::string baseline_id =
        command.server_os.empty() ? kDefaultFleetBaseline : diagnosed.front().id;
    for (const auto& host : hosts) {
        if (host.id == baseline_id) {
            summary.baseline = &host;
        }
    }
    if (summary.baseline == nullptr) {
        throw InputError(fmt::format("no host profile '{}' to compare against", baseline_id));
    }
    const auto prober = make_tls_prober();
    FleetRunOptions run;
    run.jobs = command.jobs;
    run.timeout_seconds = command.timeout;
    run.max_seconds = command.max_time;
    run.progress = progress_line();
    summary.jobs = static_cast<unsigned>(std::min<std::size_t>(command.jobs, targets.size()));
    const auto start = std::chrono::steady_clock::now();
    auto devices = probe_fleet(targets, *prober, run);
    summary.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    examine_devices(summary, std::move(devices), profiles, command, *backend, diagnosed);
    judge(summary, hosts);

    if (command.json) {
        print_json(fleet_json(summary));
    } else {
        print_fleet(summary);
    }
    const bool all_work = summary.probed.size() == summary.devices.size() &&
                          std::all_of(summary.probed.begin(), summary.probed.end(),
                                      [&](std::size_t i) { return works_today(summary, i); });
    return all_work ? kExitOk : kExitFindings;
}

} // namespace certforge::cli
