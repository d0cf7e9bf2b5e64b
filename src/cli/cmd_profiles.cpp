// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_json.hpp"
#include "certforge/profile_text.hpp"
#include "certforge/text.hpp"
#include "cli_support.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct ListOptions {
    std::string vendor;
    std::string model;
    std::string kind;
    std::vector<std::string> words; // profiles search: each must match
    bool json = false;
};

bool contains(std::string_view text, std::string_view part) {
    return to_lower(text).find(to_lower(part)) != std::string::npos;
}

bool any_contains(const std::vector<std::string>& texts, std::string_view part) {
    return std::any_of(texts.begin(), texts.end(),
                       [&](const std::string& text) { return contains(text, part); });
}

// The filters of list and search: --vendor and --model take part of a name,
// case-insensitive; each search word must be in the id, name, vendor or a
// model.
bool selected_by(const Profile& profile, const ListOptions& options) {
    if (!options.vendor.empty() && !contains(profile.vendor, options.vendor)) {
        return false;
    }
    if (!options.model.empty() && !any_contains(profile.models, options.model)) {
        return false;
    }
    if (!options.kind.empty() && to_string(profile.kind) != options.kind) {
        return false;
    }
    return std::all_of(options.words.begin(), options.words.end(), [&](const std::string& word) {
        return contains(profile.id, word) || contains(profile.name, word) ||
               contains(profile.vendor, word) || any_contains(profile.models, word);
    });
}

struct ShowOptions {
    std::string name;
    bool json = false;
};

struct LintOptions {
    std::vector<std::string> files;
    bool all = false;
    bool json = false;
};

int run_list(const ListOptions& options) {
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<Profile> profiles;
    for (const auto& entry : catalog.entries()) {
        try {
            Profile profile = catalog.load_file(entry.file);
            if (selected_by(profile, options)) {
                profiles.push_back(std::move(profile));
            }
        } catch (const InputError& e) {
            warn(fmt::format("skipping a profile that does not load: {}", e.what()));
        }
    }
    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : profiles) {
            list.push_back({{"id", p.id},
                            {"kind", std::string(to_string(p.kind))},
                            {"vendor", p.vendor},
                            {"name", p.name},
                            {"legacy", p.legacy},
                            {"file", path_text(p.file)}});
        }
        print_json({{"schema", schema::kProfilesList}, {"profiles", list}});
        return kExitOk;
    }
    if (profiles.empty()) {
        fmt::print("no profile matches (certforge profiles search WORD looks in ids, names, "
                   "vendors and models)\n");
        return kExitOk;
    }
    fmt::print("{:<24} {:<7} {:<18} {:<7} {}\n", "ID", "KIND", "VENDOR", "LEGACY", "NAME");
    for (const auto& p : profiles) {
        fmt::print("{:<24} {:<7} {:<18} {:<7} {}\n", p.id, to_string(p.kind), p.vendor,
                   p.legacy ? "yes" : "no", p.name);
    }
    return kExitOk;
}

int run_show(const ShowOptions& options) {
    const Profile profile = ProfileCatalog::from_environment().load(options.name);
    if (options.json) {
        nlohmann::json json = to_json(profile);
        json["schema"] = schema::kProfile;
        print_json(json);
        return kExitOk;
    }
    fmt::print("{}", to_text(profile));
    return kExitOk;
}

int run_lint(const LintOptions& options) {
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<std::filesystem::path> files(options.files.begin(), options.files.end());
    if (options.all) {
        for (const auto& entry : catalog.entries()) {
            files.push_back(entry.file);
        }
    }
    if (files.empty()) {
        throw UsageError("name profile files to lint, or use --all");
    }
    int problems = 0;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& file : files) {
        std::vector<std::string> warnings;
        std::string error;
        try {
            const Profile profile = catalog.load_file(file);
            if (profile.legacy && !profile.allows_weak_crypto()) {
                warnings.push_back("legacy = true, but the profile allows nothing weak");
            }
        } catch (const InputError& e) {
            error = e.what();
            ++problems;
        }
        if (options.json) {
            results.push_back(
                {{"file", path_text(file)},
                 {"ok", error.empty()},
                 {"warnings", warnings},
                 {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}});
            continue;
        }
        for (const auto& warning : warnings) {
            fmt::print("{}: warning: {}\n", path_text(file), warning);
        }
        fmt::print("{}\n", error.empty() ? path_text(file) + ": ok" : error);
    }
    if (options.json) {
        print_json({{"schema", schema::kProfilesLint},
                    {"result", problems == 0 ? "pass" : "fail"},
                    {"problems", problems},
                    {"files", results}});
    }
    return problems == 0 ? kExitOk : kExitFindings;
}

} // namespace

void add_profiles_command(CLI::App& app, Action& selected) {
    auto* profiles = app.add_subcommand(
        "profiles", "List, show and check device profiles (searched in $CERTFORGE_PROFILE_PATH, "
                    "then the shipped profiles)");
    profiles->require_subcommand(1, 1);

    auto list = std::make_shared<ListOptions>();
    auto* list_cmd = profiles->add_subcommand("list", "List every profile found");
    list_cmd->add_option(
        "--vendor", list->vendor,
        "only this vendor's profiles (case-insensitive, part of the name will do)");
    list_cmd->add_option("--model", list->model,
                         "only profiles that list this model (case-insensitive, part of the "
                         "name will do: 'IM 2500', 'bizhub 751')");
    list_cmd->add_option("--kind", list->kind, "device or host")
        ->check(CLI::IsMember({"device", "host"}));
    list_cmd->add_flag("--json", list->json, fmt::format("print JSON ({})", schema::kProfilesList));
    on_run(list_cmd, selected, list, run_list);

    auto search = std::make_shared<ListOptions>();
    auto* search_cmd = profiles->add_subcommand(
        "search", "Find profiles by words in their id, name, vendor or models (each word "
                  "must match; case-insensitive)");
    search_cmd->add_option("words", search->words, "words to look for, e.g. bizhub C300i")
        ->required();
    search_cmd->add_flag("--json", search->json,
                         fmt::format("print JSON ({})", schema::kProfilesList));
    on_run(search_cmd, selected, search, run_list);

    auto show = std::make_shared<ShowOptions>();
    auto* show_cmd =
        profiles->add_subcommand("show", "Show one profile with every setting resolved");
    show_cmd->add_option("profile", show->name, "profile name or path to a .toml file")->required();
    show_cmd->add_flag("--json", show->json, fmt::format("print JSON ({})", schema::kProfile));
    on_run(show_cmd, selected, show, run_show);

    auto lint = std::make_shared<LintOptions>();
    auto* lint_cmd =
        profiles->add_subcommand("lint", "Check profile files; exit 1 when any does not load");
    lint_cmd->add_option("files", lint->files, "profile files");
    lint_cmd->add_flag("--all", lint->all, "check every profile on the search path");
    lint_cmd->add_flag("--json", lint->json, fmt::format("print JSON ({})", schema::kProfilesLint));
    on_run(lint_cmd, selected, lint, run_lint);
}

} // namespace certforge::cli
