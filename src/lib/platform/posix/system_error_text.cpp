// SPDX-License-Identifier: Apache-2.0
#include "lib/platform/system_error_text.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

namespace certforge::detail {
namespace {

// strerror_r comes in two forms. The GNU one (glibc with _GNU_SOURCE, which
// g++ defines) returns the text, in `buffer` or a static string; the XSI one
// writes it into `buffer` and returns 0, or an error number.
[[maybe_unused]] std::string strerror_r_text(const char* text, const char*, int) {
    return text;
}
[[maybe_unused]] std::string strerror_r_text(int result, const char* buffer, int error) {
    return result == 0 ? std::string(buffer) : fmt::format("Unknown error {}", error);
}

} // namespace

std::string errno_text(int error) {
    char buffer[256] = {};
    return strerror_r_text(::strerror_r(error, buffer, sizeof buffer), buffer, error);
}

std::string errno_text() {
    return errno_text(errno);
}

} // namespace certforge::detail
