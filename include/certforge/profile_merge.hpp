// SPDX-License-Identifier: Apache-2.0
// One certificate for several device families: the settings every listed
// profile accepts.
#pragma once

#include "certforge/profile.hpp"

#include <vector>

namespace certforge {

// The common ground of the profiles: the key sizes and hashes all allow
// (the strongest of each becomes the default), the shortest maximum
// validity and chain, every required SAN rule, key usage and extended key
// usage. Import settings come from the first profile. Legacy when any is.
// Throws InputError naming the two profiles (or, when no two conflict but
// all together do, the whole list) that no single certificate can serve,
// and why.
Profile common_ground(const std::vector<Profile>& profiles);

} // namespace certforge
