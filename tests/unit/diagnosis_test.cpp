// SPDX-License-Identifier: Apache-2.0
// The probe's diagnosis table (diagnosis.hpp): each failure case from a
// constructed probe report, host and device profile, with its evidence, fix,
// risk and registry change checked word for word, and the reports that must
// not raise it. A device certificate each backend parsed gives the same
// verdict as a constructed one.
#include "certforge/backend_registry.hpp"
#include "certforge/diagnosis.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace certforge;
using certforge::test::TempDir;

namespace {

// A Terminal Server host: the versions it enables, its DH minimum, and the
// updates that matter (empty: none known).
Profile host(std::vector<std::string> versions, std::vector<std::string> dh_kbs = {},
             std::vector<std::string> sha512_kbs = {}) {
    Profile p;
    p.id = "test-host";
    p.kind = ProfileKind::host;
    p.host.os = "Windows Server 2012 R2";
    p.host.dh_kbs = std::move(dh_kbs);
    p.host.sha512_tls12_kbs = std::move(sha512_kbs);
    p.tls.versions = std::move(versions);
    p.tls.dh_min_bits = 1024;
    return p;
}

const std::vector<std::string> kOldWindows{"tls1.0", "tls1.1", "tls1.2"};

AcceptedCipher cipher(const std::string& name, const std::string& kx, unsigned dh_bits = 0) {
    return {name, "", kx, dh_bits, ""};
}

VersionResult works(TlsVersion version, std::vector<AcceptedCipher> ciphers = {}) {
    return {version, true, true, "", std::move(ciphers)};
}

VersionResult fails(TlsVersion version, const std::string& why) {
    return {version, true, false, why, {}};
}

ProbeReport report(std::vector<VersionResult> versions) {
    ProbeReport r;
    r.target.host = "10.1.2.3";
    r.versions = std::move(versions);
    return r;
}

CertInfo device_certificate(HashAlgorithm hash, KeyAlgorithm key, unsigned bits) {
    CertInfo c;
    c.signature_hash = hash;
    c.key_algorithm = key;
    c.key_bits = bits;
    return c;
}

std::vector<std::string> ids(const std::vector<Diagnosis>& found) {
    std::vector<std::string> out;
    for (const auto& d : found) {
        out.push_back(d.id);
    }
    return out;
}

using Ids = std::vector<std::string>;

// The one diagnosis in `found`, which must be `id`.
const Diagnosis& the_one(const std::vector<Diagnosis>& found, const std::string& id) {
    REQUIRE(ids(found) == Ids{id});
    return found.front();
}

// A device profile whose firmware breaks on DHE.
Profile dhe_broken_device(const std::string& id) {
    Profile device;
    device.id = id;
    device.tls.dhe_broken = true;
    return device;
}

} // namespace

TEST_CASE("diagnosis: no-common-protocol", "[probe][diagnosis]") {
    const Profile windows = host({"tls1.2", "tls1.3"});
    const auto found = diagnose(report({works(TlsVersion::tls1_0), works(TlsVersion::tls1_1),
                                        fails(TlsVersion::tls1_2, "alert protocol_version")}),
                                {}, windows, std::nullopt);
    const Diagnosis& d = the_one(found, "no-common-protocol");
    CHECK(d.evidence == "the device speaks TLS 1.0, TLS 1.1; Windows Server 2012 R2 enables TLS "
                        "1.2, TLS 1.3 by default");
    CHECK(d.fix == "enable TLS 1.1 for SChannel's client side (certforge schannel --enable "
                   "tls1.1 --side client), and set SafeQ's "
                   "securityProtocolTypesForOutboundCommunication to Tls11");
    CHECK(d.risk.empty());
    REQUIRE(d.registry);
    CHECK(d.registry->enable == std::vector<TlsVersion>{TlsVersion::tls1_1});
    CHECK(d.registry->disable.empty());
    CHECK(d.registry->side == SchannelSide::client);
    CHECK_FALSE(d.registry->dh_client_min_bits);
    CHECK_FALSE(d.registry->disable_dh);

    // SSL 3.0 alone: the fix carries its risk.
    const auto ssl3 = diagnose(report({works(TlsVersion::ssl3)}), {}, windows, std::nullopt);
    const Diagnosis& poodle = the_one(ssl3, "no-common-protocol");
    CHECK(poodle.evidence == "the device speaks SSL 3.0; Windows Server 2012 R2 enables TLS 1.2, "
                             "TLS 1.3 by default");
    CHECK(poodle.fix == "enable SSL 3.0 for SChannel's client side (certforge schannel --enable "
                        "ssl3 --side client), and set SafeQ's "
                        "securityProtocolTypesForOutboundCommunication to Ssl3");
    CHECK(poodle.risk == "SSL 3.0 is broken (POODLE); better update the device firmware");

    // One version in common is enough; a device that completed no handshake
    // at all shows no protocol to enable.
    CHECK(diagnose(report({works(TlsVersion::tls1_0), works(TlsVersion::tls1_2)}), {}, windows,
                   std::nullopt)
              .empty());
    CHECK(diagnose(report({fails(TlsVersion::tls1_0, "timeout")}), {}, windows, std::nullopt)
              .empty());
}

