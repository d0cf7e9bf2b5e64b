// SPDX-License-Identifier: Apache-2.0
#include "certforge/issue.hpp"
#include "certforge/profile_merge.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {

IssueTarget IssueTarget::of(std::vector<Profile> profiles) {
    Profile effective = profiles.size() == 1 ? profiles.front() : common_ground(profiles);
    return {std::move(profiles), std::move(effective)};
}

std::string IssueTarget::names() const {
    std::vector<std::string> quoted;
    for (const auto& profile : profiles) {
        quoted.push_back(fmt::format("'{}'", profile.id));
    }
    return fmt::format("{}", fmt::join(quoted, ", "));
}

bool IssueTarget::legacy() const {
    return std::any_of(profiles.begin(), profiles.end(),
                       [](const Profile& profile) { return profile.legacy; });
}

} // namespace certforge
