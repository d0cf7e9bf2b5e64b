// SPDX-License-Identifier: Apache-2.0
// A SCEP responder (RFC 8894) on a certforge CA folder, in the shape
// Microsoft NDES has: GetCACaps, GetCACert (RA and CA), PKIOperation over
// GET and POST, the challenge page. Independent of HTTP: the server
// (scep_server.hpp) hands each request to ScepService::handle from its
// worker threads. Every certificate goes through the one issuing path
// (issue.hpp) and into the CA ledger before its CertRep leaves.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/scep_records.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

class Backend;
class CaLedger;

inline constexpr const char* kScepRaKeyFile = "scep-ra.key";
inline constexpr const char* kScepRaCertFile = "scep-ra.crt";

// The SCEP RA of a CA folder: scep-ra.key (RSA-2048, 0600) and
// scep-ra.crt, signed by the CA for digitalSignature and keyEncipherment.
struct ScepRa {
    Bytes certificate_der;
    PrivateKey key;
    bool made = false; // made (or remade) by this call
};

// Loads the RA, or makes it when it is missing, not signed by the CA's
// current key, or within 30 days of its end (it then lasts a year, or up
// to the CA's end). A new RA is written atomically and recorded in the
// ledger (source "scep ra").
ScepRa ensure_scep_ra(const CaFolder& ca, Backend& backend, CaLedger& ledger, UnixTime now);

// Capabilities a server may advertise (GetCACaps), all on by default.
struct ScepCapabilities {
    bool post = true;    // POSTPKIOperation
    bool sha1 = true;    // SHA-1
    bool sha256 = true;  // SHA-256 (and SHA-512, accepted)
    bool des3 = true;    // DES3
    bool aes = true;     // AES
    bool renewal = true; // Renewal
    // The GetCACaps body: one capability per line.
    std::string text() const;
    // Reads "POSTPKIOperation,SHA-256,...". Throws UsageError naming an
    // unknown one.
    static ScepCapabilities parse(std::string_view list);
};

struct ScepServiceOptions {
    std::filesystem::path ca_dir;
    std::string backend; // empty: the default
    bool manual_approval = false;
    ScepCapabilities capabilities;
    // The challenge page (/certsrv/mscep_admin/): off when empty. Its
    // challenges are for this profile, one use, for 60 minutes.
    std::string admin_profile;
    // Who else than loopback peers may fetch the page: those who send
    // this token (HTTP Basic password or Bearer). Empty: loopback only.
    SecureString admin_token;
    // A CA key on a token: its PIN, asked once at start when the token needs it.
    TokenPin token_pin;
};

struct ScepHttpRequest {
    std::string method; // GET or POST
    std::string path;
    std::string operation;
    std::string message; // GET: the message parameter as received
    std::string body;    // POST
    std::string peer;    // the client's address
    bool peer_loopback = false;
    std::string authorization; // the Authorization header
};

struct ScepHttpResponse {
    int status = 200;
    std::string content_type;
    std::string body;
    std::string log; // one line for the server's log; never a secret
};

class ScepService {
public:
    // Loads the CA and its RA (making it when needed), opens the ledger.
    // Throws InputError for a CA folder it cannot use, UsageError in a
    // build without OpenSSL.
    explicit ScepService(ScepServiceOptions options);
    ~ScepService();
    ScepService(const ScepService&) = delete;
    ScepService& operator=(const ScepService&) = delete;

    // Serves one request; safe to call from several threads at once. Never
    // throws for anything a client sends: a bad request is an HTTP 4xx or a
    // SCEP failure.
    ScepHttpResponse handle(const ScepHttpRequest& request);

    const ScepRa& ra() const noexcept;

    struct Impl; // internal (src/lib/scep/scep_service_impl.hpp)

private:
    std::unique_ptr<Impl> impl_;
};

// A one-time challenge for `profile` (and the names, when given): its
// secret, 32 upper-case hex digits, which is shown once and kept only as
// a hash. Throws InputError for an unknown profile.
struct NewScepChallenge {
    SecureString secret;
    ScepChallenge record;
};
NewScepChallenge make_scep_challenge(CaLedger& ledger, Backend& backend, ScepChallenge request,
                                     UnixTime now);
// How the ledger keys a challenge: SHA-256 of the secret as sent, in hex.
std::string scep_secret_sha256(const Backend& backend, std::string_view secret);

// Manual approval (`scep serve --approve manual`). A pending request is
// named by the first 8 or more hex digits of its request_sha256. Approving
// issues its certificate through the one issuing path, as the server would
// have, and records it; the device gets it at its next poll. Throws
// InputError when no pending request, or more than one, has that id;
// RefusedError when the request does not fit its profile (it is then
// recorded rejected).
ScepTransaction approve_scep_request(const CaFolder& ca, Backend& backend, CaLedger& ledger,
                                     std::string_view id, UnixTime now);
ScepTransaction reject_scep_request(CaLedger& ledger, std::string_view id, std::string reason,
                                    UnixTime now);

} // namespace certforge
