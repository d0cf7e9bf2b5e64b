// SPDX-License-Identifier: Apache-2.0
#include "lib/platform/system_error_text.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace certforge::detail {

std::string errno_text(int error) {
    char buffer[256] = {};
    if (::strerror_s(buffer, sizeof buffer, error) != 0) {
        return fmt::format("Unknown error {}", error);
    }
    return buffer;
}

std::string errno_text() {
    return errno_text(errno);
}

} // namespace certforge::detail
