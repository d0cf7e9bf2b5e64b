// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "lib/common/system_error_text.hpp"
#include "unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace certforge {
namespace fs = std::filesystem;
using detail::adopt_fd;
using detail::raw_fd;
using detail::UniqueFd;

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
                                                         : detail::errno_text()));
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
            const std::string reason = detail::errno_text();
            remove_folders(created);
            throw InputError(fmt::format("cannot create folder {}: {}", it->string(), reason));
        }
        created.push_back(*it);
        const UniqueFd folder =
            adopt_fd(::open(it->c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!folder || ::fchmod(raw_fd(folder), wanted) != 0) {
            const std::string reason = detail::errno_text();
            remove_folders(created);
            throw InputError(fmt::format("cannot create folder {}: {}", it->string(), reason));
        }
    }
    return created;
}

void remove_folders(const std::vector<fs::path>& created) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        ::rmdir(it->c_str());
    }
}

} // namespace certforge
