// SPDX-License-Identifier: Apache-2.0
// Internal: one profile file as a flat map of validated values with their
// source positions, before `extends` is resolved.
#pragma once

#include "certforge/profile.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace certforge::detail {

struct SourcePos {
    std::string file;
    long line = 1;
    long column = 1;
};

using ProfileValue = std::variant<std::string, std::int64_t, bool, std::vector<std::string>,
                                  std::vector<std::int64_t>>;

struct LocatedValue {
    ProfileValue value;
    SourcePos pos;
};

// Keys are dotted paths: "id", "key.rsa_bits".
using ProfileLayer = std::map<std::string, LocatedValue>;

// Parses and type-checks one file against the schema. Throws ProfileError.
ProfileLayer parse_profile_layer(const std::filesystem::path& file);

// Builds the typed profile from merged layers and checks that the settings
// agree with each other. Throws ProfileError at the offending key.
Profile build_profile(const ProfileLayer& merged, const std::filesystem::path& file,
                      std::vector<std::string> extends_chain);

} // namespace certforge::detail
