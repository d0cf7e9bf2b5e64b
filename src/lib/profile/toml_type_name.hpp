// SPDX-License-Identifier: Apache-2.0
// How a TOML value's type is named in error messages ("an integer").
#pragma once

#include <string_view>
#include <toml++/toml.h>

namespace certforge::detail {

inline std::string_view toml_type_name(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::table:
        return "a table";
    default:
        return "a date or time";
    }
}

} // namespace certforge::detail
