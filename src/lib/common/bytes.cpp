// SPDX-License-Identifier: Apache-2.0
#include "certforge/bytes.hpp"

#include "lib/platform/process.hpp"

namespace certforge {

void secure_wipe(void* data, std::size_t size) noexcept {
    if (data != nullptr && size > 0) {
        platform::wipe(data, size);
    }
}

namespace {

std::string hex_digits(ByteView bytes, std::string_view separator, const char* digits) {
    std::string out;
    out.reserve(bytes.size() * (2 + separator.size()));
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) {
            out += separator;
        }
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    return out;
}

} // namespace

std::string to_hex(ByteView bytes, std::string_view separator) {
    return hex_digits(bytes, separator, "0123456789abcdef");
}

std::string to_upper_hex(ByteView bytes) {
    return hex_digits(bytes, "", "0123456789ABCDEF");
}

} // namespace certforge
