// SPDX-License-Identifier: Apache-2.0
// The outer frame of a DER object, checked before a library parses it: a
// certificate or request must be one object, in DER (definite lengths), with
// nothing after it. Containers from other tools (PKCS#12, PKCS#7) may use
// BER's indefinite lengths, so they are checked only for trailing bytes.
#pragma once

#include "certforge/bytes.hpp"

#include <string_view>

namespace certforge {

enum class DerRule {
    strict,      // one DER object: definite length, the whole input
    no_trailing, // BER allowed inside; nothing after the outer object
};

// Throws InputError "SOURCE: WHAT is not one DER object (why)" when the
// input is not one object under `rule`: empty, cut short, indefinite
// length where DER is required, or followed by other bytes.
void require_one_der_object(ByteView der, DerRule rule, std::string_view what,
                            std::string_view source);

} // namespace certforge
