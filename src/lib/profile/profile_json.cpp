// SPDX-License-Identifier: Apache-2.0
#include "certforge/profile_json.hpp"

#include "certforge/path_text.hpp"
#include "profile_schema.hpp"

#include <nlohmann/json.hpp>

namespace certforge {

nlohmann::json to_json(const Profile& profile) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& rule : detail::profile_schema()) {
        if (rule.field.json == nullptr) {
            continue;
        }
        const auto dot = rule.path.find('.');
        if (dot == std::string_view::npos) {
            out[std::string(rule.path)] = rule.field.json(profile);
        } else {
            out[std::string(rule.path.substr(0, dot))][std::string(rule.path.substr(dot + 1))] =
                rule.field.json(profile);
        }
    }
    out["file"] = path_text(profile.file);
    out["extends_chain"] = profile.extends_chain;
    auto overrides = nlohmann::json::array();
    for (const auto& hidden : profile.overrides) {
        overrides.push_back(path_text(hidden));
    }
    out["overrides"] = std::move(overrides);
    return out;
}

} // namespace certforge
