// Reading certificates from files as users hand them over.
#pragma once

#include "certforge/bytes.hpp"

#include <filesystem>
#include <vector>

namespace certforge {

// The DER of every certificate in a file: all CERTIFICATE blocks of a PEM file
// (a chain, leaf first as written), or the file itself when it is DER.
// Throws InputError for a missing, empty or unreadable file, for PEM without
// a certificate, and for content that is neither PEM nor DER.
std::vector<Bytes> read_certificate_file(const std::filesystem::path& path);

} // namespace certforge
