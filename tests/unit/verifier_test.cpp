// SPDX-License-Identifier: Apache-2.0
// Every verifier rule, passing and failing, on certificates made by the
// openssl command line (not by certforge), parsed by each backend.
#include "certforge/backend_registry.hpp"
#include "certforge/verify.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace certforge;
using certforge::test::OpenSslCert;
using certforge::test::TempDir;

namespace {

struct Checked {
    std::vector<Finding> findings;

    const Finding& rule(const std::string& id) const {
        for (const auto& f : findings) {
            if (f.rule == id) {
                return f;
            }
        }
        FAIL("no finding for rule " << id);
        throw std::logic_error("unreachable");
    }
    bool passes(const std::string& id) const { return rule(id).outcome == Outcome::pass; }
    bool is_error(const std::string& id) const {
        return rule(id).outcome == Outcome::fail && rule(id).severity == Severity::error;
    }
    bool is_warning(const std::string& id) const {
        return rule(id).outcome == Outcome::fail && rule(id).severity == Severity::warning;
    }
};

class Fixture {
public:
    Fixture() : backend_(make_backend(GENERATE(from_range(certforge::test::backend_names())))) {}

    CertInfo parse(const std::filesystem::path& pem) const {
        return backend_->parse_certificate(certforge::test::der_of(pem), pem.string());
    }
    CertInfo make(const std::string& name, const OpenSslCert& spec) const {
        return parse(certforge::test::openssl_cert(dir_, name, spec));
    }
    Checked check(const CertInfo& cert, const Profile& profile,
                  CertificateRole role = CertificateRole::leaf) const {
        return {check_certificate(cert, role, profile, static_cast<UnixTime>(std::time(nullptr)))};
    }
    Backend& backend() const { return *backend_; }
    const TempDir& dir() const { return dir_; }

private:
    std::unique_ptr<Backend> backend_;
    TempDir dir_;
};

const Profile& modern() {
    static const Profile p = certforge::test::shipped_profile("default");
    return p;
}
const Profile& konica() {
    static const Profile p = certforge::test::shipped_profile("konica-legacy");
    return p;
}

} // namespace

TEST_CASE("verify: a good openssl certificate passes every leaf rule", "[verify]") {
    Fixture f;
    INFO("backend " << f.backend().name());
    const auto result = f.check(f.make("good", {}), modern());
    const std::vector<std::string> expected{"certificate.version",
                                            "signature.hash",
                                            "key.algorithm",
                                            "key.size",
                                            "validity.length",
                                            "validity.current",
                                            "san.present",
                                            "san.covers-cn",
                                            "san.ip",
                                            "extensions.key-usage",
                                            "extensions.extended-key-usage",
                                            "extensions.basic-constraints",
                                            "serial.size",
                                            "names.characters"};
    REQUIRE(result.findings.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CHECK(result.findings[i].rule == expected[i]);
        INFO(result.findings[i].message);
        CHECK(result.findings[i].outcome == Outcome::pass);
        CHECK(result.findings[i].severity == Severity::info);
    }
}

TEST_CASE("verify: certificate.version", "[verify]") {
    Fixture f;
    OpenSslCert v1;
    v1.version1 = true;
    const auto result = f.check(f.make("v1", v1), modern());
    CHECK(result.is_error("certificate.version"));
    CHECK(result.rule("certificate.version").message == "X.509 v1, profile requires v3");
    CHECK(result.rule("certificate.version").profile_key == "certificate.version");
}

TEST_CASE("verify: signature.hash", "[verify]") {
    Fixture f;
    OpenSslCert sha1;
    sha1.hash = "sha1";
    const auto modern_result = f.check(f.make("sha1", sha1), modern());
    CHECK(modern_result.is_error("signature.hash"));
    CHECK(modern_result.rule("signature.hash").message ==
          "signed with sha1 (sha1WithRSAEncryption); profile 'default' allows: sha256, sha384, "
          "sha512");
    CHECK(modern_result.rule("signature.hash").profile_key == "signature.hashes");

    OpenSslCert legacy_key_sha256;
    legacy_key_sha256.key = "rsa1024";
    const auto konica_result = f.check(f.make("k256", legacy_key_sha256), konica());
    CHECK(konica_result.is_error("signature.hash"));
    CHECK(konica_result.passes("key.size"));

    OpenSslCert sha512;
    sha512.hash = "sha512";
    CHECK(f.check(f.make("sha512", sha512), modern()).passes("signature.hash"));
}