TEST_CASE("diagnosis: claims-tls12-bad-record-mac", "[probe][diagnosis]") {
    const Profile windows = host(kOldWindows);
    const auto found = diagnose(report({works(TlsVersion::tls1_0), works(TlsVersion::tls1_1),
                                        fails(TlsVersion::tls1_2, "alert bad_record_mac")}),
                                {}, windows, std::nullopt);
    const Diagnosis& d = the_one(found, "claims-tls12-bad-record-mac");
    CHECK(d.evidence == "a TLS 1.2 handshake ends with the device's bad_record_mac alert, while "
                        "TLS 1.0, TLS 1.1 works");
    CHECK(d.fix == "set SafeQ's securityProtocolTypesForOutboundCommunication to Tls, Tls11 "
                   "(SafeQ only); if that is not enough, disable TLS 1.2 for SChannel's client "
                   "side");
    CHECK(d.risk == "disabling TLS 1.2 in SChannel is machine-wide: every other device and service "
                    "this server talks to loses TLS 1.2");
    REQUIRE(d.registry);
    CHECK(d.registry->disable == std::vector<TlsVersion>{TlsVersion::tls1_2});
    CHECK(d.registry->enable.empty());
    CHECK(d.registry->side == SchannelSide::client);

    // Another alert, or no older version that works: not this case.
    CHECK(diagnose(report({works(TlsVersion::tls1_1),
                           fails(TlsVersion::tls1_2, "alert handshake_failure")}),
                   {}, windows, std::nullopt)
              .empty());
    CHECK(ids(diagnose(report({fails(TlsVersion::tls1_1, "alert protocol_version"),
                               fails(TlsVersion::tls1_2, "alert bad_record_mac"),
                               works(TlsVersion::tls1_3)}),
                       {}, windows, std::nullopt)) == Ids{"no-common-protocol"});
}

