// SPDX-License-Identifier: Apache-2.0
// A CA and a server certificate made by certforge itself, with a password
// file: the starting point of the tests of export, bundle, verify and make
// on the files make writes.
#pragma once

#include "support/test_support.hpp"

#include <string>

namespace certforge::test {

inline constexpr const char* kPassword = "Pr1nt-s3cret";

// `certforge ca init` and `certforge make --ca` with `profile` on `backend`,
// into a fresh folder; the PFX password is kPassword, in a file.
struct Issued {
    TempDir dir;
    std::string ca;
    std::string out;
    std::string password_file;

    explicit Issued(const std::string& backend, const std::string& profile = "konica-legacy");
    std::string key() const { return out + "/server.key"; }
    std::string cert() const { return out + "/server.crt"; }
    std::string ca_cert() const { return ca + "/ca.crt"; }
    std::string path(const std::string& name) const { return (dir / name).string(); }

    // `certforge export` of key, certificate and CA as `format` into `file`.
    RunResult export_as(const std::string& format, const std::string& file,
                        const std::string& backend) const;
};

// What `openssl pkcs12 -info -noout` says about a PKCS#12 file protected
// with kPassword (with -legacy when asked), stdout and stderr together.
std::string openssl_pkcs12_info(const std::string& file, bool legacy);

} // namespace certforge::test
