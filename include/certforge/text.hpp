// SPDX-License-Identifier: Apache-2.0
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

// Up to `limit` candidates closest to `word` by edit distance, closest first,
// leaving out the ones too far away to be a typo.
std::vector<std::string> closest_names(std::string_view word,
                                       const std::vector<std::string>& candidates,
                                       std::size_t limit = 3);

} // namespace certforge
