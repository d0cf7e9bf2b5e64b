// SPDX-License-Identifier: Apache-2.0
// Internal: what the two halves of dn_text.hpp share. dn_strings.cpp decodes
// the ASN.1 string types; dn_text.cpp reads names under a NamePolicy.
#pragma once

#include <string_view>

namespace certforge::detail {

// U+FFFD in UTF-8: what stands in for bytes that are not text of their type.
inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// True for the string types of 7-bit ASCII: PrintableString, IA5String and
// NumericString.
bool seven_bit_type(int tag);

} // namespace certforge::detail
