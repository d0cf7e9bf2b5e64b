// SPDX-License-Identifier: Apache-2.0
// Internal: the table of every key a profile may hold. One row per key says
// its type, its allowed values, the Profile member it lands in, how the
// common ground of several profiles combines it and whether `profiles show`
// prints it; the loader, to_json, to_text and common_ground all read it.
#pragma once

#include "profile_layer.hpp"

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string_view>
#include <vector>

namespace certforge::detail {

enum class ValueKind { string, integer, boolean, string_array, integer_array };

// "a string", "an array of integers", ...: as the error messages say it.
std::string_view describe(ValueKind kind);

// How common_ground combines one key of several profiles.
enum class Merge {
    first,     // the first profile's value
    derived,   // computed by common_ground from other keys, after the rows
    min,       // the smallest (numbers; enums in declaration order)
    max,       // the largest
    any,       // true when any profile says true
    unite,     // everything any profile lists, first seen first
    intersect, // what every profile lists; nothing in common is an error
};

struct MergeRule {
    // Implicit, so that a row can say `.merge = Merge::min`.
    constexpr MergeRule(Merge rule = Merge::first, std::string_view what = {},
                        std::string_view values = "{}")
        : how(rule), noun(what), listing(values) {}

    Merge how;
    std::string_view noun;    // intersect: what the error says is not common ("RSA key size")
    std::string_view listing; // intersect: fmt pattern for one profile's list ("RSA {}")
};

struct KeyRule;

// Type-erased access to the Profile member of one key (see profile_field.hpp).
struct Field {
    ValueKind kind;
    std::vector<std::string_view> (*names)();    // the values it takes; null: any
    void (*load)(Profile&, const ProfileValue&); // a validated value into the profile
    nlohmann::json (*json)(const Profile&);      // null: not in the JSON
    void (*merge)(const KeyRule&, const std::vector<Profile>&, Profile&); // into the first's copy
    bool (*suits)(Merge); // whether a merge rule fits its type (constexpr)
};

struct KeyRule {
    std::string_view path; // "key.rsa_bits"
    Field field;
    std::int64_t min = 0; // integers and integer-array elements
    std::int64_t max = 0;
    std::span<const std::string_view> choices = {}; // strings and their arrays; empty: names
    bool non_empty = false;                         // arrays and strings
    MergeRule merge = {};
    bool in_text = true; // printed in its [section] by `profiles show`

    // The values a string (or string-array element) may take: choices, else
    // the names of the field's type; empty: any.
    std::vector<std::string_view> allowed() const;
};

// Every key, in the order of profiles/README.md.
std::span<const KeyRule> profile_schema();
// The row of a dotted path, or null.
const KeyRule* find_rule(std::string_view path);
// Sections ("key", "signature", ...) that the schema knows, in table order.
std::vector<std::string> schema_sections();

// The texts of a JSON array's elements: strings as they are, others dumped
// ("sha256", "2048").
std::vector<std::string> element_texts(const nlohmann::json& array);

} // namespace certforge::detail
