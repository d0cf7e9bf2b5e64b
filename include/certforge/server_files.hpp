// The files `certforge make` writes for a server certificate, assembled in
// one place so that `make` and `batch` write the same set:
//   server.key (PKCS#8 PEM, 0600), server.crt, chain.pem (leaf then CA),
//   ca.crt (with a CA), server.pfx (0600) and server.pfx.pass (0600, when the
//   password was generated), import-bundle.zip; optionally server.jks
//   (0600), chain.p7b and server.cer (DER).
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/containers.hpp"
#include "certforge/output_set.hpp"
#include "certforge/profile.hpp"

#include <string>
#include <vector>

namespace certforge {

// Files beyond server.key, server.crt and chain.pem (always written).
struct ServerFormats {
    bool pfx = true;    // server.pfx (needs the OpenSSL container codec)
    bool bundle = true; // import-bundle.zip
    bool jks = false;   // server.jks (key and chain, same password as server.pfx)
    bool p7b = false;   // chain.p7b (needs the OpenSSL container codec)
    bool der = false;   // server.cer
};

// Parses format names: "pfx", "bundle", "jks", "p7b", "der". Throws
// UsageError naming an unknown one.
ServerFormats server_formats_from_names(const std::vector<std::string>& names);

inline constexpr const char* kImportBundleFile = "import-bundle.zip";

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
