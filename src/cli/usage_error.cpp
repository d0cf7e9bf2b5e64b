// SPDX-License-Identifier: Apache-2.0
#include "usage_error.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace certforge::cli {
namespace {

// The command being parsed: the deepest subcommand that was selected.
const CLI::App* current_command(const CLI::App& app) {
    const CLI::App* current = &app;
    for (;;) {
        const auto selected = current->get_subcommands();
        if (selected.empty()) {
            return current;
        }
        current = selected.front();
    }
}

std::string command_path(const CLI::App* command) {
    std::vector<std::string> names;
    for (const CLI::App* at = command; at != nullptr; at = at->get_parent()) {
        names.push_back(at->get_name());
    }
    std::reverse(names.begin(), names.end());
    std::string path;
    for (const auto& name : names) {
        path += (path.empty() ? "" : " ") + name;
    }
    return path;
}

std::vector<std::string> subcommand_names(const CLI::App* command) {
    std::vector<std::string> names;
    for (const CLI::App* sub : command->get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
    }
    return names;
}

std::vector<std::string> option_names(const CLI::App* command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command->get_options()) {
        for (const auto& name : option->get_lnames()) {
            names.push_back("--" + name);
        }
    }
    return names;
}

std::string extras_line(const CLI::App& app, const CLI::App* command, const std::string& path,
                        const std::string& where) {
    std::vector<std::string> unknown_options;
    std::size_t words = 0;
    std::string first_word;
    for (const auto& extra : app.remaining(true)) {
        if (extra.starts_with("-") && extra.size() > 1) {
            const std::string name = extra.substr(0, extra.find('='));
            unknown_options.push_back(escape_control(name));
        } else {
            if (words++ == 0) {
                first_word = extra;
            }
        }
    }
    if (!unknown_options.empty()) {
        return fmt::format("{}unknown option {}{} ({} --help lists the options)", where,
                           unknown_options.front(),
                           suggestion(unknown_options.front(), option_names(command)), path);
    }
    const auto commands = subcommand_names(command);
    if (!commands.empty() && words > 0) {
        const std::string typed =
            where.empty() ? first_word : where.substr(0, where.size() - 2) + " " + first_word;
        return fmt::format("unknown command '{}'{} ({} --help lists the commands)",
                           escape_control(typed), suggestion(first_word, commands), path);
    }
    return fmt::format("{}{} unexpected argument{} (values are not repeated here; {} --help "
                       "shows the usage)",
                       where, words, words == 1 ? "" : "s", path);
}

} // namespace

std::string suggestion(const std::string& typed, const std::vector<std::string>& names) {
    const auto close = closest_names(typed, names, 1);
    return close.empty() ? std::string() : fmt::format("; did you mean '{}'?", close.front());
}

std::string usage_error_line(const CLI::App& app, const CLI::ParseError& error) {
    const CLI::App* command = current_command(app);
    const std::string path = command_path(command);
    const std::string where =
        command == &app ? std::string() : path.substr(path.find(' ') + 1) + ": ";
    const std::string message = error.what();
    // Unknown words explain most other errors ("--out is required" after
    // a mistyped --out), so they come first.
    if (dynamic_cast<const CLI::ExtrasError*>(&error) != nullptr || !app.remaining(true).empty()) {
        return extras_line(app, command, path, where);
    }
    if (dynamic_cast<const CLI::ConversionError*>(&error) != nullptr ||
        dynamic_cast<const CLI::ValidationError*>(&error) != nullptr) {
        // CLI11 words these "--days: Value X not in range 1 to 36500", "Could
        // not convert: --days = X" or "The value X is not an allowed value for
        // --side": only the option's name (one the command has) and the range
        // are taken from it.
        std::string option;
        std::size_t option_at = std::string::npos;
        for (const auto& name : option_names(command)) {
            const auto at = message.find(name);
            const bool whole = at != std::string::npos && (at + name.size() == message.size() ||
                                                           message[at + name.size()] == ':' ||
                                                           message[at + name.size()] == ' ');
            if (whole && (option_at == std::string::npos || at < option_at)) {
                option = name;
                option_at = at;
            }
        }
        const std::string range_marker = " not in range ";
        const auto range_at = message.rfind(range_marker);
        if (!option.empty() && option_at == 0 && range_at != std::string::npos) {
            return fmt::format("{}{} must be in the range {}", where, option,
                               escape_control(message.substr(range_at + range_marker.size())));
        }
        if (!option.empty()) {
            return fmt::format("{}invalid value for {} ({} --help says what it takes)", where,
                               option, path);
        }
        return fmt::format("{}an invalid value ({} --help shows the usage)", where, path);
    }
    if (dynamic_cast<const CLI::RequiredError*>(&error) != nullptr &&
        message.starts_with("A subcommand")) {
        return fmt::format("{}a command is required ({} --help lists them)", where, path);
    }
    const std::string first_line = message.substr(0, message.find('\n'));
    return fmt::format("{}{} ({} --help shows the usage)", where, escape_control(first_line), path);
}

} // namespace certforge::cli
