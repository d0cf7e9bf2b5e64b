// SPDX-License-Identifier: Apache-2.0
// The text form of a profile, as `certforge profiles show` prints it.
#pragma once

#include "certforge/profile.hpp"

#include <string>

namespace certforge {

// The id and name, file, extends chain, kind, vendor, legacy and models;
// then each [section] with its keys in name order (values as in to_json,
// lists in brackets); then the notes and the sources. Ends with a newline.
std::string to_text(const Profile& profile);

} // namespace certforge
