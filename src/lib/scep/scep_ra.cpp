// SPDX-License-Identifier: Apache-2.0
// The SCEP RA certificate of a CA folder.
#include "certforge/backend.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "certforge/scep_service.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace {

namespace fs = std::filesystem;

constexpr UnixTime kRenewBefore = 30 * 86'400;
constexpr UnixTime kRaLifetime = 365 * 86'400;

// The RA on disk, when it is there, signed by the CA and not about to end.
std::optional<ScepRa> usable_ra(const CaFolder& ca, const Backend& backend, UnixTime now) {
    const fs::path key_file = ca.dir / kScepRaKeyFile;
    const fs::path cert_file = ca.dir / kScepRaCertFile;
    if (!fs::exists(key_file) || !fs::exists(cert_file)) {
        return std::nullopt;
    }
    const auto certificates = read_certificate_file(cert_file);
    PrivateKey key = read_private_key_file(key_file);
    const Bytes& der = certificates.front();
    const CertInfo info = backend.parse_certificate(der, path_text(cert_file));
    std::string why;
    if (backend.certificate_signed_by(der, ca.certificate_der, why) != true ||
        !backend.key_matches_certificate(key, der) || info.not_after - kRenewBefore < now ||
        info.not_before > now) {
        return std::nullopt;
    }
    return ScepRa{der, std::move(key), false};
}

} // namespace

ScepRa ensure_scep_ra(const CaFolder& ca, Backend& backend, CaLedger& ledger, UnixTime now) {
    if (auto existing = usable_ra(ca, backend, now)) {
        return std::move(*existing);
    }
    const CertInfo ca_info = backend.parse_certificate(ca.certificate_der, "the CA certificate");
    PrivateKey key = backend.generate_key({KeyAlgorithm::rsa, 2048});
    CertificateTemplate tmpl;
    tmpl.subject.attributes.push_back(
        {"CN", fmt::format("{} SCEP RA", ca_info.subject.common_name().value_or("certforge CA")),
         DnStringType::utf8});
    tmpl.serial = random_serial(backend, 16);
    tmpl.not_before = now - 300;
    tmpl.not_after = std::min(now + kRaLifetime, ca_info.not_after);
    tmpl.signature_hash = HashAlgorithm::sha256;
    tmpl.basic_constraints = BasicConstraints{false, std::nullopt, true};
    tmpl.key_usage =
        KeyUsageExtension{static_cast<KeyUsageSet>(key_usage_flag(KeyUsageBit::digital_signature) |
                                                   key_usage_flag(KeyUsageBit::key_encipherment)),
                          true};
    const Bytes der =
        backend.sign_certificate(tmpl, key, CaCredentials{ca.certificate_der, ca.key});
    const CertInfo info = backend.parse_certificate(der, "the new SCEP RA certificate");
    OutputSet output(ca.dir, true);
    output.add(kScepRaKeyFile, pem_encode_secret("PRIVATE KEY", key.pkcs8_der()),
               FileMode::private_file);
    output.add(kScepRaCertFile, pem_encode("CERTIFICATE", der), FileMode::public_file);
    deliver_recorded(
        ledger,
        make_ledger_entry(info, "", "scep ra", "", ledger_location(ca.dir / kScepRaCertFile), now),
        output);
    return ScepRa{der, std::move(key), true};
}

} // namespace certforge
