// SPDX-License-Identifier: Apache-2.0
// Internal: the file system as certforge's writes need it, on POSIX and on
// Windows (one implementation per folder: posix/, windows/). Everything the
// OutputSet commit, its repair and the folder lock do goes through here.
//
// Private files: mode 0600 on POSIX; on Windows a protected ACL granting
// full control to the current user, Administrators and SYSTEM only.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/output_set.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge::platform {

enum class Entry { none, file, folder, link, other };

// What is at `path`: a symbolic link (on Windows any reparse point) is
// reported as `link` unless `follow`, then as what it points to.
Entry entry_at(const std::filesystem::path& path, bool follow);

// Whether the current user may read `path`.
bool readable(const std::filesystem::path& path);

// Creates the folder `path` (its parent exists): private (0700, or the
// private ACL) or public (0755, or inherited permissions). False with
// last_error_text() when it cannot, and no folder made; an existing folder
// is an error too.
bool create_folder(const std::filesystem::path& path, bool private_folder);

// Removes the empty folder `path`; false when it is not.
bool remove_empty_folder(const std::filesystem::path& path);

// The system's text for the last failed call here (errno, GetLastError).
std::string last_error_text();

// Where an installed certforge looks for its shipped profiles, in order:
// on POSIX ../share/certforge/profiles from the executable (a relocatable
// install), then the configured data folder; on Windows profiles\ beside
// certforge.exe.
std::vector<std::filesystem::path> shipped_profiles_candidates();

// The administrator's own profiles: the configured /etc/certforge/profiles
// on POSIX, %ProgramData%\certforge\profiles on Windows.
std::filesystem::path admin_profiles_dir();

// An open folder. Every operation names an entry directly in it and never
// follows a symbolic link at that name. On POSIX it holds the folder open
// (a rename of its path cannot redirect it); on Windows it holds the folder
// open without delete sharing, so it cannot be renamed meanwhile.
class Folder {
public:
    // Opens `dir`; a symbolic link there is followed only when
    // `follow_link`. Throws InputError "DIR is a symbolic link: refusing to
    // write through it" or "cannot open folder DIR: REASON".
    Folder(const std::filesystem::path& dir, bool follow_link);
    ~Folder();
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;

    const std::filesystem::path& path() const noexcept;

    Entry entry(const std::string& name) const;

    // Creates `name`, which must not exist, with exactly `mode`, writes
    // `content` and flushes it to disk. Empty on success; else the reason,
    // and nothing is left behind.
    std::string create_file(const std::string& name, ByteView content, FileMode mode) const;

    // The content of the regular file `name`, at most `limit` bytes; none
    // when it cannot be read.
    std::optional<std::string> read_file(const std::string& name, std::size_t limit) const;

    enum class Renamed { done, exists, failed };
    // Renames `from` to `to`. Without `replace` an existing `to` is left as
    // it is (`exists`); `failed` leaves the reason in last_error_text().
    Renamed rename(const std::string& from, const std::string& to, bool replace) const;

    // Removes the file `name`; false when it cannot.
    bool remove(const std::string& name) const;

    // The names of the folder's entries, without "." and "..".
    std::vector<std::string> names() const;

    // Makes the renames and removals so far durable (fsync of the folder on
    // POSIX; on Windows each rename is written through already).
    void sync() const;

    struct Handle;
    const Handle& handle() const noexcept { return *handle_; }

private:
    std::unique_ptr<Handle> handle_;
};

// A lock file in a folder, held exclusively among processes (flock on
// POSIX, LockFileEx on Windows) and naming its holder's pid.
class LockFile {
public:
    // Opens or creates `name` in `folder` (private, never through a link).
    // Throws InputError "cannot write into DIR: REASON".
    LockFile(const Folder& folder, const char* name);
    // Lets go. A held lock file is removed first on POSIX, where a waiting
    // process notices (try_lock says `stale`); Windows keeps the file,
    // since it cannot be removed while another process has it open.
    ~LockFile();
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;

    enum class Attempt {
        locked, // ours now
        busy,   // another holds it
        stale,  // locked, but its holder removed the name: open it again
    };
    // Throws InputError "cannot lock folder DIR: REASON".
    Attempt try_lock();

    // Writes `pid` into the held file.
    void set_owner(long pid);
    // The pid its holder wrote, 0 when there is none yet.
    long owner() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace certforge::platform
