// SPDX-License-Identifier: Apache-2.0
// Probing a whole fleet: the targets file, and a bounded pool of workers
// that probes every device once, each within the per-connection and
// per-device deadlines of its ProbeTarget. Results come back in the order
// of the targets file, whatever the number of workers.
#pragma once

#include "certforge/probe.hpp"

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct FleetTarget {
    std::string id;      // the device's name; "HOST:PORT" when the file gives none
    ProbeTarget target;  // host, port and sni; the deadlines are the run's
    std::string profile; // a device profile id or file; empty: none named
    std::size_t line = 0;
};

// The most targets one file may list.
inline constexpr std::size_t kMaxFleetTargets = 65536;

// Reads a targets file, by its extension:
//   .csv   RFC 4180 with a header row naming the columns id, address
//          (HOST[:PORT]), sni and profile; address is required;
//   .toml  [[device]] tables with the same keys;
//   other  a plain list, one "HOST[:PORT] [NAME]" a line; '#' starts a
//          comment, blank lines are skipped.
// The port is 443 when omitted; an IPv6 address goes in brackets
// ([::1]:443). Throws InputError "FILE:LINE: ..." for the first bad line,
// a duplicate id, no target at all, or more than kMaxFleetTargets.
std::vector<FleetTarget> read_fleet_targets(const std::filesystem::path& file);

// "HOST", "HOST:PORT", "[IPv6]" or "[IPv6]:PORT" into host and port.
// Throws UsageError naming `text` when it is none of these.
ProbeTarget parse_probe_address(std::string_view text);

// What became of one device.
enum class FleetStatus {
    probed,      // it spoke TLS: `report` holds what it accepts
    not_tls,     // it answered, but not with TLS (report.answer says what)
    unreachable, // no connection, no answer, or its probe ran out of time
};

struct FleetDevice {
    FleetTarget target;
    FleetStatus status = FleetStatus::unreachable;
    ProbeReport report; // probed and not_tls
    std::string error;  // unreachable: the one-line reason
    double seconds = 0; // how long its probe took
};

struct FleetProgress {
    std::size_t done = 0;
    std::size_t running = 0;
    std::size_t unreachable = 0;
    std::size_t total = 0;
};

struct FleetRunOptions {
    unsigned jobs = 256;          // workers; at most one per target
    double timeout_seconds = 5.0; // each connection
    double max_seconds = 120.0;   // each device
    // Called on the calling thread about every `progress_interval` seconds
    // while the run lasts, and once at its end.
    std::function<void(const FleetProgress&)> progress;
    double progress_interval = 0.25;
};

// Probes every target with at most `jobs` devices at once (each device is
// probed one connection at a time, as a single probe does). Memory grows
// with the workers and the results, not with waiting targets. Ends within
// ceil(targets / jobs) * max_seconds plus name resolution. The devices come
// back in the order of `targets`.
std::vector<FleetDevice> probe_fleet(const std::vector<FleetTarget>& targets,
                                     const TlsProber& prober, const FleetRunOptions& options);

std::string_view to_string(FleetStatus status);

} // namespace certforge
