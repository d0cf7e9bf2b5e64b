// SPDX-License-Identifier: Apache-2.0
// The one issuing path. Every certificate that make, batch and ca sign
// write goes through it, in this order: names → request → profile checks →
// CA fitness → key → signature → self-check of the leaf and the whole chain
// against every target profile → files → ledger. What it hands back passes
// `certforge verify` with each target profile; what it cannot make correctly
// it refuses with a RefusedError before any key is made or any file is
// touched.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/profile.hpp"
#include "certforge/request.hpp"

#include <optional>
#include <string>
#include <vector>

namespace certforge {

// The profiles a certificate is for. `effective` makes it: the one profile,
// or the common ground of several. The result must pass each of `profiles`.
struct IssueTarget {
    std::vector<Profile> profiles;
    Profile effective;

    // Throws InputError (from common_ground) when no one certificate can
    // serve all of them.
    static IssueTarget of(std::vector<Profile> profiles);
    // "konica-legacy", or "'canon-imagerunner', 'hp-jetdirect'".
    std::string names() const;
    bool legacy() const;
};

// Refuses (RefusedError) a CA that may not sign for the target at `now`:
// not valid yet, expired, fewer than kMinimumCaDaysLeft days left, or
// failing a CA rule of a target profile (hash, key size, validity length,
// keyUsage, basicConstraints). `where` names the CA certificate in messages.
void require_ca_fits(const CertInfo& ca, const IssueTarget& target, UnixTime now,
                     std::string_view where);

// Something to tell the user about an issuance, on stderr.
struct IssueNotice {
    bool warning = false; // else a note
    std::string text;
};

class CertificateIssuer {
public:
    // Certificates for `target`, signed by `ca` (null: self-signed), at time
    // `now`. Checks the CA first (require_ca_fits). The issuer keeps
    // references to all three. `ca_info`, when given, is the CA's
    // certificate as `backend` parses it (a server issuing all day parses it
    // once).
    CertificateIssuer(Backend& backend, const IssueTarget& target, const CaFolder* ca, UnixTime now,
                      const CertInfo* ca_info = nullptr);

    // Everything that can be checked before a key exists: the names, subject,
    // days, key size and hash of `request` against the effective profile.
    // Returns the template to sign; a validity past the CA's notAfter is cut
    // back to it (with a note). Throws RefusedError.
    CertificateTemplate plan(const CertRequest& request);

    // A key (new, or `existing_key` checked against the profile) and the
    // certificate `planned` (from plan(request)) describes, self-checked: the
    // leaf and the chain to the CA pass every target profile, or
    // InternalError (nothing is returned that verify would refuse).
    IssuedCertificate issue(const CertRequest& request, const CertificateTemplate& planned,
                            std::optional<PrivateKey> existing_key = std::nullopt);
    // plan(request), then issue it.
    IssuedCertificate issue(const CertRequest& request,
                            std::optional<PrivateKey> existing_key = std::nullopt);

    // A certificate for the key of a CSR, after checking the CSR (signature,
    // key, exactly one CN and only CN, O, OU, L, ST, C, DNS and IP SANs).
    // Self-checked like issue(). Needs a CA. `parsed`, when given, gets the
    // certificate as the backend parsed it for the self-check.
    Bytes issue_for_csr(const CsrInfo& csr, CertInfo* parsed = nullptr);

    const IssueTarget& target() const noexcept { return target_; }
    Backend& backend() const noexcept { return backend_; }
    // The CA's certificate as parsed; null when self-signed.
    const CertInfo* ca_info() const noexcept { return ca_info_ ? &*ca_info_ : nullptr; }
    const CaFolder* ca() const noexcept { return ca_; }
    UnixTime now() const noexcept { return now_; }

    // The notices gathered so far (weak crypto used, validity cut back);
    // the list is emptied.
    std::vector<IssueNotice> take_notices();

    // Throws InternalError when `certificate` (leaf first, with the CA when
    // there is one) fails a target profile as `certforge verify` sees it.
    void self_check(const CertInfo& certificate);

private:
    void note_weak(const CertInfo& certificate);

    Backend& backend_;
    const IssueTarget& target_;
    const CaFolder* ca_;
    std::optional<CertInfo> ca_info_;
    UnixTime now_;
    std::vector<IssueNotice> notices_;
};

} // namespace certforge
