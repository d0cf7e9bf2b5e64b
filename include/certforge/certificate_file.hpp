// SPDX-License-Identifier: Apache-2.0
// Reading certificates from files as users hand them over.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/bytes.hpp"

#include <filesystem>
#include <vector>

namespace certforge {

// The DER of every certificate in a file: all CERTIFICATE blocks of a PEM file
// (a chain, leaf first as written), or the file itself when it is DER.
// Throws InputError for a missing, empty or unreadable file, for PEM without
// a certificate, for content that is neither PEM nor DER, and for a
// certificate that is not one DER object (require_one_der_object).
std::vector<Bytes> read_certificate_file(const std::filesystem::path& path);

// The DER of the PKCS#10 request in a file: its first CERTIFICATE REQUEST
// (or NEW CERTIFICATE REQUEST) block, or the file itself when it is DER.
// Throws InputError as read_certificate_file does.
Bytes read_request_file(const std::filesystem::path& path);

// What a file holds, judged by its content: a JKS magic number; a PEM label
// ("PKCS7" for a bundle); or, for DER, the first element inside the outer
// SEQUENCE (INTEGER: PKCS#12, OID: PKCS#7, SEQUENCE: a certificate).
enum class FileKind { certificates, pkcs7, pkcs12, jks };
FileKind detect_file_kind(ByteView data);

// True when `data` is a CRL: PEM holding only X509 CRL blocks, or DER whose
// TBSCertList starts with version v2, as every CRL certforge writes. Never
// throws.
bool is_crl(ByteView data);

// The DER of a PKCS#7 bundle, from PEM ("PKCS7" block) or DER.
Bytes pkcs7_der(const std::string& content, std::string_view source);

// An unencrypted PKCS#8 PEM private key ("PRIVATE KEY"). Throws InputError
// naming the file for anything else (an encrypted or traditional RSA key
// included, with the openssl command that converts it).
PrivateKey read_private_key_file(const std::filesystem::path& path);

} // namespace certforge
