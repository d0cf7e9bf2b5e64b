// SPDX-License-Identifier: Apache-2.0
// The device import bundle: a zip with the certificate the device must
// trust (in the format its web UI takes), the device's own PKCS#12 where it
// imports one, manifest.json and README.txt with the import steps.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/containers.hpp"
#include "certforge/profile.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certforge {

// A device's own key and certificate, as the device imports them.
struct DevicePkcs12 {
    std::string file_name; // "device.p12" inside the bundle
    std::string common_name;
    Bytes pkcs12;
};

struct BundleInput {
    // The certificate the device imports as trusted: the CA, or the
    // server certificate itself when it is self-signed.
    Bytes trust_certificate;
    // The server or device certificate the bundle goes with, if any.
    std::optional<Bytes> leaf_certificate;
    // The devices' own PKCS#12 files, for profiles with
    // import.identity_pkcs12; their encryption and how their password is
    // given. Never the Terminal Server's key.
    std::vector<DevicePkcs12> devices;
    std::string pkcs12_encryption;
    std::string password_hint;
    // When the profile imports a device certificate and none is in the
    // bundle: how to ask for one, in the caller's words (README.txt).
    std::string device_hint;
    UnixTime created = 0;

    bool holds_keys() const { return !devices.empty(); }
};

// Puts a device's PKCS#12 (its own key, certificate and chain) into the
// bundle as the profile says: encrypted with the first of its
// import.pkcs12_encryption, protected by `password` or, where the profile
// says the device needs it, by an empty one. `where` tells the README where
// the password is ("in server.pfx.pass").
void add_device_pkcs12(BundleInput& bundle, const Profile& profile, ContainerCodec& codec,
                       const KeyAndChain& contents, const SecureString& password,
                       const std::string& friendly_name, const std::string& where,
                       std::string file_name = "device.p12");

// File name of the trusted certificate inside the bundle: "ca.cer" (DER) or
// "ca.crt" (PEM), from the profile's import.ca_format.
std::string trust_file_name(const Profile& profile);

// The zip archive's bytes. Entries carry `created` as their time, so the
// same input gives the same archive, and Unix modes: 0600 for key material,
// 0644 for the rest. Write the archive 0600 when input.holds_keys().
Bytes make_import_bundle(const Profile& profile, const BundleInput& input, const Backend& backend);

} // namespace certforge
