// SPDX-License-Identifier: Apache-2.0
// Writes a set of files into one folder all or nothing: each file goes to a
// temporary name first (created exclusively, with its final mode), and only
// when all are written are they renamed into place, in the order they were
// added. Existing files are refused unless `force`; a symbolic link is never
// written through. A failed commit removes what it wrote and puts back what
// it replaced; a killed one is finished or undone by the next write into the
// folder (repair_interrupted_writes).
//
// Temporary names carry the writer's pid: "NAME.certforge-tmp-PID-RANDOM",
// the replaced file "NAME.certforge-tmp-PID-RANDOM.old" until the commit
// ends, and ".certforge-tmp-PID-RANDOM.commit" (the names in rename order)
// from the moment every file is written until the renames are done.
#pragma once

#include "certforge/bytes.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace certforge {

// Modes are set exactly, whatever the umask.
enum class FileMode : unsigned { public_file = 0644, private_file = 0600 };
enum class FolderMode : unsigned { public_folder = 0755, private_folder = 0700 };

// What an OutputSet does when its folder is a symbolic link.
enum class FolderLink {
    follow,  // writes into the folder it points to: the user named a file in it
    refuse,  // refuses, force or not (batch's site folders)
    replace, // refuses without force; with force replaces the link itself with
             // a new folder, never touching what it points to (make --out)
};

// How long a commit waits for another certforge's write into the same folder.
inline constexpr std::chrono::milliseconds kCommitLockWait{10000};

class OutputSet {
public:
    OutputSet(std::filesystem::path dir, bool force, FolderLink link = FolderLink::follow);
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    void add(std::string name, ByteView content, FileMode mode);
    void add(std::string name, std::string_view content, FileMode mode) {
        add(std::move(name), as_bytes(content), mode);
    }

    // Makes the folder when it is missing (0700 when the set holds a
    // private file, else 0755; parents 0755), locks it (FolderLock, waiting
    // up to kCommitLockWait), repairs interrupted writes, then writes, all
    // inside a SignalGuard: a signal that comes before the renames begin
    // undoes the commit, one that comes later lets it finish, and then ends
    // the process. Throws InputError before anything is written for files
    // that exist already or are symbolic links (unless force), for a name or
    // folder that is not what it must be, a folder link (see FolderLink) or
    // a folder in use; InternalError when the file system fails.
    std::vector<std::filesystem::path> commit();

    const std::filesystem::path& dir() const noexcept { return dir_; }

    // Throws the InputError that commit() would throw if the folder and these
    // names stayed as they are; lets a command refuse before it does
    // expensive work.
    static void refuse_existing(const std::filesystem::path& dir,
                                const std::vector<std::string>& names, bool force,
                                FolderLink link = FolderLink::follow);

private:
    struct Pending {
        std::string name;
        SecureBytes content;
        FileMode mode;
    };
    std::vector<std::filesystem::path> write_locked(const std::vector<std::string>& names);

    std::filesystem::path dir_;
    bool force_;
    FolderLink link_;
    std::vector<Pending> files_;
};

// A file-set write that a certforge process did not finish because it died.
struct InterruptedWrite {
    long pid = 0;          // the process, 0 when its file names do not say
    bool finished = false; // every file had been written: the set was renamed into place
    std::size_t files = 0; // files it renamed into place, or removed and put back
};

// Under the folder's lock, finishes or undoes the writes into `dir` of
// certforge processes that no longer run: a set whose renames had begun is
// renamed into place in its order (server.crt last), any other set's
// temporary files are removed and the files it replaced put back, so the
// folder holds one whole set. Temporaries of a running process are left
// alone; a missing folder or a symbolic link has nothing to repair.
std::vector<InterruptedWrite> repair_interrupted_writes(const std::filesystem::path& dir);

// One line for a note: what repair_interrupted_writes did in `dir`.
std::string describe(const InterruptedWrite& repair, const std::filesystem::path& dir);

// Creates `dir` and its missing parents: `dir` with `mode`, the parents
// 0755, whatever the umask. Returns the folders it made, outermost first.
// Throws InputError when one cannot be made or a part of the path is not a
// folder.
std::vector<std::filesystem::path> make_folders(const std::filesystem::path& dir, FolderMode mode);
// Removes folders that make_folders made, innermost first, as far as they
// are empty (a failed write takes back what it made).
void remove_folders(const std::vector<std::filesystem::path>& created);

// The folder a file of that path is written into: "." for a bare name.
std::filesystem::path folder_of(const std::filesystem::path& file);

// The largest file certforge reads whole (a certificate with 100,000 names
// is about 3 MiB), so that /dev/zero or a mistaken disk image cannot eat
// memory.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{64} << 20;

// Whole-file read. Throws InputError naming the path when it cannot be read
// or is larger than kMaxInputFileBytes.
std::string read_file(const std::filesystem::path& path);
SecureString read_secret_file(const std::filesystem::path& path);

} // namespace certforge
