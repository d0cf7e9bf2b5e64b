// SPDX-License-Identifier: Apache-2.0
// The parts of --help that are the same for every command: placeholders
// that say what a value is (FILE, DIR, PROFILE, DAYS, ...) instead of the
// C++ type, defaults where there is one, and an EXAMPLES section.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace certforge::cli {

// Sets every option's placeholder and default text and every command's
// examples, over the whole tree under `app`. Call after the last command
// is added. Throws std::logic_error naming an option or command that the
// tables do not cover, so a new one cannot ship without its help.
void finish_help(CLI::App& app);

// The command paths ("make", "ca list") with examples, for the tests.
std::vector<std::string> commands_with_examples();

} // namespace certforge::cli
