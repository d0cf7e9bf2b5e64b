// SPDX-License-Identifier: Apache-2.0
// --version, `help [COMMAND...]`, and the help of every command: placeholders
// that name what a value is, and examples that use only the command's own
// options.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <sstream>

using certforge::test::run_certforge;

namespace {

// The names listed under "Subcommands:" in a help text.
std::vector<std::string> subcommands_in(const std::string& help) {
    std::vector<std::string> names;
    std::istringstream lines(help);
    bool in_list = false;
    for (std::string line; std::getline(lines, line);) {
        if (line == "Subcommands:") {
            in_list = true;
        } else if (line.empty()) {
            in_list = false;
        } else if (in_list && line.rfind("  ", 0) == 0) {
            names.push_back(line.substr(2, line.find(' ', 2) - 2));
        }
    }
    return names;
}

// Every command path below `path` (itself included), from the help texts.
void collect(const std::vector<std::string>& path, std::vector<std::vector<std::string>>& out) {
    std::vector<std::string> args{"help"};
    args.insert(args.end(), path.begin(), path.end());
    const auto help = run_certforge(args);
    REQUIRE(help.exit_code == 0);
    out.push_back(path);
    for (const auto& name : subcommands_in(help.out)) {
        auto sub = path;
        sub.push_back(name);
        collect(sub, out);
    }
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& word : words) {
        out += (out.empty() ? "" : " ") + word;
    }
    return out;
}

} // namespace

TEST_CASE("help: --version and help COMMAND work as in git and openssl", "[help]") {
    const auto version = run_certforge({"--version"});
    CHECK(version.exit_code == 0);
    const auto full = run_certforge({"version"});
    REQUIRE(full.exit_code == 0);
    CHECK(version.out == full.out.substr(0, full.out.find('\n') + 1));
    CHECK(std::regex_match(version.out, std::regex("certforge [0-9]+\\.[0-9]+\\.[0-9]+.*\n")));

    const auto root = run_certforge({"help"});
    CHECK(root.exit_code == 0);
    CHECK(root.out == run_certforge({"--help"}).out);
    for (const std::vector<std::string>& path :
         {std::vector<std::string>{"make"}, std::vector<std::string>{"ca", "sign"},
          std::vector<std::string>{"profiles", "list"}}) {
        std::vector<std::string> help{"help"};
        help.insert(help.end(), path.begin(), path.end());
        std::vector<std::string> flag = path;
        flag.push_back("--help");
        const auto by_command = run_certforge(help);
        INFO(joined(path));
        CHECK(by_command.exit_code == 0);
        CHECK(by_command.out == run_certforge(flag).out);
        CHECK_THAT(by_command.out, Catch::Contains("Usage: certforge " + joined(path) + " "));
    }
    const auto typo = run_certforge({"help", "mak"});
    CHECK(typo.exit_code == 2);
    CHECK(typo.err == "certforge: error: unknown command 'mak'; did you mean 'make'?\n");
    const auto nested = run_certforge({"help", "ca", "lst"});
    CHECK(nested.exit_code == 2);
    CHECK(nested.err == "certforge: error: unknown command 'ca lst'; did you mean 'list'?\n");
    const auto none = run_certforge({"help", "zzzz"});
    CHECK(none.exit_code == 2);
    CHECK(none.err ==
          "certforge: error: unknown command 'zzzz' (certforge help lists the commands)\n");
}

TEST_CASE("help: every command names its values and shows examples that fit it", "[help]") {
    std::vector<std::vector<std::string>> commands;
    collect({}, commands);
    CHECK(commands.size() >= 20);
    for (const auto& path : commands) {
        std::vector<std::string> args{"help"};
        args.insert(args.end(), path.begin(), path.end());
        const std::string help = run_certforge(args).out;
        INFO("certforge " << joined(path) << "\n" << help);
        // CLI11's type names say nothing to an admin.
        for (const char* type : {" TEXT", " UINT", " INT ", " INT\n", " FLOAT", " in [", ":{"}) {
            CHECK(help.find(type) == std::string::npos);
        }
        const auto examples_at = help.find("\nEXAMPLES:\n");
        REQUIRE(examples_at != std::string::npos);
        std::set<std::string> options;
        const std::regex option_re("(^|[ ,])(--[a-z0-9-]+)");
        const std::string listed = help.substr(0, examples_at);
        for (auto it = std::sregex_iterator(listed.begin(), listed.end(), option_re);
             it != std::sregex_iterator(); ++it) {
            options.insert((*it)[2]);
        }
        std::istringstream lines(help.substr(examples_at + 11));
        std::size_t examples = 0;
        for (std::string line; std::getline(lines, line) && !line.empty();) {
            ++examples;
            const std::string example = line.substr(2);
            const std::string prefix = "certforge " + (path.empty() ? "" : joined(path) + " ");
            if (path.size() == 1 &&
                (path[0] == "ca" || path[0] == "profiles" || path[0] == "scep")) {
                CHECK(example.rfind("certforge " + path[0] + " ", 0) == 0);
                continue;
            }
            if (path.empty() || path[0] == "help") {
                CHECK(example.rfind("certforge", 0) == 0);
                continue;
            }
            CHECK((example.rfind(prefix, 0) == 0 || example == "certforge " + joined(path)));
            for (auto it = std::sregex_iterator(example.begin(), example.end(), option_re);
                 it != std::sregex_iterator(); ++it) {
                INFO("example: " << example);
                CHECK(options.count((*it)[2]) == 1);
            }
        }
        CHECK(examples >= 1);
    }
}

TEST_CASE("help: the version follows git describe", "[help]") {
    const std::string version = CERTFORGE_EXPECTED_VERSION;
    // 1.2.3, 1.2.3+4.gHASH after a tag, 0.1.0+gHASH before any; .dirty for
    // a modified tree: all valid Debian upstream versions.
    CHECK(std::regex_match(version, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+"
                                               "(\\+([0-9]+\\.)?g[0-9a-f]{4,40})?(\\.dirty)?")));
    CHECK(run_certforge({"--version"}).out == "certforge " + version + "\n");
}
