// SPDX-License-Identifier: Apache-2.0
#include "certforge/folder_lock.hpp"

#include "certforge/errors.hpp"
#include "certforge/signal_guard.hpp"
#include "lib/common/system_error_text.hpp"
#include "unique_fd.hpp"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <fmt/format.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>

namespace certforge {
namespace fs = std::filesystem;
using detail::adopt_fd;
using detail::errno_text;
using detail::raw_fd;
using detail::UniqueFd;

namespace {

constexpr auto kRetryEvery = std::chrono::milliseconds{20};

// The pid the holder wrote into the lock file, 0 when there is none yet.
long holder_pid(int fd) {
    char text[32] = {};
    const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    long pid = 0;
    if (n > 0) {
        std::from_chars(text, text + n, pid);
    }
    return pid;
}

bool same_file(int fd, int dir_fd, const char* name) {
    struct stat opened {};
    struct stat named {};
    return ::fstat(fd, &opened) == 0 && ::fstatat(dir_fd, name, &named, AT_SYMLINK_NOFOLLOW) == 0 &&
           opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
}

} // namespace

struct FolderLock::Held {
    fs::path path;
    UniqueFd folder;
    UniqueFd file;

    ~Held() {
        // Removed while still locked: a process that opened it meanwhile
        // sees that it is gone once it gets the lock, and makes a new one.
        if (file) {
            ::unlinkat(raw_fd(folder), kFolderLockFile, 0);
        }
    }
};

FolderLock::FolderLock(const fs::path& dir, std::chrono::milliseconds wait, bool follow_link) {
    auto held = std::make_unique<Held>();
    held->path = dir;
    const int folder_flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW);
    UniqueFd folder = adopt_fd(::open(dir.c_str(), folder_flags));
    if (!folder) {
        const bool link = errno == ELOOP || (errno == ENOTDIR && fs::is_symlink(dir));
        throw InputError(
            link ? fmt::format("{} is a symbolic link: refusing to write through it", dir.string())
                 : fmt::format("cannot open folder {}: {}", dir.string(), errno_text()));
    }
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
        UniqueFd file = adopt_fd(::openat(raw_fd(folder), kFolderLockFile,
                                          O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!file) {
            throw InputError(fmt::format("cannot write into {}: {}", dir.string(), errno_text()));
        }
        if (::flock(raw_fd(file), LOCK_EX | LOCK_NB) == 0) {
            if (!same_file(raw_fd(file), raw_fd(folder), kFolderLockFile)) {
                continue; // its holder removed it as it let go
            }
            const std::string pid = fmt::format("{}\n", ::getpid());
            if (::ftruncate(raw_fd(file), 0) == 0) {
                [[maybe_unused]] const ssize_t written =
                    ::pwrite(raw_fd(file), pid.data(), pid.size(), 0);
            }
            held->folder = std::move(folder);
            held->file = std::move(file);
            held_ = std::move(held);
            return;
        }
        if (errno != EWOULDBLOCK && errno != EINTR) {
            throw InputError(fmt::format("cannot lock folder {}: {}", dir.string(), errno_text()));
        }
        if (std::chrono::steady_clock::now() >= deadline || SignalGuard::interrupted()) {
            const long pid = holder_pid(raw_fd(file));
            throw InputError(fmt::format("folder {} is in use by another certforge{}", dir.string(),
                                         pid > 0 ? fmt::format(" (pid {})", pid) : ""));
        }
        std::this_thread::sleep_for(kRetryEvery);
    }
}

FolderLock::~FolderLock() = default;

int FolderLock::folder_fd() const noexcept {
    return raw_fd(held_->folder);
}

const fs::path& FolderLock::path() const noexcept {
    return held_->path;
}

} // namespace certforge
