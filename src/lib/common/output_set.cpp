// SPDX-License-Identifier: Apache-2.0
#include "certforge/output_set.hpp"

#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/path_text.hpp"
#include "certforge/signal_guard.hpp"
#include "lib/common/commit_record.hpp"
#include "lib/common/test_hooks.hpp"
#include "lib/platform/files.hpp"
#include "lib/platform/process.hpp"

#include <csignal>
#include <fmt/format.h>
#include <optional>
#include <thread>

namespace certforge {
namespace fs = std::filesystem;
using detail::kBackupEnd;
using detail::kCommitEnd;
using detail::kCommitLast;
using detail::repair_locked;
using detail::temp_suffix;
using platform::Entry;
using platform::Folder;

namespace {

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
            platform::kill_self();
        } else if (action == "int") {
            platform::interrupt_self(SIGINT);
        } else if (action == "term") {
            platform::interrupt_self(SIGTERM);
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
void write_new_file(const Folder& folder, const std::string& name, ByteView content,
                    FileMode mode) {
    if (const std::string reason = folder.create_file(name, content, mode); !reason.empty()) {
        throw InternalError(fmt::format("cannot write {}: {}",
                                        path_text((folder.path() / utf8_path(name))), reason));
    }
}

// Renames `from` to `to` in the folder; without `replace` an existing `to`
// is refused, not replaced.
void rename_in(const Folder& folder, const std::string& from, const std::string& to, bool replace) {
    switch (folder.rename(from, to, replace)) {
    case Folder::Renamed::done:
        return;
    case Folder::Renamed::exists:
        throw InputError(fmt::format("refusing to overwrite {} (use --force to replace)",
                                     path_text((folder.path() / utf8_path(to)))));
    case Folder::Renamed::failed:
        throw InternalError(fmt::format("cannot rename {} to {}: {}",
                                        path_text((folder.path() / utf8_path(from))), to,
                                        platform::last_error_text()));
    }
}

// Refuses names that are folders; without `force` also names that exist or
// are symbolic links. `entry_of` says what is at a name.
template <typename EntryOf>
void refuse_names(const fs::path& dir, const std::vector<std::string>& names, bool force,
                  EntryOf entry_of) {
    std::vector<std::string> existing;
    std::vector<std::string> links;
    std::vector<std::string> folders;
    for (const auto& name : names) {
        const std::string shown = path_text(dir / utf8_path(name));
        switch (entry_of(name)) {
        case Entry::none:
            break;
        case Entry::link:
            links.push_back(shown);
            break;
        case Entry::folder:
            folders.push_back(shown);
            break;
        case Entry::file:
        case Entry::other:
            existing.push_back(shown);
            break;
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
    const Entry entry = platform::entry_at(dir, false);
    if (entry == Entry::none) {
        return false;
    }
    if (entry == Entry::link) {
        if (link == FolderLink::follow) {
            if (platform::entry_at(dir, true) != Entry::folder) {
                throw InputError(fmt::format("{} is not a folder", path_text(dir)));
            }
            return true;
        }
        if (link == FolderLink::replace && force) {
            return false;
        }
        throw InputError(fmt::format(
            "{} is a symbolic link: refusing to write through it{}", path_text(dir),
            link == FolderLink::replace ? " (use --force to replace the link with a folder)" : ""));
    }
    if (entry != Entry::folder) {
        throw InputError(fmt::format("{} is not a folder", path_text(dir)));
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
        refuse_names(dir, names, force, [&](const std::string& name) {
            return platform::entry_at(dir / utf8_path(name), false);
        });
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
        if (!ec) {
            fs::remove(dir_, ec);
        }
        if (ec) {
            throw InputError(fmt::format("cannot replace the symbolic link {}: {}", path_text(dir_),
                                         ec.message()));
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
    const Folder& folder = lock.folder();
    repair_locked(folder);
    refuse_names(dir_, names, force_, [&](const std::string& name) { return folder.entry(name); });

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
            folder.remove(record);
            folder.sync();
        }
        for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
            if (it->renamed) {
                folder.remove(it->name);
            } else if (it->written) {
                folder.remove(it->temp);
            }
            if (!it->backup.empty()) {
                folder.rename(it->backup, it->name, true);
            }
        }
        folder.sync();
    };
    const auto stop_if_interrupted = [] {
        if (SignalGuard::interrupted()) {
            throw InternalError("interrupted by a signal");
        }
    };

    try {
        for (const auto& file : files_) {
            staged.push_back({file.name, file.name + suffix, {}, false, false});
            write_new_file(folder, staged.back().temp, file.content, file.mode);
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
        write_new_file(folder, record, as_bytes(order), FileMode::private_file);
        recorded = true;
        folder.sync();
        std::size_t renamed = 0;
        for (auto& s : staged) {
            if (force_ && folder.entry(s.name) != Entry::none) {
                rename_in(folder, s.name, s.name + suffix + std::string(kBackupEnd), true);
                s.backup = s.name + suffix + std::string(kBackupEnd);
            }
            rename_in(folder, s.temp, s.name, force_);
            s.renamed = true;
            fault.at(fmt::format("renamed-{}", ++renamed));
        }
        folder.sync();
    } catch (...) {
        roll_back();
        throw;
    }
    std::vector<fs::path> written;
    for (const auto& s : staged) {
        if (!s.backup.empty()) {
            folder.remove(s.backup);
        }
        written.push_back(dir_ / utf8_path(s.name));
    }
    folder.remove(record);
    folder.sync();
    files_.clear();
    return written;
}

} // namespace certforge
