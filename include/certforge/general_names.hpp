// SPDX-License-Identifier: Apache-2.0
// The subjectAltName extension as both backends read it: one DER walk over
// its GeneralNames, so that both see the same names, refuse the same
// encodings and take time linear in the number of names (Botan 2's own
// decoder de-duplicates names in quadratic time; OpenSSL 3 refuses some
// kinds of name that certforge only counts).
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/subject_alt_name.hpp"

#include <string_view>
#include <vector>

namespace certforge {

struct GeneralNames {
    std::vector<SubjectAltName> names; // dNSName and iPAddress entries, in order
    unsigned others = 0;               // every other entry
};

// The entries of `der`, the value of a subjectAltName extension (a DER
// GeneralNames). dNSNames are read under `policy` (dn_text.hpp); an
// iPAddress of neither 4 nor 16 bytes counts as another entry. Throws
// InputError "<source>: the subjectAltName extension cannot be decoded
// (<why>)" when `der` is not a GeneralNames: a tag that is not [0]..[8], a
// constructed dNSName or iPAddress, an indefinite or overlong length, or
// bytes after the SEQUENCE.
GeneralNames read_general_names(ByteView der, NamePolicy policy, std::string_view source);

} // namespace certforge
