// SPDX-License-Identifier: Apache-2.0
#include "certforge/output_set.hpp"

#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/signal_guard.hpp"
#include "lib/common/commit_record.hpp"
#include "lib/common/system_error_text.hpp"
#include "lib/common/test_hooks.hpp"
#include "unique_fd.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace certforge {
namespace fs = std::filesystem;
using detail::adopt_fd;
using detail::errno_text;
using detail::kBackupEnd;
using detail::kCommitEnd;
using detail::kCommitLast;
using detail::raw_fd;
using detail::repair_locked;
using detail::sync_dir;
using detail::temp_suffix;
using detail::UniqueDir;
using detail::UniqueFd;

namespace {

std::optional<struct stat> stat_at(int dir_fd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return std::nullopt;
    }
    return st;
}

// Test hook (test_hooks.hpp): CERTFORGE_FAULT_IN_COMMIT="POINT:ACTION" acts at POINT of a
// commit: "written" (every temporary file written, before the renames) or
// "renamed-N" (after the N-th rename into place). ACTION is "kill"
// (SIGKILL), "int" or "term" (raises that signal) or "wait" (until a signal
// waits, at most 30 s).
class CommitFault {
public:
    CommitFault() {
        if (const char* value = detail::test_hook("CERTFORGE_FAULT_IN_COMMIT")) {
            spec_ = value;
        }
    }

    void at(std::string_view point) const {
        const auto colon = spec_.rfind(':');
        if (colon == std::string::npos || std::string_view(spec_).substr(0, colon) != point) {
            return;
        }
        const std::string_view action = std::string_view(spec_).substr(colon + 1);
        if (action == "kill") {
            std::raise(SIGKILL);
        } else if (action == "int") {
            std::raise(SIGINT);
        } else if (action == "term") {
            std::raise(SIGTERM);
        } else if (action == "wait") {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
            while (!SignalGuard::interrupted() && std::chrono::steady_clock::now() < deadline) {
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
        }
    }

private:
    std::string spec_;
};

// Writes `content` to a new file `name` in the folder (which must not
// exist, and is never followed as a link) with `mode`, and flushes it to
// disk.
void write_new_file(int dir_fd, const fs::path& shown, const std::string& name, ByteView content,
                    FileMode mode) {
    UniqueFd fd = adopt_fd(::openat(dir_fd, name.c_str(),
                                    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                                    static_cast<mode_t>(mode)));
    if (!fd) {
        throw InternalError(fmt::format("cannot create {}: {}", shown.string(), errno_text()));
    }
    // O_CREAT's mode is filtered by the umask; set it exactly.
    bool ok = ::fchmod(raw_fd(fd), static_cast<mode_t>(mode)) == 0;
    std::size_t written = 0;
    while (ok && written < content.size()) {
        const ssize_t n = ::write(raw_fd(fd), content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        if (ok) {
            written += static_cast<std::size_t>(n);
        }
    }
    ok = ok && ::fsync(raw_fd(fd)) == 0;
    const std::string reason = ok ? std::string() : errno_text();
    ok = ::close(fd.release().fd) == 0 && ok;
    if (!ok) {
        ::unlinkat(dir_fd, name.c_str(), 0);
        throw InternalError(fmt::format("cannot write {}: {}", shown.string(),
                                        reason.empty() ? errno_text() : reason));
    }
}

// Renames `from` to `to` in the folder; without `replace` an existing `to`
// is refused, not replaced.
void rename_at(int dir_fd, const fs::path& dir, const std::string& from, const std::string& to,
               bool replace) {
    int result = -1;
    if (!replace) {
        result = ::renameat2(dir_fd, from.c_str(), dir_fd, to.c_str(), RENAME_NOREPLACE);
        if (result != 0 && errno == EEXIST) {
            throw InputError(fmt::format("refusing to overwrite {} (use --force to replace)",
                                         (dir / to).string()));
        }
    }
    if (result != 0 && (replace || errno == EINVAL || errno == ENOSYS)) {
        result = ::renameat(dir_fd, from.c_str(), dir_fd, to.c_str());
    }
    if (result != 0) {
        throw InternalError(
            fmt::format("cannot rename {} to {}: {}", (dir / from).string(), to, errno_text()));
    }
}

// Refuses names that are folders; without `force` also names that exist or
// are symbolic links. `at_fd` is the folder, or AT_FDCWD to look names up
// as dir/name.
void refuse_names(int at_fd, const fs::path& dir, const std::vector<std::string>& names,
                  bool force) {
    std::vector<std::string> existing;
    std::vector<std::string> links;
    std::vector<std::string> folders;
    for (const auto& name : names) {
        const std::string shown = (dir / name).string();
        const auto st = stat_at(at_fd, at_fd == AT_FDCWD ? shown : name);
        if (!st) {
            continue;
        }
        if (S_ISLNK(st->st_mode)) {
            links.push_back(shown);
        } else if (S_ISDIR(st->st_mode)) {
            folders.push_back(shown);
        } else {
            existing.push_back(shown);
        }
    }
    if (!folders.empty()) {
        throw InputError(fmt::format("{} {} a folder, not a file", fmt::join(folders, ", "),
                                     folders.size() == 1 ? "is" : "are"));
    }
    if (force) {
        return;
    }
    if (!links.empty()) {
        throw InputError(fmt::format("refusing to write through the symbolic link{} {} (use "
                                     "--force to replace the link itself)",
                                     links.size() == 1 ? "" : "s", fmt::join(links, ", ")));
    }
    if (!existing.empty()) {
        throw InputError(fmt::format("refusing to overwrite {} (use --force to replace)",
                                     fmt::join(existing, ", ")));
    }
}

// Refuses a folder that is not one, or a symbolic link that `link` does
// not allow. True when the folder is there to write into (as itself or
// through a link that is followed).
bool check_folder(const fs::path& dir, bool force, FolderLink link) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) {
        return false;
    }
    if (S_ISLNK(st.st_mode)) {
        if (link == FolderLink::follow) {
            if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
                throw InputError(fmt::format("{} is not a folder", dir.string()));
            }
            return true;
        }
        if (link == FolderLink::replace && force) {
            return false;
        }
        throw InputError(fmt::format(
            "{} is a symbolic link: refusing to write through it{}", dir.string(),
            link == FolderLink::replace ? " (use --force to replace the link with a folder)" : ""));
    }
    if (!S_ISDIR(st.st_mode)) {
        throw InputError(fmt::format("{} is not a folder", dir.string()));
    }
    return true;
}

} // namespace

