// Small text helpers shared across the library and the CLI.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace certforge {

// ASCII lower case; other bytes unchanged.
std::string to_lower(std::string_view text);

// The non-empty parts of `text` between `separator`s ("a,,b" gives a, b).
std::vector<std::string> split(std::string_view text, char separator);

} // namespace certforge
