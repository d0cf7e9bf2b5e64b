#include "certforge/output_set.hpp"

#include "certforge/errors.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace certforge {
namespace fs = std::filesystem;
namespace {

std::string errno_text() {
    return std::strerror(errno);
}

std::string temp_suffix() {
    std::random_device device;
    return fmt::format(".certforge-tmp-{:08x}{:08x}", device(), device());
}

// Writes `content` to a new file at `path` (which must not exist) with `mode`,
// and flushes it to disk.
void write_new_file(const fs::path& path, ByteView content, FileMode mode) {
    const int fd =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0) {
        throw InternalError(fmt::format("cannot create {}: {}", path.string(), errno_text()));
    }
    // O_CREAT's mode is filtered by the umask; set it exactly.
    bool ok = ::fchmod(fd, static_cast<mode_t>(mode)) == 0;
    std::size_t written = 0;
    while (ok && written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        ok = n > 0;
        if (ok) {
            written += static_cast<std::size_t>(n);
        }
    }
    ok = ok && ::fsync(fd) == 0;
    const std::string reason = ok ? std::string() : errno_text();
    ok = (::close(fd) == 0) && ok;
    if (!ok) {
        ::unlink(path.c_str());
        throw InternalError(fmt::format("cannot write {}: {}", path.string(),
                                        reason.empty() ? errno_text() : reason));
    }
}

void sync_dir(const fs::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
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

} // namespace

OutputSet::OutputSet(fs::path dir, bool force) : dir_(std::move(dir)), force_(force) {}

OutputSet::~OutputSet() = default;

void OutputSet::add(std::string name, ByteView content, FileMode mode) {
    files_.push_back({std::move(name), SecureBytes(content.begin(), content.end()), mode});
}

void OutputSet::refuse_existing(const fs::path& dir, const std::vector<std::string>& names,
                                bool force) {
    if (force) {
        return;
    }
    std::vector<std::string> existing;
    for (const auto& name : names) {
        std::error_code ec;
        if (fs::exists(dir / name, ec)) {
            existing.push_back((dir / name).string());
        }
    }
    if (!existing.empty()) {
        throw InputError(fmt::format("refusing to overwrite {} (use --force to replace)",
                                     fmt::join(existing, ", ")));
    }
}

std::vector<fs::path> OutputSet::commit() {
    std::vector<std::string> names;
    for (const auto& file : files_) {
        names.push_back(file.name);
    }
    refuse_existing(dir_, names, force_);
    std::error_code ec;
    const bool created_dir = fs::create_directories(dir_, ec);
    if (ec) {
        throw InternalError(
            fmt::format("cannot create folder {}: {}", dir_.string(), ec.message()));
    }

    struct Staged {
        fs::path temp;
        fs::path final_path;
        fs::path backup; // the replaced file, kept until the commit succeeds
        bool renamed = false;
    };
    std::vector<Staged> staged;
    const std::string suffix = temp_suffix();
    auto roll_back = [&] {
        for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
            std::error_code ignored;
            if (it->renamed) {
                fs::remove(it->final_path, ignored);
                if (!it->backup.empty()) {
                    fs::rename(it->backup, it->final_path, ignored);
                }
            } else {
                fs::remove(it->temp, ignored);
            }
        }
        if (created_dir) {
            std::error_code ignored;
            fs::remove(dir_, ignored);
        }
    };

    try {
        for (const auto& file : files_) {
            Staged s{dir_ / (file.name + suffix), dir_ / file.name, {}, false};
            staged.push_back(s);
            write_new_file(s.temp, file.content, file.mode);
        }
        for (auto& s : staged) {
            if (force_ && fs::exists(s.final_path)) {
                s.backup = s.final_path;
                s.backup += suffix + ".old";
                fs::rename(s.final_path, s.backup);
            }
            fs::rename(s.temp, s.final_path);
            s.renamed = true;
        }
    } catch (const fs::filesystem_error& e) {
        roll_back();
        throw InternalError(
            fmt::format("cannot write into {}: {}", dir_.string(), e.code().message()));
    } catch (...) {
        roll_back();
        throw;
    }
    std::vector<fs::path> written;
    for (const auto& s : staged) {
        if (!s.backup.empty()) {
            std::error_code ignored;
            fs::remove(s.backup, ignored);
        }
        written.push_back(s.final_path);
    }
    sync_dir(dir_);
    files_.clear();
    return written;
}

std::size_t remove_stale_temporaries(const fs::path& dir) {
    std::error_code ec;
    std::vector<fs::path> stale;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().filename().string().find(".certforge-tmp-") != std::string::npos) {
            stale.push_back(entry.path());
        }
    }
    std::size_t cleaned = 0;
    for (const auto& path : stale) {
        const std::string name = path.filename().string();
        const auto marker = name.find(".certforge-tmp-");
        const fs::path final_path = dir / name.substr(0, marker);
        const bool backup = name.size() > 4 && name.ends_with(".old");
        if (backup && !fs::exists(final_path, ec)) {
            fs::rename(path, final_path, ec);
        } else {
            fs::remove(path, ec);
        }
        cleaned += ec ? 0 : 1;
    }
    if (cleaned > 0) {
        sync_dir(dir);
    }
    return cleaned;
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
