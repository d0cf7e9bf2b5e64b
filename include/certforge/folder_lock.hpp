// SPDX-License-Identifier: Apache-2.0
// An exclusive lock on a folder among certforge processes: flock() (on
// Windows LockFileEx) on ".certforge.lock" in the folder, which names the
// holder's pid and is removed when the lock goes (Windows keeps the file). Every certforge write
// into a folder (OutputSet::commit) holds it; batch holds its output folder's for the whole run.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

namespace certforge {
namespace platform {
class Folder;
}

inline constexpr const char* kFolderLockFile = ".certforge.lock";

class FolderLock {
public:
    // Opens and locks `dir`, which must exist; a symbolic link there is
    // followed only when `follow_link`. While another process holds the
    // lock it tries again for up to `wait` (less when a signal waits, see
    // SignalGuard), then throws InputError "folder DIR is in use by another
    // certforge (pid N)". Throws InputError when the folder cannot be opened
    // or the lock file cannot be made in it. Not shared within a process: a
    // second lock of the same folder fails like another process's.
    explicit FolderLock(const std::filesystem::path& dir,
                        std::chrono::milliseconds wait = std::chrono::milliseconds{0},
                        bool follow_link = true);
    ~FolderLock();
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

    // The locked folder, open, for operations that a renamed or replaced
    // path cannot redirect.
    const platform::Folder& folder() const noexcept;
    const std::filesystem::path& path() const noexcept;

private:
    struct Held;
    std::unique_ptr<Held> held_;
};

} // namespace certforge
