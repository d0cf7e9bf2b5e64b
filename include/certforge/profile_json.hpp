// SPDX-License-Identifier: Apache-2.0
// The JSON form of a profile, as `certforge profiles show --json` prints it.
#pragma once

#include "certforge/profile.hpp"

#include <nlohmann/json_fwd.hpp>

namespace certforge {

// Every setting of the resolved profile, keyed as in the TOML schema, plus
// "file" and "extends_chain".
nlohmann::json to_json(const Profile& profile);

} // namespace certforge