TEST_CASE("verify: key.size and key.algorithm", "[verify]") {
    Fixture f;
    OpenSslCert small;
    small.key = "rsa1024";
    const auto result = f.check(f.make("small", small), modern());
    CHECK(result.is_error("key.size"));
    CHECK(result.rule("key.size").message ==
          "RSA 1024 bits; profile 'default' allows: 2048, 3072, 4096");
    CHECK(result.passes("key.algorithm"));

    OpenSslCert big;
    big.key = "rsa4096";
    CHECK(f.check(f.make("big", big), modern()).passes("key.size"));
    CHECK(f.check(f.make("big2", big), konica()).is_error("key.size"));

    OpenSslCert ec;
    ec.key = "ec256";
    const auto ec_result = f.check(f.make("ec", ec), modern());
    CHECK(ec_result.is_error("key.algorithm"));
    CHECK(ec_result.rule("key.algorithm").message == "ec key; profile 'default' allows: rsa");
    CHECK(ec_result.is_error("key.size"));
}

TEST_CASE("verify: validity.length and validity.current", "[verify]") {
    Fixture f;
    OpenSslCert long_lived;
    long_lived.days = 4000;
    const CertInfo cert = f.make("long", long_lived);
    const auto result = f.check(cert, modern());
    CHECK(result.is_error("validity.length"));
    CHECK(result.rule("validity.length").message ==
          "valid for 4000.0 days; profile 'default' allows at most 3650");
    CHECK(result.rule("validity.length").profile_key == "validity.max_days");
    CHECK(result.passes("validity.current"));

    const CertInfo ok = f.make("ok", {});
    auto at = [&](UnixTime now) {
        return Checked{check_certificate(ok, CertificateRole::leaf, modern(), now)};
    };
    CHECK(at(ok.not_after + 1).is_error("validity.current"));
    CHECK(at(ok.not_after + 1).rule("validity.current").message ==
          "expired: notAfter was " + format_utc(ok.not_after));
    CHECK(at(ok.not_before - 1).is_error("validity.current"));
    CHECK(at(ok.not_after - 10 * 86400).is_warning("validity.current"));
    CHECK(at(ok.not_before + 1).passes("validity.current"));
}

TEST_CASE("verify: san.present, san.covers-cn and san.ip", "[verify]") {
    Fixture f;
    OpenSslCert no_san;
    no_san.extensions = {"keyUsage=critical,digitalSignature,keyEncipherment",
                         "extendedKeyUsage=serverAuth", "basicConstraints=critical,CA:FALSE"};
    const CertInfo bare = f.make("nosan", no_san);
    const auto result = f.check(bare, modern());
    CHECK(result.is_error("san.present"));
    CHECK(result.rule("san.present").message ==
          "no subjectAltName: clients that check names will refuse the certificate");
    CHECK(result.is_error("san.covers-cn"));

    Profile relaxed = modern();
    relaxed.subject.require_san = false;
    relaxed.subject.cn_in_san = false;
    const auto relaxed_result = f.check(bare, relaxed);
    CHECK(relaxed_result.passes("san.present"));
    CHECK(relaxed_result.is_warning("san.covers-cn"));

    OpenSslCert other_name;
    other_name.extensions[0] = "subjectAltName=DNS:other.corp.local,IP:10.1.2.3";
    const auto other = f.check(f.make("other", other_name), modern());
    CHECK(other.passes("san.present"));
    CHECK(other.is_error("san.covers-cn"));
    CHECK(other.rule("san.covers-cn").message ==
          "CN 'print.corp.local' is not in the subjectAltName: clients that use the SAN will not "
          "match it");

    OpenSslCert by_ip;
    by_ip.subject = "/CN=10.1.2.3";
    by_ip.extensions[0] = "subjectAltName=IP:10.1.2.3,IP:2001:db8::1";
    const CertInfo ip_cert = f.make("ip", by_ip);
    CHECK(ip_cert.subject_alt_names ==
          std::vector<SubjectAltName>{{SanType::ip, "10.1.2.3"}, {SanType::ip, "2001:db8::1"}});
    CHECK(f.check(ip_cert, modern()).passes("san.covers-cn"));

    Profile needs_ip = modern();
    needs_ip.subject.require_ip_san = true;
    CHECK(f.check(ip_cert, needs_ip).passes("san.ip"));
    const auto dns_only = f.check(f.make("dns", {}), needs_ip);
    CHECK(dns_only.is_error("san.ip"));
    CHECK(dns_only.rule("san.ip").message == "no IP address SAN; profile 'default' requires one");
}

