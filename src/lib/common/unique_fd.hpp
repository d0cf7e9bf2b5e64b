// SPDX-License-Identifier: Apache-2.0
// RAII owners for POSIX handles: a file descriptor and a directory stream,
// closed when their owner goes, like every other C handle certforge holds.
#pragma once

#include <cstddef>
#include <dirent.h>
#include <memory>
#include <unistd.h>

namespace certforge::detail {

struct FdCloser {
    // A descriptor as unique_ptr's "pointer": -1 is null.
    struct pointer {
        int fd = -1;
        pointer() = default;
        pointer(std::nullptr_t) {}
        explicit pointer(int value) : fd(value) {}
        explicit operator bool() const { return fd >= 0; }
        friend bool operator==(pointer a, pointer b) { return a.fd == b.fd; }
    };
    void operator()(pointer p) const noexcept { ::close(p.fd); }
};

using UniqueFd = std::unique_ptr<int, FdCloser>;

inline UniqueFd adopt_fd(int fd) {
    return UniqueFd(FdCloser::pointer(fd));
}

inline int raw_fd(const UniqueFd& fd) {
    return fd.get().fd;
}

struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

using UniqueDir = std::unique_ptr<DIR, DirCloser>;

} // namespace certforge::detail
