// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/files.hpp"

#include <fmt/format.h>

namespace certforge {
namespace fs = std::filesystem;
using platform::Entry;

std::vector<fs::path> make_folders(const fs::path& dir, FolderMode mode) {
    fs::path target = dir.lexically_normal();
    if (!target.has_filename() && target.has_parent_path()) {
        target = target.parent_path();
    }
    std::vector<fs::path> missing;
    for (fs::path p = target; !p.empty(); p = p.parent_path()) {
        const Entry entry = platform::entry_at(p, true);
        if (entry != Entry::none) {
            if (entry != Entry::folder) {
                throw InputError(fmt::format("{} is not a folder", path_text(p)));
            }
            break;
        }
        if (platform::entry_at(p, false) != Entry::none) {
            throw InputError(fmt::format("cannot create folder {}: a symbolic link to nothing is "
                                         "there",
                                         path_text(p)));
        }
        missing.push_back(p);
        if (p == p.parent_path()) {
            break;
        }
    }
    std::vector<fs::path> created;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        const bool private_folder = *it == target && mode == FolderMode::private_folder;
        if (!platform::create_folder(*it, private_folder)) {
            const std::string reason = platform::last_error_text();
            if (platform::entry_at(*it, false) == Entry::folder) {
                continue; // made by another process meanwhile
            }
            remove_folders(created);
            throw InputError(fmt::format("cannot create folder {}: {}", path_text(*it), reason));
        }
        created.push_back(*it);
    }
    return created;
}

void remove_folders(const std::vector<fs::path>& created) {
    for (auto it = created.rbegin(); it != created.rend(); ++it) {
        platform::remove_empty_folder(*it);
    }
}

} // namespace certforge