TEST_CASE("verify: extensions.key-usage", "[verify]") {
    Fixture f;
    OpenSslCert partial;
    partial.extensions[1] = "keyUsage=critical,digitalSignature";
    const auto lacking = f.check(f.make("ku1", partial), modern());
    CHECK(lacking.is_error("extensions.key-usage"));
    CHECK(lacking.rule("extensions.key-usage").message ==
          "keyUsage lacks keyEncipherment (has: digitalSignature)");

    OpenSslCert with_ca_bits;
    with_ca_bits.extensions[1] = "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign";
    CHECK(f.check(f.make("ku2", with_ca_bits), modern()).is_warning("extensions.key-usage"));

    OpenSslCert none;
    none.extensions.erase(none.extensions.begin() + 1);
    const auto missing = f.check(f.make("ku3", none), modern());
    CHECK(missing.is_error("extensions.key-usage"));
    CHECK(missing.rule("extensions.key-usage").message ==
          "no keyUsage extension; profile requires digitalSignature, keyEncipherment");
}

TEST_CASE("verify: extensions.extended-key-usage", "[verify]") {
    Fixture f;
    OpenSslCert client_only;
    client_only.extensions[2] = "extendedKeyUsage=clientAuth";
    const auto result = f.check(f.make("eku1", client_only), modern());
    CHECK(result.is_error("extensions.extended-key-usage"));
    CHECK(result.rule("extensions.extended-key-usage").message ==
          "extendedKeyUsage lacks serverAuth (has: clientAuth)");

    Profile both = modern();
    both.extensions.extended_key_usage = {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"};
    CHECK(f.check(f.make("eku2", {}), both).is_error("extensions.extended-key-usage"));
    OpenSslCert with_both;
    with_both.extensions[2] = "extendedKeyUsage=serverAuth,clientAuth";
    CHECK(f.check(f.make("eku3", with_both), both).passes("extensions.extended-key-usage"));

    OpenSslCert none;
    none.extensions.erase(none.extensions.begin() + 2);
    CHECK(f.check(f.make("eku4", none), modern()).is_error("extensions.extended-key-usage"));
}

TEST_CASE("verify: extensions.basic-constraints", "[verify]") {
    Fixture f;
    OpenSslCert ca_leaf;
    ca_leaf.extensions[3] = "basicConstraints=critical,CA:TRUE";
    const CertInfo marked_ca = f.make("bc1", ca_leaf);
    const auto as_leaf = f.check(marked_ca, modern(), CertificateRole::leaf);
    CHECK(as_leaf.is_error("extensions.basic-constraints"));
    CHECK(as_leaf.rule("extensions.basic-constraints").message ==
          "a server certificate marked CA:TRUE");

    OpenSslCert no_bc;
    no_bc.extensions.pop_back();
    const CertInfo plain = f.make("bc2", no_bc);
    CHECK(f.check(plain, modern()).is_warning("extensions.basic-constraints"));
    CHECK(f.check(plain, modern(), CertificateRole::ca).is_error("extensions.basic-constraints"));

    OpenSslCert soft_ca;
    soft_ca.extensions = {"basicConstraints=CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"};
    const auto ca_result = f.check(f.make("bc3", soft_ca), modern(), CertificateRole::ca);
    CHECK(ca_result.is_warning("extensions.basic-constraints"));
    CHECK(ca_result.passes("extensions.key-usage"));
}

TEST_CASE("verify: serial.size", "[verify]") {
    Fixture f;
    OpenSslCert tiny;
    tiny.serial = "5";
    const auto result = f.check(f.make("s1", tiny), modern());
    CHECK(result.is_error("serial.size"));
    CHECK(result.rule("serial.size").message ==
          "the serial number is 1 bytes; profile wants at least 8");

    OpenSslCert huge;
    huge.serial = "0x" + std::string(42, '7');
    const auto too_big = f.check(f.make("s2", huge), modern());
    CHECK(too_big.is_error("serial.size"));
    CHECK(too_big.rule("serial.size").message ==
          "the serial number is 21 bytes (RFC 5280 allows 20)");

    OpenSslCert fine;
    fine.serial = "0x" + std::string(32, '7');
    CHECK(f.check(f.make("s3", fine), modern()).passes("serial.size"));
}

TEST_CASE("verify: chains are checked in order, with roles", "[verify]") {
    Fixture f;
    OpenSslCert ca_spec;
    ca_spec.subject = "/CN=Test Print CA";
    ca_spec.extensions = {"basicConstraints=critical,CA:TRUE",
                          "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"};
    const auto ca_path = certforge::test::openssl_cert(f.dir(), "ca", ca_spec);
    OpenSslCert leaf_spec;
    leaf_spec.key = "rsa4096";
    leaf_spec.ca_cert = ca_path;
    leaf_spec.ca_key = "rsa2048";
    leaf_spec.extensions.push_back("authorityKeyIdentifier=keyid");
    const CertInfo leaf = f.make("leaf", leaf_spec);
    const CertInfo ca = f.parse(ca_path);
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));

    const Report good = verify_chain({leaf, ca}, modern(), now);
    CHECK_FALSE(good.has_errors());
    REQUIRE(good.certificates.size() == 2);
    CHECK(good.certificates[0].role == CertificateRole::leaf);
    CHECK(good.certificates[1].role == CertificateRole::ca);
    REQUIRE(good.chain_findings.size() == 2);
    CHECK(good.chain_findings[0].rule == "chain.length");
    CHECK(good.chain_findings[1].rule == "chain.links");
    CHECK(good.chain_findings[1].outcome == Outcome::pass);

    // The first certificate is the server's, even a CA:TRUE one; a finding says so.
    const Report reversed = verify_chain({ca, leaf}, modern(), now);
    CHECK(reversed.has_errors());
    CHECK(reversed.certificates[0].role == CertificateRole::leaf);
    CHECK(reversed.chain_findings[1].outcome == Outcome::fail);
    const auto& role = reversed.certificates[0].findings.back();
    CHECK(role.rule == "certificate.role");
    CHECK(role.severity == Severity::warning);
    CHECK(role.message ==
          "'CN=Test Print CA' is self-signed and marked CA:TRUE, as `openssl req -x509` makes "
          "certificates by default: it is checked as the server certificate it is used as");
    const Report as_ca = verify_chain({ca}, modern(), now, {CertificateRole::ca, nullptr});
    CHECK(as_ca.certificates[0].role == CertificateRole::ca);
    CHECK_FALSE(as_ca.has_errors());

    const CertInfo stranger = f.make("stranger", {});
    const Report unrelated = verify_chain({leaf, stranger}, modern(), now);
    CHECK(unrelated.chain_findings[1].outcome == Outcome::fail);
    CHECK(unrelated.chain_findings[1].message ==
          "chain out of order or incomplete: #0 'CN=print.corp.local' is not issued by #1 "
          "'CN=print.corp.local'");

    Profile short_chains = modern();
    short_chains.certificate.max_chain_length = 1;
    const Report too_long = verify_chain({leaf, ca}, short_chains, now);
    CHECK(too_long.chain_findings[0].outcome == Outcome::fail);
    CHECK(too_long.chain_findings[0].message ==
          "2 certificates; profile 'default' allows at most 1");
}

