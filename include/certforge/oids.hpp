// SPDX-License-Identifier: Apache-2.0
// Object identifiers that both backends must name the same way.
#pragma once

#include "certforge/algorithms.hpp"

#include <string>
#include <string_view>

namespace certforge {

struct SignatureAlgorithmInfo {
    std::string_view oid;
    std::string_view name; // as OpenSSL's long names: "sha256WithRSAEncryption"
    HashAlgorithm hash;
    KeyAlgorithm key;
};

// The known signature algorithm with this dotted OID, or null.
const SignatureAlgorithmInfo* signature_algorithm_by_oid(std::string_view oid);

// Sets signature_algorithm, signature_hash and signature_key_algorithm of
// `info` from the dotted OID of its signature algorithm; unknown OIDs are
// named by the OID itself.
struct CertInfo;
struct CsrInfo;
void set_signature_algorithm(CertInfo& info, std::string_view oid);
void set_signature_algorithm(CsrInfo& info, std::string_view oid);

// DN attribute short names ("CN", "O", "emailAddress", ...) and their OIDs.
// Unknown OIDs are named by the dotted OID itself; unknown names give "".
std::string dn_attribute_name(std::string_view oid);
std::string_view dn_attribute_oid(std::string_view name);

} // namespace certforge
