// SPDX-License-Identifier: Apache-2.0
// Command-line mistakes: one line on stderr with the `certforge: error:`
// prefix, exit 2, never a value the user typed.
#include "support/test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

using certforge::test::run_certforge;

namespace {

void check_usage_error(const std::vector<std::string>& args, const std::string& line) {
    INFO(fmt::format("certforge {}", fmt::join(args, " ")));
    const auto result = run_certforge(args);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err == "certforge: error: " + line + "\n");
}

} // namespace

TEST_CASE("usage errors: one prefixed line that names the command", "[cli][usage]") {
    check_usage_error({"mak"},
                      "unknown command 'mak'; did you mean 'make'? (certforge --help lists the "
                      "commands)");
    check_usage_error({"ca", "lst"}, "unknown command 'ca lst'; did you mean 'list'? (certforge "
                                     "ca --help lists the commands)");
    check_usage_error({}, "a command is required (certforge --help lists them)");
    check_usage_error({"ca"}, "ca: a command is required (certforge ca --help lists them)");
    check_usage_error({"make", "--prfile", "default", "--cn", "a"},
                      "make: unknown option --prfile; did you mean '--profile'? (certforge make "
                      "--help lists the options)");
    check_usage_error({"make", "--cn", "a", "--days", "0", "--out", "x"},
                      "make: --days must be in the range 1 to 36500");
    check_usage_error({"make", "--cn", "a"},
                      "make: --out is required (certforge make --help shows the usage)");
    check_usage_error({"verify", "--profile"}, "verify: --profile: 1 required TEXT missing "
                                               "(certforge verify --help shows the usage)");
}

TEST_CASE("usage errors never repeat a value: it may be a password", "[cli][usage]") {
    const std::vector<std::vector<std::string>> mistakes{
        {"make", "--cn", "a", "--out", "x", "--password", "s3cret-value"},
        {"make", "--cn", "a", "--out", "x", "--password=s3cret-value"},
        {"export", "--in", "a.pfx", "--format", "pem", "--out", "b", "s3cret-value"},
        {"make", "--cn", "a", "--out", "x", "--days", "s3cret-value"},
        {"batch", "sites.toml", "--jobs", "s3cret-value"},
    };
    for (const auto& args : mistakes) {
        INFO(fmt::format("certforge {}", fmt::join(args, " ")));
        const auto result = run_certforge(args);
        CHECK(result.exit_code == 2);
        CHECK(result.err.find("s3cret") == std::string::npos);
        CHECK(result.err.starts_with("certforge: error: "));
        CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
    }
}

TEST_CASE("help and version still exit 0 on stdout", "[cli][usage]") {
    const auto help = run_certforge({"make", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--profile"));
    CHECK(help.err.empty());
}