TEST_CASE("verify: the JSON report has the documented shape", "[verify]") {
    Fixture f;
    OpenSslCert small;
    small.key = "rsa1024";
    small.hash = "sha1";
    // The certificate first, then the time: as one call's arguments the time
    // could be read before openssl stamps notBefore, a second later.
    const CertInfo weak = f.make("weak", small);
    Report report = verify_chain({weak}, modern(), static_cast<UnixTime>(std::time(nullptr)));
    report.source = "weak.crt";
    const nlohmann::json json = to_json(report);
    CHECK(json["file"] == "weak.crt");
    CHECK(json["profile"] == "default");
    CHECK(json["result"] == "fail");
    CHECK(json["summary"]["errors"] == 2);
    CHECK(json["summary"]["warnings"] == 0);
    CHECK(json["summary"]["passed"] == 12);
    const auto& findings = json["certificates"][0]["findings"];
    REQUIRE(findings.size() == 14);
    CHECK(findings[1]["rule"] == "signature.hash");
    CHECK(findings[1]["status"] == "fail");
    CHECK(findings[1]["severity"] == "error");
    CHECK(findings[1]["profile_key"] == "signature.hashes");
    CHECK(json["certificates"][0]["role"] == "leaf");
    CHECK(json["chain"].empty());
}