TEST_CASE("diagnosis: weak-dh", "[probe][diagnosis]") {
    const Profile windows = host(kOldWindows, {"KB3061518", "MS15-055"});
    const auto weak =
        report({works(TlsVersion::tls1_0),
                works(TlsVersion::tls1_2, {cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 512),
                                           cipher("TLS_RSA_WITH_AES_128_CBC_SHA", "RSA")})});
    const auto found = diagnose(weak, {}, windows, std::nullopt);
    const Diagnosis& d = the_one(found, "weak-dh");
    CHECK(d.evidence == "on TLS 1.2 the device prefers TLS_DHE_RSA_WITH_AES_128_CBC_SHA with a "
                        "512-bit DH group; Windows Server 2012 R2 refuses groups under 1024 bits "
                        "(since KB3061518, MS15-055)");
    CHECK(d.fix == "on the device, give DHE a group of at least 1024 bits or prefer RSA/ECDHE "
                   "suites; otherwise lower SChannel's ClientMinKeyBitLength to 512");
    CHECK(d.risk == "a DH minimum under 1024 bits weakens every TLS client on the server (Logjam); "
                    "the device fix is the safe one");
    REQUIRE(d.registry);
    CHECK(d.registry->dh_client_min_bits == 512u);
    CHECK(d.registry->enable.empty());
    CHECK(d.registry->disable.empty());
    CHECK_FALSE(d.registry->disable_dh);

    // Without known updates the evidence names none.
    CHECK(diagnose(weak, {}, host(kOldWindows), std::nullopt).front().evidence ==
          "on TLS 1.2 the device prefers TLS_DHE_RSA_WITH_AES_128_CBC_SHA with a 512-bit DH group; "
          "Windows Server 2012 R2 refuses groups under 1024 bits");
    // Only the version Windows would use, and only the suite the device prefers.
    CHECK(diagnose(report({works(TlsVersion::tls1_0, {cipher("DHE-512", "DHE", 512)}),
                           works(TlsVersion::tls1_2, {cipher("RSA", "RSA")})}),
                   {}, windows, std::nullopt)
              .empty());
    CHECK(diagnose(report({works(TlsVersion::tls1_2,
                                 {cipher("RSA", "RSA"), cipher("DHE-512", "DHE", 512)})}),
                   {}, windows, std::nullopt)
              .empty());
    CHECK(diagnose(report({works(TlsVersion::tls1_2, {cipher("DHE-1024", "DHE", 1024)})}), {},
                   windows, std::nullopt)
              .empty());
}

TEST_CASE("diagnosis: dhe-broken", "[probe][diagnosis]") {
    const Profile windows = host(kOldWindows);
    const Profile device = dhe_broken_device("ricoh-im-act1");
    const auto offers_dhe = report({works(TlsVersion::tls1_1, {cipher("DHE-2048", "DHE", 2048)}),
                                    works(TlsVersion::tls1_2, {cipher("ECDHE", "ECDHE")})});
    const auto found = diagnose(offers_dhe, {}, windows, device);
    const Diagnosis& d = the_one(found, "dhe-broken");
    CHECK(d.evidence == "the device accepts DHE suites, and its profile 'ricoh-im-act1' says this "
                        "firmware breaks on DHE");
    CHECK(d.fix == "turn DHE off on the device if it can; otherwise turn Diffie-Hellman off in "
                   "SChannel (certforge schannel --disable-dh)");
    CHECK(d.risk == "disabling Diffie-Hellman is machine-wide: peers that offer only DHE stop "
                    "working");
    REQUIRE(d.registry);
    CHECK(d.registry->disable_dh);
    CHECK_FALSE(d.registry->dh_client_min_bits);

    // No device profile, a profile without the flag, or no DHE offered.
    CHECK(diagnose(offers_dhe, {}, windows, std::nullopt).empty());
    Profile fine = device;
    fine.tls.dhe_broken = false;
    CHECK(diagnose(offers_dhe, {}, windows, fine).empty());
    CHECK(diagnose(report({works(TlsVersion::tls1_2, {cipher("ECDHE", "ECDHE")})}), {}, windows,
                   device)
              .empty());
}

TEST_CASE("diagnosis: sha512-tls12", "[probe][diagnosis]") {
    const Profile windows = host(kOldWindows, {}, {"KB2973337", "KB3197873"});
    const auto tls12 = report({works(TlsVersion::tls1_2)});
    const std::vector<CertInfo> chain{
        device_certificate(HashAlgorithm::sha256, KeyAlgorithm::rsa, 2048),
        device_certificate(HashAlgorithm::sha512, KeyAlgorithm::rsa, 4096)};
    const auto found = diagnose(tls12, chain, windows, std::nullopt);
    const Diagnosis& d = the_one(found, "sha512-tls12");
    CHECK(d.evidence == "TLS 1.2 with a SHA-512-signed device certificate; Windows Server 2012 R2 "
                        "needs KB2973337, KB3197873 for that");
    CHECK(d.fix == "install KB2973337, KB3197873");
    CHECK(d.risk.empty());
    CHECK_FALSE(d.registry);

    // A host without the update issue, a chain without SHA-512, or TLS 1.1.
    CHECK(diagnose(tls12, chain, host(kOldWindows), std::nullopt).empty());
    CHECK(diagnose(tls12, {chain[0]}, windows, std::nullopt).empty());
    CHECK(diagnose(report({works(TlsVersion::tls1_1)}), chain, windows, std::nullopt).empty());
}

