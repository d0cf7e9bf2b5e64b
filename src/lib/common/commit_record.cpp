// SPDX-License-Identifier: Apache-2.0
#include "lib/common/commit_record.hpp"

#include "certforge/folder_lock.hpp"
#include "certforge/path_text.hpp"
#include "certforge/signal_guard.hpp"
#include "lib/platform/process.hpp"

#include <charconv>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <random>

namespace certforge {
namespace fs = std::filesystem;

namespace detail {
namespace {

using platform::Folder;

// A commit record lists a handful of file names; anything longer is not one.
constexpr std::size_t kMaxCommitRecord = 64 * 1024;

// A name in a folder that an OutputSet commit uses for a while.
struct TempName {
    enum class Kind { temp, backup, commit };
    std::string entry;      // the name in the folder
    std::string final_name; // the file it stands for; "" for the commit record
    std::string token;      // "PID-RANDOM" ("RANDOM" in names from older certforge)
    long pid = 0;
    Kind kind = Kind::temp;
};

std::optional<TempName> parse_temp_name(std::string_view name) {
    const auto at = name.find(kTempMarker);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    TempName out;
    out.entry = name;
    out.final_name = name.substr(0, at);
    std::string_view rest = name.substr(at + kTempMarker.size());
    if (rest.ends_with(kBackupEnd)) {
        out.kind = TempName::Kind::backup;
        rest.remove_suffix(kBackupEnd.size());
    } else if (out.final_name.empty() && rest.ends_with(kCommitEnd)) {
        out.kind = TempName::Kind::commit;
        rest.remove_suffix(kCommitEnd.size());
    }
    out.token = rest;
    if (const auto dash = rest.find('-'); dash != std::string_view::npos) {
        std::from_chars(rest.data(), rest.data() + dash, out.pid);
    }
    return out;
}

// The names of a commit record, in rename order; none when the record is
// missing or was not written to its end.
std::optional<std::vector<std::string>> read_commit_record(const Folder& folder,
                                                           const std::string& name) {
    auto read = folder.read_file(name, kMaxCommitRecord);
    if (!read) {
        return std::nullopt;
    }
    std::string text = std::move(*read);
    if (!(text == kCommitLast || text.ends_with("\n" + std::string(kCommitLast)))) {
        return std::nullopt;
    }
    text.resize(text.size() - kCommitLast.size());
    std::vector<std::string> names;
    for (std::size_t start = 0; start < text.size();) {
        const auto end = text.find('\n', start);
        names.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return names;
}

} // namespace

std::vector<InterruptedWrite> repair_locked(const Folder& folder) {
    std::map<std::string, std::vector<TempName>> sets;
    for (const auto& entry : folder.names()) {
        if (auto parsed = parse_temp_name(entry)) {
            sets[parsed->token].push_back(std::move(*parsed));
        }
    }
    std::vector<InterruptedWrite> repairs;
    for (const auto& [token, names] : sets) {
        const long pid = names.front().pid;
        if (pid > 0 && platform::process_runs(pid)) {
            continue;
        }
        const std::string suffix = std::string(kTempMarker) + token;
        const std::string record = suffix + std::string(kCommitEnd);
        InterruptedWrite repair{pid, false, 0};
        if (const auto order = read_commit_record(folder, record)) {
            // Every file was written before the renames began: finish them.
            repair.finished = true;
            for (const auto& name : *order) {
                if (folder.rename(name + suffix, name, true) == Folder::Renamed::done) {
                    ++repair.files;
                }
            }
            folder.sync();
        }
        for (const auto& name : names) {
            if (name.kind == TempName::Kind::backup && !repair.finished) {
                if (folder.rename(name.entry, name.final_name, true) == Folder::Renamed::done) {
                    ++repair.files;
                }
            } else if (name.kind != TempName::Kind::commit && folder.remove(name.entry)) {
                repair.files += name.kind == TempName::Kind::temp ? 1 : 0;
            }
        }
        folder.sync();
        folder.remove(record);
        folder.sync();
        repairs.push_back(repair);
    }
    return repairs;
}

// ".certforge-tmp-PID-RANDOM"
std::string temp_suffix() {
    std::random_device device;
    return fmt::format("{}{}-{:08x}{:08x}", kTempMarker, platform::current_pid(), device(),
                       device());
}

} // namespace detail

std::vector<InterruptedWrite> repair_interrupted_writes(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec))) {
        return {};
    }
    // Most folders have nothing to repair: they are not locked (nor touched).
    bool any = false;
    for (auto it = fs::directory_iterator(dir, ec); !ec && !any && it != fs::directory_iterator();
         it.increment(ec)) {
        any = path_text(it->path().filename()).find(detail::kTempMarker) != std::string::npos;
    }
    if (!any) {
        return {};
    }
    const SignalGuard guard;
    const FolderLock lock(dir, kCommitLockWait, false);
    return detail::repair_locked(lock.folder());
}

std::string describe(const InterruptedWrite& repair, const fs::path& dir) {
    const std::string who =
        repair.pid > 0 ? fmt::format("certforge (pid {})", repair.pid) : "an earlier certforge";
    const std::string files = fmt::format("{} file{}", repair.files, repair.files == 1 ? "" : "s");
    if (repair.finished) {
        return fmt::format("{} was stopped while it renamed its files into {}: finished the "
                           "renames ({})",
                           who, path_text(dir), files);
    }
    return fmt::format("{} was stopped while it wrote into {}: undid its unfinished write ({}), "
                       "the folder is as it was before",
                       who, path_text(dir), files);
}

} // namespace certforge
