// SPDX-License-Identifier: Apache-2.0
// Turns a profile and a request into keys and certificates through a backend.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/profile.hpp"
#include "certforge/request.hpp"

#include <functional>
#include <optional>

namespace certforge {

struct IssuedCertificate {
    PrivateKey key;
    Bytes certificate_der;
};

struct IssuedRequest {
    PrivateKey key;
    Bytes csr_der;
};

// A CA must have at least this many days left to issue: a certificate with
// less would be "expiring" from its first day (verify warns, batch renews it
// on every run). ca init refuses shorter CAs.
inline constexpr unsigned kMinimumCaDaysLeft = 30;

// Checks the request against the profile before any key is made: CN syntax,
// every SAN, subject string encoding, sizes and hashes the profile allows,
// days within the profile's maximum. Throws RefusedError with the reason.
void validate_request(const Profile& profile, const CertRequest& request);

// The RSA size a request gets: the requested one or the profile's default.
// Throws RefusedError when the profile does not allow it.
unsigned chosen_rsa_bits(const Profile& profile, std::optional<unsigned> requested);

// Throws RefusedError when a key that exists already (`whose`: "the given
// key", "the request's key") is not one the profile allows.
void require_existing_key_fits(const Profile& profile, const KeyDescription& key,
                               std::string_view whose);

// The template of a leaf certificate: subject, SANs (the CN added when the
// profile wants it), validity from `now` (notBefore backdated as the profile
// says), extensions, hash. `serial` comes from the caller.
CertificateTemplate leaf_template(const Profile& profile, const CertRequest& request, Bytes serial,
                                  UnixTime now);

// The template of a self-signed CA certificate for `profile`.
CertificateTemplate ca_template(const Profile& profile, const CaRequest& request, Bytes serial,
                                UnixTime now);

// The request a CSR stands for, checked against the profile: a valid
// self-signature, an allowed key, exactly one CN and at most one of each of
// O, OU, L, ST, C (nothing else), SANs that pass validate_request. Throws
// RefusedError with the reason the CSR breaks the profile.
CertRequest request_from_csr(const Profile& profile, const CsrInfo& csr);

// A random positive serial of exactly `bytes` octets (top bit clear, next bit
// set), from the backend's CSPRNG.
Bytes random_serial(Backend& backend, unsigned bytes);

class CertificateBuilder {
public:
    CertificateBuilder(Backend& backend, const Profile& profile)
        : backend_(backend), profile_(profile) {}

    // A new key (or `existing_key`) and a leaf certificate signed by `issuer`,
    // or self-signed when there is none. No policy beyond the profile's
    // request checks: commands issue through CertificateIssuer (issue.hpp).
    IssuedCertificate issue_leaf(const CertRequest& request,
                                 const std::optional<CaCredentials>& issuer,
                                 std::optional<PrivateKey> existing_key = std::nullopt);

    // A key (a new one of the request's size, or `existing_key` checked
    // against the profile) and the certificate `tmpl` describes for it.
    IssuedCertificate sign_template(const CertificateTemplate& tmpl, const CertRequest& request,
                                    const std::optional<CaCredentials>& issuer,
                                    std::optional<PrivateKey> existing_key = std::nullopt);

    // A new key and a PKCS#10 request for it that fits the profile.
    IssuedRequest make_csr(const CertRequest& request,
                           std::optional<PrivateKey> existing_key = std::nullopt);

    // Where a CA key comes from when it is not made by the backend: given
    // the size the profile and request chose, a key (on a token).
    using KeySource = std::function<PrivateKey(unsigned bits)>;

    // A self-signed CA certificate for a new key, or for the key
    // `key_source` gives, checked against the profile. Every check of the
    // request runs before the key is made or asked for.
    IssuedCertificate issue_ca(const CaRequest& request, const KeySource& key_source = {});

private:
    PrivateKey key_for(unsigned requested_bits, std::optional<PrivateKey> existing_key);

    Backend& backend_;
    const Profile& profile_;
};

} // namespace certforge
