// SPDX-License-Identifier: Apache-2.0
// The file system on POSIX: *at() calls on an open folder, O_NOFOLLOW,
// fchmod for exact modes, fsync, renameat2(RENAME_NOREPLACE), flock.
#include "lib/platform/files.hpp"

#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/system_error_text.hpp"

#include <cerrno>
#include <charconv>
#include <climits>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace certforge::platform {
namespace fs = std::filesystem;

namespace {

// A file descriptor closed with its owner.
class Fd {
public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    // Closes now; false (errno set) when close fails.
    bool close() noexcept { return ::close(std::exchange(fd_, -1)) == 0; }

private:
    int fd_;
};

struct DirCloser {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

Entry entry_of(const struct stat& st) {
    if (S_ISLNK(st.st_mode)) {
        return Entry::link;
    }
    if (S_ISDIR(st.st_mode)) {
        return Entry::folder;
    }
    return S_ISREG(st.st_mode) ? Entry::file : Entry::other;
}

} // namespace

struct Folder::Handle {
    fs::path path;
    Fd fd;
};

Entry entry_at(const fs::path& path, bool follow) {
    struct stat st {};
    const int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    return rc == 0 ? entry_of(st) : Entry::none;
}

bool readable(const fs::path& path) {
    return ::access(path.c_str(), R_OK) == 0;
}

bool create_folder(const fs::path& path, bool private_folder) {
    if (::mkdir(path.c_str(), 0700) != 0) {
        return false;
    }
    // mkdir's mode is filtered by the umask; set it exactly, on the folder
    // just made (never through a link put there meanwhile).
    const Fd folder(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (folder && ::fchmod(folder.get(), private_folder ? 0700 : 0755) == 0) {
        return true;
    }
    const int error = errno;
    ::rmdir(path.c_str());
    errno = error;
    return false;
}

bool remove_empty_folder(const fs::path& path) {
    return ::rmdir(path.c_str()) == 0;
}

std::string last_error_text() {
    return detail::errno_text();
}

std::vector<fs::path> shipped_profiles_candidates() {
    std::vector<fs::path> candidates;
    std::error_code ec;
    if (const fs::path self = fs::read_symlink("/proc/self/exe", ec); !ec) {
        candidates.push_back(self.parent_path().parent_path() / "share" / "certforge" / "profiles");
    }
    candidates.emplace_back(CERTFORGE_INSTALLED_PROFILES_DIR);
    return candidates;
}

fs::path admin_profiles_dir() {
    return CERTFORGE_SYSTEM_PROFILES_DIR;
}

Folder::Folder(const fs::path& dir, bool follow_link) : handle_(std::make_unique<Handle>()) {
    handle_->path = dir;
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow_link ? 0 : O_NOFOLLOW);
    handle_->fd = Fd(::open(dir.c_str(), flags));
    if (!handle_->fd) {
        const bool link = errno == ELOOP || (errno == ENOTDIR && fs::is_symlink(dir));
        throw InputError(
            link
                ? fmt::format("{} is a symbolic link: refusing to write through it", path_text(dir))
                : fmt::format("cannot open folder {}: {}", path_text(dir), detail::errno_text()));
    }
}

Folder::~Folder() = default;

const fs::path& Folder::path() const noexcept {
    return handle_->path;
}

Entry Folder::entry(const std::string& name) const {
    struct stat st {};
    if (::fstatat(handle_->fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return Entry::none;
    }
    return entry_of(st);
}

std::string Folder::create_file(const std::string& name, ByteView content, FileMode mode) const {
    const int dir = handle_->fd.get();
    Fd fd(::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   static_cast<mode_t>(mode)));
    if (!fd) {
        return detail::errno_text();
    }
    // O_CREAT's mode is filtered by the umask; set it exactly.
    bool ok = ::fchmod(fd.get(), static_cast<mode_t>(mode)) == 0;
    std::size_t written = 0;
    while (ok && written < content.size()) {
        const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        if (ok) {
            written += static_cast<std::size_t>(n);
        }
    }
    ok = ok && ::fsync(fd.get()) == 0;
    std::string reason = ok ? std::string() : detail::errno_text();
    if (!fd.close() && reason.empty()) {
        reason = detail::errno_text();
    }
    if (!reason.empty()) {
        ::unlinkat(dir, name.c_str(), 0);
    }
    return reason;
}

std::optional<std::string> Folder::read_file(const std::string& name, std::size_t limit) const {
    const Fd fd(::openat(handle_->fd.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    while (text.size() <= limit) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return std::nullopt;
        }
        if (n == 0) {
            return text;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    return std::nullopt;
}

Folder::Renamed Folder::rename(const std::string& from, const std::string& to, bool replace) const {
    const int dir = handle_->fd.get();
    int result = -1;
    if (!replace) {
        result = ::renameat2(dir, from.c_str(), dir, to.c_str(), RENAME_NOREPLACE);
        if (result != 0 && errno == EEXIST) {
            return Renamed::exists;
        }
    }
    if (result != 0 && (replace || errno == EINVAL || errno == ENOSYS)) {
        result = ::renameat(dir, from.c_str(), dir, to.c_str());
    }
    return result == 0 ? Renamed::done : Renamed::failed;
}

bool Folder::remove(const std::string& name) const {
    return ::unlinkat(handle_->fd.get(), name.c_str(), 0) == 0;
}

std::vector<std::string> Folder::names() const {
    std::vector<std::string> out;
    const std::unique_ptr<DIR, DirCloser> listing(::fdopendir(::dup(handle_->fd.get())));
    if (!listing) {
        return out;
    }
    while (const dirent* entry = ::readdir(listing.get())) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") {
            out.emplace_back(name);
        }
    }
    return out;
}

void Folder::sync() const {
    ::fsync(handle_->fd.get());
}

struct LockFile::State {
    const Folder* folder = nullptr;
    std::string name;
    Fd fd;
    bool locked = false;
};

LockFile::LockFile(const Folder& folder, const char* name) : state_(std::make_unique<State>()) {
    state_->folder = &folder;
    state_->name = name;
    state_->fd = Fd(
        ::openat(folder.handle().fd.get(), name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!state_->fd) {
        throw InputError(fmt::format("cannot write into {}: {}", path_text(folder.path()),
                                     detail::errno_text()));
    }
}

LockFile::~LockFile() {
    // Removed while still locked: a process that opened it meanwhile sees
    // that it is gone once it gets the lock, and makes a new one.
    if (state_->locked) {
        state_->folder->remove(state_->name);
    }
}

LockFile::Attempt LockFile::try_lock() {
    if (::flock(state_->fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK || errno == EINTR) {
            return Attempt::busy;
        }
        throw InputError(fmt::format("cannot lock folder {}: {}", path_text(state_->folder->path()),
                                     detail::errno_text()));
    }
    struct stat opened {};
    struct stat named {};
    const bool same = ::fstat(state_->fd.get(), &opened) == 0 &&
                      ::fstatat(state_->folder->handle().fd.get(), state_->name.c_str(), &named,
                                AT_SYMLINK_NOFOLLOW) == 0 &&
                      opened.st_dev == named.st_dev && opened.st_ino == named.st_ino;
    if (!same) {
        return Attempt::stale;
    }
    state_->locked = true;
    return Attempt::locked;
}

void LockFile::set_owner(long pid) {
    const std::string text = fmt::format("{}\n", pid);
    if (::ftruncate(state_->fd.get(), 0) == 0) {
        [[maybe_unused]] const ssize_t written =
            ::pwrite(state_->fd.get(), text.data(), text.size(), 0);
    }
}

long LockFile::owner() const {
    char text[32] = {};
    const ssize_t n = ::pread(state_->fd.get(), text, sizeof text - 1, 0);
    long pid = 0;
    if (n > 0) {
        std::from_chars(text, text + n, pid);
    }
    return pid;
}

} // namespace certforge::platform
