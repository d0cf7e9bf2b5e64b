// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/version.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct VersionOptions {
    bool json = false;
};

int run_version(const VersionOptions& options) {
    nlohmann::json backends = nlohmann::json::array();
    for (const auto name : built_backends()) {
        const auto backend = make_backend(name);
        backends.push_back({{"name", std::string(name)},
                            {"library", backend->library_version()},
                            {"default", name == default_backend_name()}});
    }
    if (options.json) {
        print_json({{"schema", schema::kVersion},
                    {"certforge", std::string(version())},
                    {"backends", backends}});
        return kExitOk;
    }
    fmt::print("certforge {}\n", version());
    for (const auto& backend : backends) {
        fmt::print("backend {}: {}{}\n", backend["name"].get<std::string>(),
                   backend["library"].get<std::string>(),
                   backend["default"].get<bool>() ? " (default)" : "");
    }
    return kExitOk;
}

} // namespace

void add_version_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<VersionOptions>();
    auto* command = app.add_subcommand(
        "version", "Print certforge's version and the crypto backends built in, with their "
                   "library versions");
    command->add_flag("--json", options->json, "print JSON");
    on_run(command, selected, options, run_version);
}

} // namespace certforge::cli
