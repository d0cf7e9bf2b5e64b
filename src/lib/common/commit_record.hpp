// SPDX-License-Identifier: Apache-2.0
// Internal: the names and records an OutputSet commit leaves in a folder
// while it works, and the repair of a commit that a crash or kill cut short.
// A commit writes NAME.certforge-tmp-PID-RANDOM for each file, moves a
// replaced file to ...RANDOM.old, and lists the rename order in
// .certforge-tmp-PID-RANDOM.commit (ending "end\n") before the first rename.
#pragma once

#include "certforge/output_set.hpp"
#include "lib/platform/files.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace certforge::detail {

inline constexpr std::string_view kTempMarker = ".certforge-tmp-";
inline constexpr std::string_view kBackupEnd = ".old";
inline constexpr std::string_view kCommitEnd = ".commit";
inline constexpr std::string_view kCommitLast = "end\n";

// ".certforge-tmp-PID-RANDOM", new for each commit.
std::string temp_suffix();

// Finishes or undoes every commit in the folder whose process is gone:
// with a complete commit record the renames are finished, else every
// temporary file is removed and every replaced file put back. The caller
// holds the folder's lock.
std::vector<InterruptedWrite> repair_locked(const platform::Folder& folder);

} // namespace certforge::detail
