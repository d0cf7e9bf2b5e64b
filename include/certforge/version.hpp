// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

namespace certforge {

// certforge's own version: "1.2.3" at a release tag, "1.2.3+4.gHASH" after
// one, "0.1.0+gHASH" before the first (".dirty" for a modified tree).
std::string_view version();

} // namespace certforge
