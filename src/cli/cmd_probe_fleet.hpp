// SPDX-License-Identifier: Apache-2.0
// `certforge probe --targets FILE`: every device of a fleet at once, and
// which Terminal Server change would break which device.
#pragma once

#include <string>

namespace certforge::cli {

struct FleetCommand {
    std::string targets_file;
    unsigned jobs = 256;
    double timeout = 5.0;
    double max_time = 120.0;
    std::string profile;   // for targets that name none
    std::string server_os; // the baseline; empty: windows-server-2022, diagnosed on every host
    std::string backend;
    bool json = false;
};

// The baseline when --server-os is not given.
inline constexpr const char* kDefaultFleetBaseline = "windows-server-2022";

// Exit 0 when every device was probed and works with the baseline,
// 1 when one does not (or was not reached); throws for bad input.
int run_fleet_probe(const FleetCommand& command);

} // namespace certforge::cli
