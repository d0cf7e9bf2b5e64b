// SPDX-License-Identifier: Apache-2.0
// Byte containers. SecureBytes and SecureString wipe their memory when it is
// released, for private keys and passwords.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

// Overwrites memory with zeros in a way the compiler may not elide.
void secure_wipe(void* data, std::size_t size) noexcept;

// An allocator that wipes every block before it is freed.
template <class T> struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U> WipingAllocator(const WipingAllocator<U>&) noexcept {}
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_wipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <class U> bool operator==(const WipingAllocator<U>&) const noexcept { return true; }
};

using Bytes = std::vector<std::uint8_t>;
using SecureBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using SecureString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
using ByteView = std::span<const std::uint8_t>;

// Lower-case hex, optionally with a separator between bytes ("ab:cd").
std::string to_hex(ByteView bytes, std::string_view separator = "");
// The same in upper case, no separator ("3F2A").
std::string to_upper_hex(ByteView bytes);

inline ByteView as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

} // namespace certforge
