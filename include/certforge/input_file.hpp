// SPDX-License-Identifier: Apache-2.0
// Opening whatever a user hands over as "my key and certificates": PEM or
// DER certificates, a PKCS#7 bundle, a PKCS#12 file or a JKS keystore.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "certforge/verify.hpp"

#include <filesystem>
#include <functional>
#include <optional>

namespace certforge {

struct OpenedFile {
    FileKind kind = FileKind::certificates;
    KeyAndChain contents;                // chain leaf first; key for PKCS#12 and JKS
    std::optional<ContainerFacts> facts; // PKCS#12, JKS and PKCS#7 only
};

// Reads and, where needed, decrypts the file. `password` is called only for
// PKCS#12 and JKS (a JKS key is decrypted with the same password as the
// store). Throws InputError for anything unreadable, "wrong password"
// included.
OpenedFile open_input_file(const std::filesystem::path& path, const Backend& backend,
                           const std::function<SecureString()>& password);

} // namespace certforge
