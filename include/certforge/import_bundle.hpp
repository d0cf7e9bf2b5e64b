// The device import bundle: a zip with the certificate the device must
// trust (in the format its web UI takes), the device's own PKCS#12 where it
// imports one, manifest.json and README.txt with the import steps.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/containers.hpp"
#include "certforge/profile.hpp"

#include <optional>
#include <string>

namespace certforge {

struct BundleInput {
    // The certificate the device imports as trusted: the CA, or the
    // server certificate itself when it is self-signed.
    Bytes trust_certificate;
    // The server or device certificate the bundle goes with, if any.
    std::optional<Bytes> leaf_certificate;
    // device.p12 (key, certificate and chain), for profiles with
    // import.identity_pkcs12; its encryption and how its password is given.
    std::optional<Bytes> device_pkcs12;
    std::string pkcs12_encryption;
    std::string password_hint;
    UnixTime created = 0;
};

// Puts device.p12 into the bundle as the profile says: encrypted with the
// first of its import.pkcs12_encryption, protected by `password` or, where
// the profile says the device needs it, by an empty one. `where` tells the
// README where the password is ("in server.pfx.pass").
void add_device_pkcs12(BundleInput& bundle, const Profile& profile, ContainerCodec& codec,
                       const KeyAndChain& contents, const SecureString& password,
                       const std::string& friendly_name, const std::string& where);

// File name of the trusted certificate inside the bundle: "ca.cer" (DER) or
// "ca.crt" (PEM), from the profile's import.ca_format.
std::string trust_file_name(const Profile& profile);

// The zip archive's bytes. Entries carry `created` as their time, so the
// same input gives the same archive.
Bytes make_import_bundle(const Profile& profile, const BundleInput& input, const Backend& backend);

} // namespace certforge