TEST_CASE("verify: parsing reads what openssl wrote, field by field", "[verify]") {
    Fixture f;
    OpenSslCert spec;
    spec.subject = "/C=DE/O=Acme, Inc./OU=Print/CN=print.corp.local";
    spec.serial = "0x0123456789abcdef01";
    spec.extensions[0] = "subjectAltName=DNS:print.corp.local,IP:10.1.2.3,email:a@b.c";
    const CertInfo cert = f.make("fields", spec);
    CHECK(cert.version == 3);
    CHECK(to_hex(cert.serial) == "0123456789abcdef01");
    CHECK(cert.subject.to_string() == "CN=print.corp.local,OU=Print,O=Acme\\, Inc.,C=DE");
    REQUIRE(cert.subject.attributes.size() == 4);
    CHECK(cert.subject.attributes[0].string_type == DnStringType::printable);
    CHECK(cert.subject.attributes[3].string_type == DnStringType::utf8);
    CHECK(cert.self_issued());
    CHECK(cert.signature_algorithm == "sha256WithRSAEncryption");
    CHECK(cert.key_bits == 2048);
    CHECK(cert.subject_alt_names.size() == 2);
    CHECK(cert.other_subject_alt_names == 1);
    REQUIRE(cert.key_usage);
    CHECK(cert.key_usage->critical);
    REQUIRE(cert.basic_constraints);
    CHECK_FALSE(cert.basic_constraints->ca);
    CHECK(cert.not_after - cert.not_before == 365 * 86400);
    CHECK_FALSE(cert.subject_key_id.empty());

    const auto fingerprint =
        certforge::test::run({"openssl", "x509", "-in", (f.dir() / "fields.crt").string(), "-noout",
                              "-serial", "-fingerprint", "-sha256"});
    std::string expected = to_hex(cert.sha256_fingerprint, ":");
    for (auto& c : expected) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    CHECK(fingerprint.out == "serial=0123456789ABCDEF01\nsha256 Fingerprint=" + expected + "\n");
    // certforge's spellings: the serial as openssl prints it, the
    // fingerprint as sha256sum does.
    CHECK(serial_hex(cert) == "0123456789ABCDEF01");
    const auto der =
        certforge::test::run({"sh", "-c", "openssl x509 -in \"$0\" -outform DER | sha256sum",
                              (f.dir() / "fields.crt").string()});
    CHECK(der.out == sha256_hex(cert) + "  -\n");
}

TEST_CASE("verify: serials spelled as openssl x509 -serial spells them", "[verify]") {
    CertInfo info;
    CHECK(serial_hex(info) == "00");
    info.serial = {0x0a, 0xff, 0x00};
    CHECK(serial_hex(info) == "0AFF00");
    info.serial_negative = true;
    CHECK(serial_hex(info) == "-0AFF00");
    info.sha256_fingerprint = Bytes(32, 0xab);
    std::string expected;
    for (int i = 0; i < 32; ++i) {
        expected += "ab";
    }
    CHECK(sha256_hex(info) == expected);
}
