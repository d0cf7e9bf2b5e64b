// SPDX-License-Identifier: Apache-2.0
// The file system on Windows: CreateFileW with CREATE_NEW and
// FILE_FLAG_OPEN_REPARSE_POINT (never through a link), private ACLs,
// FlushFileBuffers, MoveFileExW(MOVEFILE_WRITE_THROUGH), LockFileEx.
#include "lib/platform/files.hpp"

#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/windows/win32.hpp"

#include <charconv>
#include <cstdlib>
#include <fmt/format.h>

namespace certforge::platform {
namespace fs = std::filesystem;
using win32::adopt;
using win32::UniqueHandle;

namespace {

constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

Entry entry_of(DWORD attributes) {
    return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ? Entry::folder : Entry::file;
}

Entry entry_of_wide(const std::wstring& path, bool follow) {
    const DWORD attributes = ::GetFileAttributesW(path.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) {
        return Entry::none;
    }
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) {
        return entry_of(attributes);
    }
    if (!follow) {
        return Entry::link;
    }
    const UniqueHandle target = adopt(::CreateFileW(
        path.c_str(), 0, kShareAll, nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    BY_HANDLE_FILE_INFORMATION info{};
    if (!target || !::GetFileInformationByHandle(target.get(), &info)) {
        return Entry::none;
    }
    return entry_of(info.dwFileAttributes);
}

// Closes `handle`; false (GetLastError set) when the close fails.
bool close(UniqueHandle& handle) {
    return ::CloseHandle(handle.release()) != 0;
}

} // namespace

struct Folder::Handle {
    fs::path path;
    UniqueHandle folder;
};

Entry entry_at(const fs::path& path, bool follow) {
    return entry_of_wide(path.wstring(), follow);
}

bool readable(const fs::path& path) {
    return static_cast<bool>(
        adopt(::CreateFileW(path.wstring().c_str(), GENERIC_READ, kShareAll, nullptr, OPEN_EXISTING,
                            FILE_FLAG_BACKUP_SEMANTICS, nullptr)));
}

bool create_folder(const fs::path& path, bool private_folder) {
    win32::PrivateSecurity security;
    if (private_folder && security.get() == nullptr) {
        return false;
    }
    return ::CreateDirectoryW(path.wstring().c_str(), private_folder ? security.get() : nullptr) !=
           0;
}

bool remove_empty_folder(const fs::path& path) {
    return ::RemoveDirectoryW(path.wstring().c_str()) != 0;
}

std::string last_error_text() {
    return win32::error_text(::GetLastError());
}

std::vector<fs::path> shipped_profiles_candidates() {
    std::wstring self(32768, L'\0');
    const DWORD size = ::GetModuleFileNameW(nullptr, self.data(), static_cast<DWORD>(self.size()));
    if (size == 0 || size >= self.size()) {
        return {};
    }
    self.resize(size);
    return {fs::path(self).parent_path() / L"profiles"};
}

fs::path admin_profiles_dir() {
    const wchar_t* data = ::_wgetenv(L"ProgramData");
    return fs::path(data != nullptr && *data != L'\0' ? data : L"C:\\ProgramData") / L"certforge" /
           L"profiles";
}

Folder::Folder(const fs::path& dir, bool follow_link) : handle_(std::make_unique<Handle>()) {
    handle_->path = dir;
    const std::wstring wide = dir.wstring();
    const Entry entry = entry_of_wide(wide, false);
    if (entry == Entry::link && !follow_link) {
        throw InputError(
            fmt::format("{} is a symbolic link: refusing to write through it", path_text(dir)));
    }
    // Without FILE_SHARE_DELETE: the folder cannot be renamed or removed
    // while certforge works in it.
    handle_->folder =
        adopt(::CreateFileW(wide.c_str(), FILE_LIST_DIRECTORY, FILE_SHARE_READ | FILE_SHARE_WRITE,
                            nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (!handle_->folder) {
        throw InputError(
            fmt::format("cannot open folder {}: {}", path_text(dir), last_error_text()));
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!::GetFileInformationByHandle(handle_->folder.get(), &info) ||
        (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0) {
        throw InputError(fmt::format("cannot open folder {}: not a folder", path_text(dir)));
    }
}

Folder::~Folder() = default;

const fs::path& Folder::path() const noexcept {
    return handle_->path;
}

Entry Folder::entry(const std::string& name) const {
    return entry_of_wide(win32::join(handle_->path, name), false);
}

std::string Folder::create_file(const std::string& name, ByteView content, FileMode mode) const {
    const std::wstring path = win32::join(handle_->path, name);
    win32::PrivateSecurity security;
    const bool private_file = mode == FileMode::private_file;
    if (private_file && security.get() == nullptr) {
        return "cannot make the private access list: " + last_error_text();
    }
    // CREATE_NEW fails on anything there, a link (even a dangling one) too.
    UniqueHandle file = adopt(
        ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, private_file ? security.get() : nullptr,
                      CREATE_NEW, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!file) {
        return last_error_text();
    }
    bool ok = true;
    std::size_t written = 0;
    while (ok && written < content.size()) {
        const DWORD chunk =
            static_cast<DWORD>(std::min<std::size_t>(content.size() - written, 1U << 30U));
        DWORD n = 0;
        ok = ::WriteFile(file.get(), content.data() + written, chunk, &n, nullptr) != 0 && n > 0;
        written += n;
    }
    ok = ok && ::FlushFileBuffers(file.get()) != 0;
    std::string reason = ok ? std::string() : last_error_text();
    if (!close(file) && reason.empty()) {
        reason = last_error_text();
    }
    if (!reason.empty()) {
        ::DeleteFileW(path.c_str());
    }
    return reason;
}

std::optional<std::string> Folder::read_file(const std::string& name, std::size_t limit) const {
    const std::wstring path = win32::join(handle_->path, name);
    if (entry_of_wide(path, false) != Entry::file) {
        return std::nullopt;
    }
    const UniqueHandle file =
        adopt(::CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING,
                            FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!file) {
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    while (text.size() <= limit) {
        DWORD n = 0;
        if (!::ReadFile(file.get(), buffer, sizeof buffer, &n, nullptr)) {
            return std::nullopt;
        }
        if (n == 0) {
            return text;
        }
        text.append(buffer, n);
    }
    return std::nullopt;
}

Folder::Renamed Folder::rename(const std::string& from, const std::string& to, bool replace) const {
    const DWORD flags = MOVEFILE_WRITE_THROUGH | (replace ? MOVEFILE_REPLACE_EXISTING : 0);
    if (::MoveFileExW(win32::join(handle_->path, from).c_str(),
                      win32::join(handle_->path, to).c_str(), flags)) {
        return Renamed::done;
    }
    const DWORD error = ::GetLastError();
    if (!replace && (error == ERROR_ALREADY_EXISTS || error == ERROR_FILE_EXISTS)) {
        return Renamed::exists;
    }
    ::SetLastError(error);
    return Renamed::failed;
}

bool Folder::remove(const std::string& name) const {
    return ::DeleteFileW(win32::join(handle_->path, name).c_str()) != 0;
}

std::vector<std::string> Folder::names() const {
    std::vector<std::string> out;
    WIN32_FIND_DATAW found{};
    HANDLE search = ::FindFirstFileW(win32::join(handle_->path, "*").c_str(), &found);
    if (search == INVALID_HANDLE_VALUE) {
        return out;
    }
    do {
        const std::wstring_view name = found.cFileName;
        if (name != L"." && name != L"..") {
            out.push_back(win32::narrow(name));
        }
    } while (::FindNextFileW(search, &found));
    ::FindClose(search);
    return out;
}

void Folder::sync() const {}

namespace {

// The byte LockFileEx locks: far beyond the pid text, so that a process
// that waits can still read who holds the lock.
constexpr DWORD kLockOffsetHigh = 1;

} // namespace

struct LockFile::State {
    std::string folder;
    UniqueHandle file;
    bool locked = false;
};

LockFile::LockFile(const Folder& folder, const char* name) : state_(std::make_unique<State>()) {
    state_->folder = path_text(folder.path());
    win32::PrivateSecurity security;
    state_->file =
        adopt(::CreateFileW(win32::join(folder.path(), name).c_str(), GENERIC_READ | GENERIC_WRITE,
                            kShareAll, security.get(), OPEN_ALWAYS,
                            FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!state_->file) {
        throw InputError(
            fmt::format("cannot write into {}: {}", state_->folder, last_error_text()));
    }
}

LockFile::~LockFile() {
    if (state_->locked) {
        OVERLAPPED at{};
        at.OffsetHigh = kLockOffsetHigh;
        ::UnlockFileEx(state_->file.get(), 0, 1, 0, &at);
    }
}

LockFile::Attempt LockFile::try_lock() {
    OVERLAPPED at{};
    at.OffsetHigh = kLockOffsetHigh;
    if (::LockFileEx(state_->file.get(), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1,
                     0, &at)) {
        state_->locked = true;
        return Attempt::locked;
    }
    const DWORD error = ::GetLastError();
    if (error == ERROR_LOCK_VIOLATION || error == ERROR_IO_PENDING) {
        return Attempt::busy;
    }
    throw InputError(
        fmt::format("cannot lock folder {}: {}", state_->folder, win32::error_text(error)));
}

void LockFile::set_owner(long pid) {
    const std::string text = fmt::format("{}\n", pid);
    LARGE_INTEGER start{};
    DWORD written = 0;
    if (::SetFilePointerEx(state_->file.get(), start, nullptr, FILE_BEGIN) &&
        ::SetEndOfFile(state_->file.get())) {
        ::WriteFile(state_->file.get(), text.data(), static_cast<DWORD>(text.size()), &written,
                    nullptr);
    }
}

long LockFile::owner() const {
    char text[32] = {};
    DWORD n = 0;
    OVERLAPPED at{};
    long pid = 0;
    if (::ReadFile(state_->file.get(), text, sizeof text - 1, &n, &at) && n > 0) {
        std::from_chars(text, text + n, pid);
    }
    return pid;
}

} // namespace certforge::platform
