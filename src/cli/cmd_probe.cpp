// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/diagnosis.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/probe.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/verify.hpp"
#include "cli_support.hpp"
#include "cmd_probe_fleet.hpp"
#include "probe_outcome.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct ProbeOptions {
    std::string target;
    std::string targets;
    unsigned jobs = 256;
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
    ProbeTarget target = parse_probe_address(options.target);
    target.sni = options.sni;
    target.timeout_seconds = options.timeout;
    target.max_seconds = options.max_time;
    return target;
}

int run_probe(const ProbeOptions& options) {
    if (!options.targets.empty()) {
        return run_fleet_probe({options.targets, options.jobs, options.timeout, options.max_time,
                                options.profile, options.server_os, options.backend, options.json});
    }
    if (options.target.empty()) {
        throw UsageError("name the device to probe (HOST:PORT) or a fleet (--targets FILE)");
    }
    ProbeOutcome outcome;
    outcome.target = parse_target(options);
    const auto backend = make_backend(options.backend);
    if (!options.profile.empty()) {
        outcome.device.emplace(load_profile(options.profile));
    }
    const std::vector<Profile> hosts = hosts_for(options.server_os);
    outcome.report = make_tls_prober()->probe(outcome.target);
    if (!outcome.report.speaks_tls) {
        if (options.json) {
            print_json(outcome_json(outcome));
        }
        throw InputError(fmt::format("{}:{} does not speak TLS: {}", outcome.target.host,
                                     outcome.target.port, describe(outcome.report.answer)));
    }
    const UnixTime now = unix_now();
    examine(outcome, *backend, hosts, !options.server_os.empty(), now);
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
    auto* target = command->add_option("target", options->target,
                                       "HOST:PORT ([IPv6]:PORT; port 443 if omitted)");
    auto* targets =
        command
            ->add_option("--targets", options->targets,
                         "probe a fleet: a file of devices, one 'HOST[:PORT] [NAME]' a line, or "
                         "a .csv or .toml with id, address, sni and profile (see README); prints "
                         "each device, who breaks under each candidate SChannel change, and the "
                         "strongest change that keeps them working; exit 1 when a device does "
                         "not work with --server-os's defaults or was not reached")
            ->excludes(target);
    command
        ->add_option("--jobs", options->jobs,
                     "with --targets: devices probed at once, each one connection at a time "
                     "(default 256)")
        ->check(CLI::Range(1u, 4096u))
        ->needs(targets);
    command->add_option("--sni", options->sni, "server name to send")->excludes(targets);
    command
        ->add_option("--timeout", options->timeout,
                     "seconds for each connection, from the TCP connect to the end of its "
                     "handshake (default 5)")
        ->check(CLI::Range(0.1, 120.0));
    command
        ->add_option("--max-time", options->max_time,
                     "seconds for the whole probe of a device (default 120); it makes one "
                     "connection per version and per cipher suite the device accepts, each "
                     "within --timeout, and ends with exit 3 when this runs out (with "
                     "--targets: the device is reported unreachable)")
        ->check(CLI::Range(1.0, 3600.0));
    command->add_option("--profile", options->profile,
                        "device profile: check the device's own certificate and use its known "
                        "defects (with --targets: for the devices that name none)");
    command->add_option("--server-os", options->server_os,
                        "the Terminal Server's Windows (host profile); default: every Windows "
                        "version. With it, --json carries the schannel_fix. With --targets: the "
                        "baseline the changes start from (default windows-server-2022)");
    command
        ->add_option("--write-profile", options->write_profile,
                     "draft a device profile (TOML) from what was seen")
        ->excludes(targets);
    add_backend_option(command, options->backend);
    command->add_flag("--force", options->force, "replace an existing --write-profile file");
    command->add_flag(
        "--json", options->json,
        fmt::format("print JSON ({}; with --targets {})", schema::kProbe, schema::kFleetProbe));
    on_run(command, selected, options, run_probe);
}

} // namespace certforge::cli