OutputSet::OutputSet(fs::path dir, bool force, FolderLink link)
    : dir_(std::move(dir)), force_(force), link_(link) {}

OutputSet::~OutputSet() = default;

void OutputSet::add(std::string name, ByteView content, FileMode mode) {
    files_.push_back({std::move(name), SecureBytes(content.begin(), content.end()), mode});
}

void OutputSet::refuse_existing(const fs::path& dir, const std::vector<std::string>& names,
                                bool force, FolderLink link) {
    if (check_folder(dir, force, link)) {
        refuse_names(AT_FDCWD, dir, names, force);
    }
}

std::vector<fs::path> OutputSet::commit() {
    const SignalGuard guard;
    std::vector<std::string> names;
    bool holds_private = false;
    for (const auto& file : files_) {
        names.push_back(file.name);
        holds_private = holds_private || file.mode == FileMode::private_file;
    }
    refuse_existing(dir_, names, force_, link_);

    std::optional<fs::path> replaced_link; // where it pointed, to put it back on failure
    std::error_code ec;
    if (link_ == FolderLink::replace && fs::is_symlink(dir_, ec)) {
        replaced_link = fs::read_symlink(dir_, ec);
        if (ec || ::unlink(dir_.c_str()) != 0) {
            throw InputError(fmt::format("cannot replace the symbolic link {}: {}", dir_.string(),
                                         ec ? ec.message() : errno_text()));
        }
    }
    std::vector<fs::path> created;
    try {
        created = make_folders(dir_, holds_private ? FolderMode::private_folder
                                                   : FolderMode::public_folder);
        return write_locked(names);
    } catch (...) {
        remove_folders(created);
        if (replaced_link) {
            fs::create_symlink(*replaced_link, dir_, ec);
        }
        throw;
    }
}

std::vector<fs::path> OutputSet::write_locked(const std::vector<std::string>& names) {
    const FolderLock lock(dir_, kCommitLockWait, link_ == FolderLink::follow);
    const int dir_fd = lock.folder_fd();
    repair_locked(dir_fd);
    refuse_names(dir_fd, dir_, names, force_);

    struct Staged {
        std::string name;
        std::string temp;
        std::string backup; // the replaced file, kept until the commit succeeds
        bool written = false;
        bool renamed = false;
    };
    const CommitFault fault;
    const std::string suffix = temp_suffix();
    const std::string record = suffix + std::string(kCommitEnd);
    std::vector<Staged> staged;
    bool recorded = false;
    const auto roll_back = [&] {
        if (recorded) {
            ::unlinkat(dir_fd, record.c_str(), 0);
            sync_dir(dir_fd);
        }
        for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
            if (it->renamed) {
                ::unlinkat(dir_fd, it->name.c_str(), 0);
            } else if (it->written) {
                ::unlinkat(dir_fd, it->temp.c_str(), 0);
            }
            if (!it->backup.empty()) {
                ::renameat(dir_fd, it->backup.c_str(), dir_fd, it->name.c_str());
            }
        }
        sync_dir(dir_fd);
    };
    const auto stop_if_interrupted = [] {
        if (SignalGuard::interrupted()) {
            throw InternalError("interrupted by a signal");
        }
    };

    try {
        for (const auto& file : files_) {
            staged.push_back({file.name, file.name + suffix, {}, false, false});
            write_new_file(dir_fd, dir_ / staged.back().temp, staged.back().temp, file.content,
                           file.mode);
            staged.back().written = true;
            stop_if_interrupted();
        }
        fault.at("written");
        stop_if_interrupted();
        std::string order;
        for (const auto& name : names) {
            order += name + "\n";
        }
        order += kCommitLast;
        write_new_file(dir_fd, dir_ / record, record, as_bytes(order), FileMode::private_file);
        recorded = true;
        sync_dir(dir_fd);
        std::size_t renamed = 0;
        for (auto& s : staged) {
            if (force_ && stat_at(dir_fd, s.name)) {
                rename_at(dir_fd, dir_, s.name, s.name + suffix + std::string(kBackupEnd), true);
                s.backup = s.name + suffix + std::string(kBackupEnd);
            }
            rename_at(dir_fd, dir_, s.temp, s.name, force_);
            s.renamed = true;
            fault.at(fmt::format("renamed-{}", ++renamed));
        }
        sync_dir(dir_fd);
    } catch (...) {
        roll_back();
        throw;
    }
    std::vector<fs::path> written;
    for (const auto& s : staged) {
        if (!s.backup.empty()) {
            ::unlinkat(dir_fd, s.backup.c_str(), 0);
        }
        written.push_back(dir_ / s.name);
    }
    ::unlinkat(dir_fd, record.c_str(), 0);
    sync_dir(dir_fd);
    files_.clear();
    return written;
}

} // namespace certforge
