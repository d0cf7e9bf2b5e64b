// SPDX-License-Identifier: Apache-2.0
#include "certforge/profile_text.hpp"

#include "certforge/path_text.hpp"
#include "certforge/profile_json.hpp"
#include "profile_schema.hpp"

#include <fmt/format.h>
#include <iterator>
#include <nlohmann/json.hpp>

namespace certforge {
namespace {

using Out = std::back_insert_iterator<std::string>;

// A value as TOML writes it: strings quoted, in lists too. JSON's string
// escapes are TOML's.
std::string value_text(const nlohmann::json& value) {
    if (!value.is_array()) {
        return value.dump();
    }
    std::vector<std::string> elements;
    for (const auto& element : value) {
        elements.push_back(element.dump());
    }
    return fmt::format("[{}]", fmt::join(elements, ", "));
}

bool in_text(std::string_view section, std::string_view key) {
    const detail::KeyRule* rule = detail::find_rule(fmt::format("{}.{}", section, key));
    return rule != nullptr && rule->in_text;
}

void sections(Out out, const nlohmann::json& json) {
    for (const auto& section : detail::schema_sections()) {
        std::string lines;
        for (const auto& [key, value] : json.at(section).items()) {
            if (in_text(section, key)) {
                fmt::format_to(Out(lines), "    {} = {}\n", key, value_text(value));
            }
        }
        if (!lines.empty()) {
            fmt::format_to(out, "  [{}]\n{}", section, lines);
        }
    }
}

} // namespace

std::string to_text(const Profile& profile) {
    std::string text;
    const Out out(text);
    fmt::format_to(out, "{} — {}\n", profile.id, profile.name);
    fmt::format_to(out, "  file: {}\n", path_text(profile.file));
    for (const auto& hidden : profile.overrides) {
        fmt::format_to(out, "  overrides: {}\n", path_text(hidden));
    }
    if (!profile.extends_chain.empty()) {
        fmt::format_to(out, "  extends: {}\n", fmt::join(profile.extends_chain, " -> "));
    }
    fmt::format_to(out, "  kind: {}   vendor: {}   legacy: {}\n", to_string(profile.kind),
                   profile.vendor, profile.legacy ? "yes (weak crypto allowed)" : "no");
    if (!profile.models.empty()) {
        fmt::format_to(out, "  models = {}\n", value_text(profile.models));
    }
    sections(out, to_json(profile));
    if (!profile.notes.empty()) {
        fmt::format_to(out, "  notes: {}\n", profile.notes);
    }
    fmt::format_to(out, "  sources:\n");
    for (const auto& source : profile.sources) {
        fmt::format_to(out, "    - {}\n", source);
    }
    return text;
}

} // namespace certforge
