#include "certforge/output_set.hpp"

#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/signal_guard.hpp"
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
using detail::raw_fd;
using detail::UniqueDir;
using detail::UniqueFd;

namespace {

constexpr std::string_view kTempMarker = ".certforge-tmp-";
constexpr std::string_view kBackupEnd = ".old";
constexpr std::string_view kCommitEnd = ".commit";
constexpr std::string_view kCommitLast = "end\n";

std::string errno_text() {
    return std::strerror(errno);
}

// ".certforge-tmp-PID-RANDOM"
std::string temp_suffix() {
    std::random_device device;
    return fmt::format("{}{}-{:08x}{:08x}", kTempMarker, ::getpid(), device(), device());
}

bool process_runs(long pid) {
    return pid == ::getpid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<struct stat> stat_at(int dir_fd, const std::string& name) {
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        return std::nullopt;
    }
    return st;
}

void sync_dir(int dir_fd) {
    ::fsync(dir_fd);
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
std::optional<std::vector<std::string>> read_commit_record(int dir_fd, const std::string& name) {
    UniqueFd fd = adopt_fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        return std::nullopt;
    }
    std::string text;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(raw_fd(fd), buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
        text.append(buffer, static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    }
    if (n < 0 || !(text == kCommitLast || text.ends_with("\n" + std::string(kCommitLast)))) {
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

std::vector<InterruptedWrite> repair_locked(int dir_fd) {
    std::map<std::string, std::vector<TempName>> sets;
    {
        UniqueDir listing(::fdopendir(::dup(dir_fd)));
        if (!listing) {
            return {};
        }
        while (const dirent* entry = ::readdir(listing.get())) {
            if (auto parsed = parse_temp_name(entry->d_name)) {
                sets[parsed->token].push_back(std::move(*parsed));
            }
        }
    }
    std::vector<InterruptedWrite> repairs;
    for (const auto& [token, names] : sets) {
        const long pid = names.front().pid;
        if (pid > 0 && process_runs(pid)) {
            continue;
        }
        const std::string suffix = std::string(kTempMarker) + token;
        const std::string record = suffix + std::string(kCommitEnd);
        InterruptedWrite repair{pid, false, 0};
        if (const auto order = read_commit_record(dir_fd, record)) {
            // Every file was written before the renames began: finish them.
            repair.finished = true;
            for (const auto& name : *order) {
                if (::renameat(dir_fd, (name + suffix).c_str(), dir_fd, name.c_str()) == 0) {
                    ++repair.files;
                }
            }
            sync_dir(dir_fd);
        }
        for (const auto& name : names) {
            if (name.kind == TempName::Kind::backup && !repair.finished) {
                if (::renameat(dir_fd, name.entry.c_str(), dir_fd, name.final_name.c_str()) == 0) {
                    ++repair.files;
                }
            } else if (name.kind != TempName::Kind::commit &&
                       ::unlinkat(dir_fd, name.entry.c_str(), 0) == 0) {
                repair.files += name.kind == TempName::Kind::temp ? 1 : 0;
            }
        }
        sync_dir(dir_fd);
        ::unlinkat(dir_fd, record.c_str(), 0);
        sync_dir(dir_fd);
        repairs.push_back(repair);
    }
    return repairs;
}

template <class String> String read_whole(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        throw InputError(fmt::format("{}: is a folder, not a file", path.string()));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!fs::exists(path, ec)) {
            throw InputError(fmt::format("{}: no such file", path.string()));
        }
        throw InputError(fmt::format("{}: cannot read: {}", path.string(), errno_text()));
    }
    String out;
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        out.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (out.size() > kMaxInputFileBytes) {
            secure_wipe(buffer, sizeof buffer);
            throw InputError(fmt::format("{}: larger than {} MiB, which no certificate, key or "
                                         "keystore is",
                                         path.string(), kMaxInputFileBytes >> 20));
        }
    }
    secure_wipe(buffer, sizeof buffer);
    if (in.bad()) {
        throw InputError(fmt::format("{}: read error", path.string()));
    }
    return out;
}

void remove_folders(const std::vector<fs::path>& created) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        ::rmdir(it->c_str());
    }
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

std::vector<InterruptedWrite> repair_interrupted_writes(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(dir, ec))) {
        return {};
    }
    // Most folders have nothing to repair: they are not locked (nor touched).
    bool any = false;
    for (auto it = fs::directory_iterator(dir, ec); !ec && !any && it != fs::directory_iterator();
         it.increment(ec)) {
        any = it->path().filename().string().find(kTempMarker) != std::string::npos;
    }
    if (!any) {
        return {};
    }
    const SignalGuard guard;
    const FolderLock lock(dir, kCommitLockWait, false);
    return repair_locked(lock.folder_fd());
}

std::string describe(const InterruptedWrite& repair, const fs::path& dir) {
    const std::string who =
        repair.pid > 0 ? fmt::format("certforge (pid {})", repair.pid) : "an earlier certforge";
    const std::string files = fmt::format("{} file{}", repair.files, repair.files == 1 ? "" : "s");
    if (repair.finished) {
        return fmt::format("{} was stopped while it renamed its files into {}: finished the "
                           "renames ({})",
                           who, dir.string(), files);
    }
    return fmt::format("{} was stopped while it wrote into {}: undid its unfinished write ({}), "
                       "the folder is as it was before",
                       who, dir.string(), files);
}

std::vector<fs::path> make_folders(const fs::path& dir, FolderMode mode) {
    fs::path target = dir.lexically_normal();
    if (!target.has_filename() && target.has_parent_path()) {
        target = target.parent_path();
    }
    std::vector<fs::path> missing;
    for (fs::path p = target; !p.empty(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) {
                throw InputError(fmt::format("{} is not a folder", p.string()));
            }
            break;
        }
        if (errno != ENOENT || ::lstat(p.c_str(), &st) == 0) {
            throw InputError(fmt::format("cannot create folder {}: {}", p.string(),
                                         errno == ENOENT ? "a symbolic link to nothing is there"
                                                         : errno_text()));
        }
        missing.push_back(p);
        if (p == p.parent_path()) {
            break;
        }
    }
    std::vector<fs::path> created;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        const auto wanted = static_cast<mode_t>(*it == target ? static_cast<unsigned>(mode) : 0755);
        if (::mkdir(it->c_str(), 0700) != 0) {
            struct stat st {};
            if (errno == EEXIST && ::lstat(it->c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
                continue; // made by another process meanwhile
            }
            const std::string reason = errno_text();
            remove_folders(created);
            throw InputError(fmt::format("cannot create folder {}: {}", it->string(), reason));
        }
        created.push_back(*it);
        const UniqueFd folder =
            adopt_fd(::open(it->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!folder || ::fchmod(raw_fd(folder), wanted) != 0) {
            const std::string reason = errno_text();
            remove_folders(created);
            throw InputError(fmt::format("cannot create folder {}: {}", it->string(), reason));
        }
    }
    return created;
}

fs::path folder_of(const fs::path& file) {
    return file.parent_path().empty() ? fs::path(".") : file.parent_path();
}

std::string read_file(const fs::path& path) {
    return read_whole<std::string>(path);
}

SecureString read_secret_file(const fs::path& path) {
    return read_whole<SecureString>(path);
}

} // namespace certforge
