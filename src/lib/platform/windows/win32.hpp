// SPDX-License-Identifier: Apache-2.0
// Internal, Windows only: what the platform layer's Windows files share:
// UTF-8 <-> UTF-16, a HANDLE owner, the system's error text and the private
// security descriptor (full control for the current user, Administrators
// and SYSTEM only, not inherited from the folder).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <windows.h>

namespace certforge::platform::win32 {

std::wstring widen(std::string_view utf8);
std::string narrow(std::wstring_view utf16);

// `folder`\`name`, `name` being UTF-8.
std::wstring join(const std::filesystem::path& folder, std::string_view name);

struct HandleCloser {
    void operator()(HANDLE handle) const noexcept {
        if (handle != nullptr && handle != INVALID_HANDLE_VALUE) {
            ::CloseHandle(handle);
        }
    }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

inline UniqueHandle adopt(HANDLE handle) {
    return UniqueHandle(handle == INVALID_HANDLE_VALUE ? nullptr : handle);
}

// FormatMessage's text for `error`, one line.
std::string error_text(DWORD error);

// SECURITY_ATTRIBUTES for a private file or folder. A folder's entry is
// inherited by what is made in it.
class PrivateSecurity {
public:
    PrivateSecurity();
    ~PrivateSecurity();
    PrivateSecurity(const PrivateSecurity&) = delete;
    PrivateSecurity& operator=(const PrivateSecurity&) = delete;
    // Null when the descriptor could not be made (then the file is refused).
    SECURITY_ATTRIBUTES* get() noexcept { return descriptor_ ? &attributes_ : nullptr; }

private:
    PSECURITY_DESCRIPTOR descriptor_ = nullptr;
    SECURITY_ATTRIBUTES attributes_{};
};

} // namespace certforge::platform::win32
