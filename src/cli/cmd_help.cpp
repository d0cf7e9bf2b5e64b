// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "cli_support.hpp"
#include "usage_error.hpp"

#include <fmt/format.h>
#include <iostream>

namespace certforge::cli {
namespace {

struct HelpOptions {
    std::vector<std::string> command;
};

std::vector<std::string> visible_commands(const CLI::App& parent) {
    std::vector<std::string> names;
    for (const CLI::App* sub : parent.get_subcommands([](const CLI::App*) { return true; })) {
        if (!sub->get_group().empty()) {
            names.push_back(sub->get_name());
        }
    }
    return names;
}

int run_help(const CLI::App& root, const HelpOptions& options) {
    const CLI::App* command = &root;
    std::string parent_path = root.get_name();
    std::string path;
    for (const auto& name : options.command) {
        const auto names = visible_commands(*command);
        path += (path.empty() ? "" : " ") + escape_control(name);
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            const std::string close = suggestion(name, names);
            throw UsageError(
                fmt::format("unknown command '{}'{}", path,
                            close.empty() ? " (certforge help lists the commands)" : close));
        }
        if (command != &root) {
            parent_path += " " + command->get_name();
        }
        command = command->get_subcommand(name);
    }
    // The root's own help(), called while `help` is the selected command,
    // would print help's help.
    std::cout << (command == &root ? root.get_formatter()->make_help(&root, root.get_name(),
                                                                     CLI::AppFormatMode::Normal)
                                   : command->help(parent_path));
    return kExitOk;
}

} // namespace

void add_help_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<HelpOptions>();
    auto* command = app.add_subcommand(
        "help", "Print the help of certforge or of a command: certforge help ca list");
    command->add_option("command", options->command, "the command (and its subcommand)")
        ->type_name("COMMAND");
    command->footer("EXAMPLES:\n  certforge help\n  certforge help make\n  certforge help ca sign");
    const CLI::App* root = &app;
    command->callback([&selected, options, root] {
        selected = [options, root] {
            return run_help(*root, *options);
        };
    });
}

} // namespace certforge::cli
