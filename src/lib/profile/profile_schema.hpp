// Internal: the table of every key a profile may hold, its type, its allowed
// values and how it lands in the typed Profile.
#pragma once

#include "profile_layer.hpp"

#include <functional>
#include <string_view>
#include <vector>

namespace certforge::detail {

enum class ValueKind { string, integer, boolean, string_array, integer_array };

std::string_view describe(ValueKind kind);

struct KeyRule {
    std::string_view path; // "key.rsa_bits"
    ValueKind kind;
    std::int64_t min = 0; // integers and integer-array elements
    std::int64_t max = 0;
    std::vector<std::string_view> choices; // strings and string-array elements; empty: any
    bool non_empty = false;                // arrays and strings
    std::function<void(Profile&, const ProfileValue&)> apply;
};

const std::vector<KeyRule>& profile_schema();
const KeyRule* find_rule(std::string_view path);
// Sections ("key", "signature", ...) that the schema knows.
std::vector<std::string> schema_sections();

} // namespace certforge::detail
