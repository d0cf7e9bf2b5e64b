// SPDX-License-Identifier: Apache-2.0
// The files `certforge make` writes for a server certificate, assembled in
// one place so that `make` and `batch` write the same set:
//   server.key (PKCS#8 PEM, 0600), server.crt, chain.pem (leaf then CA),
//   ca.crt (with a CA), and the file of each format in the set
//   (export_formats.hpp: server.pfx, server.jks, chain.p7b, server.cer,
//   import-bundle.zip), each written by the same encoder as `export`, with
//   server.pfx.pass (0600) when the PFX/JKS password was generated.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/containers.hpp"
#include "certforge/export_formats.hpp"
#include "certforge/output_set.hpp"
#include "certforge/profile.hpp"

#include <string>
#include <vector>

namespace certforge {

inline constexpr const char* kImportBundleFile = "import-bundle.zip";
// The generated PFX/JKS password, when certforge made one.
inline constexpr const char* kPasswordFile = "server.pfx.pass";

// A device's own key and certificate, for its PKCS#12 in the import bundle.
struct DeviceIdentity {
    std::string common_name;
    std::string file_name; // in the bundle: "device.p12"
    IssuedCertificate issued;
};

struct ServerFilesInput {
    ServerFilesInput(const Profile& for_profile, const IssuedCertificate& certificate)
        : profile(for_profile), issued(certificate) {}

    const Profile& profile;
    const IssuedCertificate& issued;
    const Bytes* ca_certificate = nullptr; // null: self-signed
    ContainerCodec* codec = nullptr;       // null: no PKCS#12 or PKCS#7 files
    SecureString password;                 // server.pfx, server.jks, the devices' PKCS#12
    bool password_generated = false;       // also write server.pfx.pass
    Pkcs12Encryption server_encryption = Pkcs12Encryption::triple_des;
    std::vector<DeviceIdentity> devices; // their PKCS#12 files go into the bundle
    std::string device_hint;             // README.txt: how to ask for a device's own
    ServerFormats formats;
    UnixTime now = 0;
};

// True when the files need a password: server.pfx, server.jks, or a
// device's PKCS#12 in the bundle.
bool server_files_need_password(const ServerFormats& formats, bool with_codec, bool with_devices);

// The names add_server_files() will write, for refusing existing files
// before any key is made.
std::vector<std::string> server_file_names(const ServerFormats& formats, bool with_ca,
                                           bool with_codec, bool password_generated);

// Adds every file of the set to `output`, server.crt last (OutputSet renames
// in that order, so a server.crt in place means the whole set landed). The
// bundle is written 0600 when it holds the devices' keys.
void add_server_files(OutputSet& output, const ServerFilesInput& input, Backend& backend);

} // namespace certforge
