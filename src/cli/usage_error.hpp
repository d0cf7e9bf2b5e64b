// SPDX-License-Identifier: Apache-2.0
// Command-line parse errors as certforge reports every error: one line,
// `certforge: error: ...`, exit 2, and never a value the user typed (a
// mistyped option may be followed by a password).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace certforge::cli {

// "; did you mean 'make'?" when one of `names` is close to `typed`, else "".
std::string suggestion(const std::string& typed, const std::vector<std::string>& names);

// The text after "certforge: error: " for a parse error of `app` (the top
// level; the command being parsed is found from it): option names and the
// command path, never option values.
std::string usage_error_line(const CLI::App& app, const CLI::ParseError& error);

} // namespace certforge::cli
