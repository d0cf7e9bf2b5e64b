// SPDX-License-Identifier: Apache-2.0
// Not a check of its own (hidden tag, never run by ctest): writes the common
// ground of many sets of profiles for scripts/profile-snapshot.sh, which
// compares it with the one an older build wrote.
#include "certforge/errors.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_json.hpp"
#include "certforge/profile_merge.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace certforge;

namespace {

// The shipped profiles, then those that load from $CERTFORGE_SNAPSHOT_PROFILES.
std::vector<Profile> snapshot_profiles() {
    std::vector<std::filesystem::path> dirs{certforge::test::shipped_profiles()};
    if (const char* extra = std::getenv("CERTFORGE_SNAPSHOT_PROFILES"); extra != nullptr) {
        dirs.insert(dirs.begin(), extra);
    }
    const ProfileCatalog catalog(dirs);
    std::vector<Profile> out;
    for (const auto& entry : catalog.entries()) {
        try {
            out.push_back(catalog.load_file(entry.file));
        } catch (const InputError&) {
            continue;
        }
    }
    return out;
}

void add_common_ground(nlohmann::json& out, const std::vector<Profile>& set) {
    std::vector<std::string> ids;
    for (const auto& p : set) {
        ids.push_back(p.id);
    }
    const std::string name = fmt::format("{}", fmt::join(ids, " "));
    try {
        out[name] = to_json(common_ground(set));
    } catch (const InputError& e) {
        out[name] = e.what();
    }
}

} // namespace

TEST_CASE("profile snapshot: the common ground of every pair and a few sets", "[.snapshot]") {
    const char* file = std::getenv("CERTFORGE_SNAPSHOT_FILE");
    REQUIRE(file != nullptr);
    const auto profiles = snapshot_profiles();
    nlohmann::json out = nlohmann::json::object();
    for (const auto& a : profiles) {
        for (const auto& b : profiles) {
            if (&a != &b) {
                add_common_ground(out, {a, b});
            }
        }
    }
    for (std::size_t i = 0; i + 2 < profiles.size(); ++i) {
        add_common_ground(out, {profiles[i], profiles[i + 1], profiles[i + 2]});
    }
    std::vector<Profile> devices;
    std::vector<Profile> hosts;
    for (const auto& p : profiles) {
        (p.kind == ProfileKind::host ? hosts : devices).push_back(p);
    }
    add_common_ground(out, devices);
    add_common_ground(out, hosts);
    add_common_ground(out, profiles);
    std::ofstream(file) << out.dump(1) << '\n';
}
