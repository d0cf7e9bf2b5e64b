// SPDX-License-Identifier: Apache-2.0
// Test hooks: environment variables that make a test build crash at a chosen
// moment or draw a fixed random sequence. They exist only when the build has
// CERTFORGE_TEST_HOOKS=ON (the default for builds with tests); in any other
// build test_hook() returns null and the variables do nothing.
#pragma once

#include <optional>
#include <string>

namespace certforge::detail {

// The value of the environment variable `name`, or null when it is unset
// or this build has no test hooks.
const char* test_hook(const char* name) noexcept;

// CERTFORGE_TEST_FIXED_RANDOM: the seed of a fixed random sequence that
// replaces each backend's generator (serials, salts, IVs, keys), so two
// builds can be compared byte for byte. Announced once on stderr.
std::optional<std::string> fixed_random_seed();

} // namespace certforge::detail