TEST_CASE("diagnosis: device-legacy-crypto", "[probe][diagnosis]") {
    const Profile windows = host(kOldWindows);
    const auto tls12 = report({works(TlsVersion::tls1_2)});
    const std::string fix =
        "this firmware generation may refuse a SHA-256/RSA-2048 Terminal Server certificate: if "
        "it does, make the server certificate with a legacy profile (e.g. konica-legacy) or the "
        "profile --write-profile drafts";
    const std::string risk = "a legacy certificate is weak: use it only for such devices";
    struct Case {
        CertInfo leaf;
        std::string evidence; // empty: not this case
    };
    const std::vector<Case> cases{
        {device_certificate(HashAlgorithm::sha1, KeyAlgorithm::rsa, 1024),
         "the device's own certificate is sha1 with rsa 1024 bits"},
        {device_certificate(HashAlgorithm::sha256, KeyAlgorithm::rsa, 1024),
         "the device's own certificate is sha256 with rsa 1024 bits"},
        {device_certificate(HashAlgorithm::md5, KeyAlgorithm::rsa, 2048),
         "the device's own certificate is md5 with rsa 2048 bits"},
        {device_certificate(HashAlgorithm::sha1, KeyAlgorithm::ec, 256),
         "the device's own certificate is sha1 with ec 256 bits"},
        {device_certificate(HashAlgorithm::sha256, KeyAlgorithm::rsa, 2048), ""},
        {device_certificate(HashAlgorithm::sha256, KeyAlgorithm::ec, 256), ""},
    };
    for (const auto& c : cases) {
        INFO(to_string(c.leaf.signature_hash)
             << " " << to_string(c.leaf.key_algorithm) << " " << c.leaf.key_bits);
        // Only the device's own certificate counts, not its CA's.
        const auto found = diagnose(
            tls12, {c.leaf, device_certificate(HashAlgorithm::sha1, KeyAlgorithm::rsa, 1024)},
            windows, std::nullopt);
        if (c.evidence.empty()) {
            CHECK(found.empty());
            continue;
        }
        const Diagnosis& d = the_one(found, "device-legacy-crypto");
        CHECK(d.evidence == c.evidence);
        CHECK(d.fix == fix);
        CHECK(d.risk == risk);
        CHECK_FALSE(d.registry);
    }
    CHECK(diagnose(tls12, {}, windows, std::nullopt).empty());
}

TEST_CASE("diagnosis: a device certificate as each backend parsed it", "[probe][diagnosis]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    TempDir dir;
    certforge::test::OpenSslCert legacy;
    legacy.key = "rsa1024";
    legacy.hash = "sha1";
    const auto pem = certforge::test::openssl_cert(dir, "device", legacy);
    const CertInfo leaf = backend->parse_certificate(certforge::test::der_of(pem), pem.string());
    const auto found =
        diagnose(report({works(TlsVersion::tls1_2)}), {leaf}, host(kOldWindows), std::nullopt);
    CHECK(the_one(found, "device-legacy-crypto").evidence ==
          "the device's own certificate is sha1 with rsa 1024 bits");
}

TEST_CASE("diagnosis: several cases at once come in table order", "[probe][diagnosis]") {
    const Profile device = dhe_broken_device("old-mfd");
    const auto found = diagnose(report({works(TlsVersion::tls1_0, {cipher("DHE-512", "DHE", 512)}),
                                        fails(TlsVersion::tls1_2, "alert bad_record_mac")}),
                                {device_certificate(HashAlgorithm::sha1, KeyAlgorithm::rsa, 1024)},
                                host(kOldWindows, {"KB3061518"}), device);
    CHECK(ids(found) ==
          Ids{"claims-tls12-bad-record-mac", "weak-dh", "dhe-broken", "device-legacy-crypto"});
    CHECK(supported_versions(report({works(TlsVersion::tls1_0), fails(TlsVersion::tls1_1, "x"),
                                     works(TlsVersion::tls1_3)})) ==
          std::vector<TlsVersion>{TlsVersion::tls1_0, TlsVersion::tls1_3});
}
