#pragma once

#include <string_view>

namespace certforge {

// certforge's own version, e.g. "0.1.0".
std::string_view version();

} // namespace certforge
