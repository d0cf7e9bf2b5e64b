// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/text.hpp"
#include "profile_schema.hpp"
#include "toml_type_name.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <toml++/toml.h>

namespace certforge::detail {
namespace {

SourcePos position(const std::string& file, const toml::source_region& region) {
    return {file, static_cast<long>(std::max<toml::source_index>(region.begin.line, 1)),
            static_cast<long>(std::max<toml::source_index>(region.begin.column, 1))};
}

[[noreturn]] void fail(const SourcePos& pos, const std::string& message) {
    throw ProfileError(pos.file, pos.line, pos.column, message);
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
    const auto close = closest_names(word, candidates, 1);
    return close.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", close.front());
}

void check_choice(const KeyRule& rule, const std::string& value, const SourcePos& pos) {
    const auto choices = rule.allowed();
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
        fail(pos,
             fmt::format("{}: '{}' is not one of: {}", rule.path, value, fmt::join(choices, ", ")));
    }
}

void check_range(const KeyRule& rule, std::int64_t value, const SourcePos& pos) {
    if (value < rule.min || value > rule.max) {
        fail(pos,
             fmt::format("{}: {} is out of range ({}..{})", rule.path, value, rule.min, rule.max));
    }
}

[[noreturn]] void wrong_type(const KeyRule& rule, const toml::node& node, const SourcePos& pos) {
    fail(pos, fmt::format("{}: expected {}, found {}", rule.path, describe(rule.field.kind),
                          toml_type_name(node)));
}

template <class T>
std::vector<T> array_values(const KeyRule& rule, const toml::node& node, const SourcePos& pos,
                            const std::string& file) {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
        wrong_type(rule, node, pos);
    }
    if (rule.non_empty && array->empty()) {
        fail(pos, fmt::format("{}: must not be empty", rule.path));
    }
    std::vector<T> out;
    std::set<T> seen;
    for (const auto& element : *array) {
        const SourcePos element_pos = position(file, element.source());
        const auto value = element.value_exact<T>();
        if (!value) {
            fail(element_pos, fmt::format("{}: expected {}, found an element that is {}", rule.path,
                                          describe(rule.field.kind), toml_type_name(element)));
        }
        if constexpr (std::is_same_v<T, std::string>) {
            check_choice(rule, *value, element_pos);
        } else {
            check_range(rule, *value, element_pos);
        }
        if (!seen.insert(*value).second) {
            fail(element_pos, fmt::format("{}: {} is listed twice", rule.path, *value));
        }
        out.push_back(*value);
    }
    return out;
}

ProfileValue convert(const KeyRule& rule, const toml::node& node, const SourcePos& pos,
                     const std::string& file) {
    switch (rule.field.kind) {
    case ValueKind::string: {
        const auto value = node.value_exact<std::string>();
        if (!value) {
            wrong_type(rule, node, pos);
        }
        if (rule.non_empty && value->empty()) {
            fail(pos, fmt::format("{}: must not be empty", rule.path));
        }
        check_choice(rule, *value, pos);
        return *value;
    }
    case ValueKind::integer: {
        const auto value = node.value_exact<std::int64_t>();
        if (!value) {
            wrong_type(rule, node, pos);
        }
        check_range(rule, *value, pos);
        return *value;
    }
    case ValueKind::boolean: {
        const auto value = node.value_exact<bool>();
        if (!value) {
            wrong_type(rule, node, pos);
        }
        return *value;
    }
    case ValueKind::string_array:
        return array_values<std::string>(rule, node, pos, file);
    case ValueKind::integer_array:
        return array_values<std::int64_t>(rule, node, pos, file);
    }
    fail(pos, "internal: unknown value kind");
}

std::vector<std::string> keys_of_section(std::string_view section) {
    std::vector<std::string> keys;
    for (const auto& rule : profile_schema()) {
        const auto dot = rule.path.find('.');
        const std::string_view rule_section =
            dot == std::string_view::npos ? std::string_view() : rule.path.substr(0, dot);
        if (rule_section == section) {
            keys.emplace_back(dot == std::string_view::npos ? rule.path
                                                            : rule.path.substr(dot + 1));
        }
    }
    return keys;
}

void add_key(ProfileLayer& layer, const std::string& section, const toml::key& key,
             const toml::node& node, const std::string& file) {
    const std::string path =
        section.empty() ? std::string(key.str()) : fmt::format("{}.{}", section, key.str());
    const SourcePos key_pos = position(file, key.source());
    const KeyRule* rule = find_rule(path);
    if (rule == nullptr) {
        const std::string where =
            section.empty() ? "at top level" : fmt::format("in [{}]", section);
        fail(key_pos, fmt::format("unknown key '{}' {}{}", key.str(), where,
                                  suggestion(key.str(), keys_of_section(section))));
    }
    layer[path] = LocatedValue{convert(*rule, node, key_pos, file), key_pos};
}

} // namespace

