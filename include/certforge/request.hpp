// SPDX-License-Identifier: Apache-2.0
// What a user asks for: the names on a certificate and optional overrides of
// the profile's defaults.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/subject_alt_name.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct SubjectFields {
    std::string common_name;
    std::string organization;        // O
    std::string organizational_unit; // OU
    std::string locality;            // L
    std::string state;               // ST
    std::string country;             // C, two letters
};

// A server (leaf) certificate request.
struct CertRequest {
    SubjectFields subject;
    std::vector<SubjectAltName> subject_alt_names;
    std::optional<unsigned> days;
    std::optional<unsigned> rsa_bits;
    std::optional<HashAlgorithm> hash;
};

// A CA certificate request; the common name is free text ("Print CA").
struct CaRequest {
    SubjectFields subject;
    std::optional<unsigned> days;
    std::optional<unsigned> rsa_bits;
    std::optional<HashAlgorithm> hash;
};

} // namespace certforge
