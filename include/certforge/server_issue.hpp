// SPDX-License-Identifier: Apache-2.0
// A server certificate with the files of `certforge make`, through the one
// issuing path (issue.hpp): what make and batch both ask for, checked,
// made, self-checked, then written and recorded.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/containers.hpp"
#include "certforge/issue.hpp"
#include "certforge/output_set.hpp"
#include "certforge/passwords.hpp"
#include "certforge/server_files.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

// What a server certificate and its files are asked for with.
struct ServerOrder {
    CertRequest request;
    std::optional<PrivateKey> existing_key; // reuse this key instead of a new one
    // Devices that get a key and certificate of their own in the bundle
    // (profiles with import.identity_pkcs12): their CN and SANs. The other
    // subject fields and the days come from `request`.
    std::vector<CertRequest> devices;
    ServerFormats formats;
    Pkcs12Encryption server_encryption = Pkcs12Encryption::triple_des;
    PasswordSource password;
    // README.txt, when the profile imports a device certificate and no
    // device is named: how the user names one, in the caller's words.
    std::string device_hint;
    std::string source; // for the ledger: "make", "batch"
    std::string site;   // batch site id; empty otherwise
};

// The files and ledger entries of one server certificate, made and checked
// but not yet on disk.
struct PreparedServerFiles {
    std::unique_ptr<OutputSet> output;
    std::vector<LedgerEntry> ledger_entries; // the server's first, then the devices'
    CertInfo certificate;
    std::vector<CertInfo> device_certificates;
    bool password_generated = false;
};

// A device's request: its own CN and SANs (from `device`), the server's
// other subject fields and days.
CertRequest device_request(const CertRequest& server, const CertRequest& device);

// Throws RefusedError when devices are named for a profile whose devices
// import only the CA certificate.
void require_devices_allowed(const Profile& profile, bool devices_named);

// How a batch compares devices: "CN dns:a,ip:b" with the SANs sorted.
std::string device_signature(std::string_view common_name, std::vector<std::string> sans);

// The file name of the i-th of `count` device PKCS#12 files in the bundle:
// "device.p12" for one, "device-CN.p12" for several.
std::string device_pkcs12_name(const CertRequest& device, std::size_t count);

// What an order turned out to be once checked, before any key is made.
struct CheckedServerOrder {
    CertificateTemplate server_plan;
    std::vector<CertRequest> devices; // the devices' own requests
    std::vector<CertificateTemplate> device_plans;
    bool with_devices = false; // device PKCS#12 files go into the bundle
    SecureString password;     // for the PFX and device files; empty when none is needed
    bool password_generated = false;
};

// Everything prepare_server_files checks before a key is made: the server's
// and the devices' requests, the device rules, and the password (read from
// its source, or generated in memory, then checked against the profile).
// Throws what the real run would throw; `batch --dry-run` stops here.
CheckedServerOrder check_server_order(CertificateIssuer& issuer, const ContainerCodec* codec,
                                      const ServerOrder& order);

// Checks everything first (requests, device names, the password against
// the profile; RefusedError before any key is made), then makes the keys
// and certificates through `issuer` and puts the file set in memory for
// `folder` (written as OutputSet says, with `force` and `folder_link`).
// `codec` null: no PKCS#12 or PKCS#7 files.
PreparedServerFiles prepare_server_files(CertificateIssuer& issuer, ContainerCodec* codec,
                                         ServerOrder order, const std::filesystem::path& folder,
                                         bool force, FolderLink folder_link);

// Writes the prepared files; with a ledger, every certificate is recorded
// pending first and valid once the files are in place (deliver_recorded).
// SIGINT and SIGTERM wait until the ledger and the files agree (SignalGuard).
std::vector<std::filesystem::path> deliver(PreparedServerFiles& prepared, CaLedger* ledger,
                                           const std::function<void()>& after_record = {});

} // namespace certforge