ProfileLayer parse_profile_layer(const std::filesystem::path& file) {
    const std::string name = path_text(file);
    toml::table root;
    try {
        root = toml::parse_file(name);
    } catch (const toml::parse_error& e) {
        const auto& begin = e.source().begin;
        if (begin.line == 0) {
            throw ProfileError(name, std::string(e.description()));
        }
        throw ProfileError(name, static_cast<long>(begin.line), static_cast<long>(begin.column),
                           fmt::format("TOML syntax error: {}", e.description()));
    }
    const auto sections = schema_sections();
    ProfileLayer layer;
    for (const auto& [key, node] : root) {
        if (const toml::table* table = node.as_table()) {
            const std::string section(key.str());
            if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
                fail(position(name, key.source()),
                     fmt::format("unknown section [{}]{}", section, suggestion(section, sections)));
            }
            for (const auto& [inner_key, inner_node] : *table) {
                if (inner_node.is_table()) {
                    fail(position(name, inner_key.source()),
                         fmt::format("unknown section [{}.{}]: sections do not nest", section,
                                     inner_key.str()));
                }
                add_key(layer, section, inner_key, inner_node, name);
            }
            continue;
        }
        add_key(layer, {}, key, node, name);
    }
    return layer;
}

namespace {

SourcePos pos_of(const ProfileLayer& layer, const std::string& key, const std::string& file) {
    const auto it = layer.find(key);
    return it == layer.end() ? SourcePos{file, 1, 1} : it->second.pos;
}

void require(const ProfileLayer& layer, const std::string& key, const std::string& file) {
    if (!layer.contains(key)) {
        fail({file, 1, 1}, fmt::format("missing required key '{}'", key));
    }
}

// Where a check that fails at a key points: the key, else the file's start.
struct Locator {
    const ProfileLayer& merged;
    std::string file;
    SourcePos operator()(const char* key) const { return pos_of(merged, key, file); }
};

// The default size and hash: the first allowed when not given, else one of
// the allowed.
void check_defaults(Profile& profile, const ProfileLayer& merged, const Locator& at) {
    auto& key = profile.key;
    if (!merged.contains("key.default_rsa_bits")) {
        key.default_rsa_bits = key.rsa_bits.front();
    } else if (std::find(key.rsa_bits.begin(), key.rsa_bits.end(), key.default_rsa_bits) ==
               key.rsa_bits.end()) {
        fail(at("key.default_rsa_bits"),
             fmt::format("key.default_rsa_bits: {} is not in key.rsa_bits [{}]",
                         key.default_rsa_bits, fmt::join(key.rsa_bits, ", ")));
    }
    auto& signature = profile.signature;
    if (!merged.contains("signature.default_hash")) {
        signature.default_hash = signature.hashes.front();
    } else if (std::find(signature.hashes.begin(), signature.hashes.end(),
                         signature.default_hash) == signature.hashes.end()) {
        std::vector<std::string_view> names;
        for (auto h : signature.hashes) {
            names.push_back(to_string(h));
        }
        fail(at("signature.default_hash"),
             fmt::format("signature.default_hash: {} is not in signature.hashes [{}]",
                         to_string(signature.default_hash), fmt::join(names, ", ")));
    }
}

// A value that must not exceed another: "ca.days (400) is greater than
// ca.max_days (300)", at the first.
void check_not_greater(const Locator& at, const char* key, unsigned value, const char* limit_key,
                       unsigned limit) {
    if (value > limit) {
        fail(at(key), fmt::format("{} ({}) is greater than {} ({})", key, value, limit_key, limit));
    }
}

void check_host(const Profile& profile, const Locator& at) {
    if (profile.kind == ProfileKind::host && profile.host.os.empty()) {
        fail(at("kind"), "a host profile needs host.os (the operating system it describes)");
    }
    if (profile.kind == ProfileKind::device && !profile.host.os.empty()) {
        fail(at("host.os"), "host.os belongs in a profile with kind = \"host\"");
    }
}

// Weak hashes and small keys only in a profile marked legacy.
void check_weak(const Profile& profile, const Locator& at) {
    if (profile.legacy) {
        return;
    }
    for (auto hash : profile.signature.hashes) {
        if (is_weak(hash)) {
            fail(at("signature.hashes"),
                 fmt::format("signature.hashes: {} is weak and allowed only in a profile "
                             "marked legacy = true",
                             to_string(hash)));
        }
    }
    for (auto bits : profile.key.rsa_bits) {
        if (bits < kMinimumModernRsaBits) {
            fail(at("key.rsa_bits"), fmt::format("key.rsa_bits: {} is below {} bits and allowed "
                                                 "only in a profile marked legacy = true",
                                                 bits, kMinimumModernRsaBits));
        }
    }
}

} // namespace

Profile build_profile(const ProfileLayer& merged, const std::filesystem::path& file,
                      std::vector<std::string> extends_chain) {
    const Locator at{merged, path_text(file)};
    for (const char* key : {"id", "name", "sources"}) {
        require(merged, key, at.file);
    }
    Profile profile;
    for (const auto& [path, located] : merged) {
        find_rule(path)->field.load(profile, located.value);
    }
    profile.file = file;
    profile.extends_chain = std::move(extends_chain);
    if (file.extension() == ".toml" && profile.id != path_text(file.stem())) {
        fail(at("id"), fmt::format("id '{}' does not match the file name '{}'", profile.id,
                                   path_text(file.filename())));
    }
    check_defaults(profile, merged, at);
    check_not_greater(at, "validity.default_days", profile.validity.default_days,
                      "validity.max_days", profile.validity.max_days);
    check_not_greater(at, "ca.days", profile.ca.days, "ca.max_days", profile.ca.max_days);
    check_not_greater(at, "serial.min_bytes", profile.serial.min_bytes, "serial.bytes",
                      profile.serial.bytes);
    check_host(profile, at);
    check_weak(profile, at);
    return profile;
}

} // namespace certforge::detail
