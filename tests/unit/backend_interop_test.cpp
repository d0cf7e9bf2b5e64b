// SPDX-License-Identifier: Apache-2.0
// OpenSSL and Botan side by side: the same request gives the same
// certificate, each reads what the other wrote, and mixed chains verify in
// tools that are neither. Built only when both backends are.
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/pem.hpp"
#include "certforge/verify.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

using namespace certforge;
using certforge::test::run;
using certforge::test::TempDir;

namespace {

constexpr UnixTime kNow = 1795000000; // 2026-11-18T11:06:40Z

CertRequest print_request() {
    CertRequest request;
    request.subject.common_name = "print.corp.local";
    request.subject.organization = "Acme Print";
    request.subject.country = "DE";
    request.subject_alt_names = {parse_san("dns:print"), parse_san("ip:10.1.2.3"),
                                 parse_san("ip:2001:db8::7")};
    return request;
}

CaRequest ca_request() {
    CaRequest request;
    request.subject.common_name = "Print CA";
    request.subject.organization = "Acme Print";
    return request;
}

const Bytes kSerial{0x5a, 0x17, 0xc0, 0xff, 0xee, 0x01, 0x23, 0x45,
                    0x67, 0x89, 0xab, 0xcd, 0xef, 0x10, 0x20, 0x30};

std::filesystem::path write_pem(const TempDir& dir, const std::string& name, const Bytes& der) {
    const auto path = dir / name;
    certforge::test::write_text(path, pem_encode("CERTIFICATE", der));
    return path;
}

// asn1parse without offsets and without the values that differ between two
// certificates made at different times with different keys and serials:
// serial, times, key and signature bits, and the key identifiers.
std::string asn1_structure(const std::filesystem::path& pem) {
    const auto parsed = run({"openssl", "asn1parse", "-in", pem.string()});
    REQUIRE(parsed.exit_code == 0);
    std::istringstream lines(parsed.out);
    std::string line;
    std::string out;
    const std::regex element(R"(^\s*\d+:(.*)$)");
    const std::regex always_variable(
        R"((prim: (INTEGER|UTCTIME|GENERALIZEDTIME|BIT STRING))\s*:.*$)");
    const std::regex octet_string(R"((prim: OCTET STRING)\s*.*$)");
    bool key_identifier = false;
    bool skipping = false;
    while (std::getline(lines, line)) {
        std::smatch match;
        if (!std::regex_match(line, match, element)) {
            if (!skipping) {
                out += line + "\n";
            }
            continue;
        }
        line = std::regex_replace(match[1].str(), always_variable, "$1");
        skipping = key_identifier && line.find("OCTET STRING") != std::string::npos;
        if (skipping) {
            line = std::regex_replace(line, octet_string, "$1");
        }
        if (line.find("prim: OBJECT") != std::string::npos) {
            key_identifier = line.find("Key Identifier") != std::string::npos;
        }
        out += line + "\n";
    }
    return out;
}

void python_verifies_chain(const std::filesystem::path& leaf, const std::filesystem::path& ca) {
    const std::string script = R"(
import sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
leaf = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
ca = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
assert leaf.issuer == ca.subject
ca.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(),
                       leaf.signature_hash_algorithm)
print("ok")
)";
    const auto result = run({"/usr/bin/python3", "-c", script, leaf.string(), ca.string()});
    INFO(result.err);
    certforge::test::require_python_cryptography(result);
    CHECK(result.out == "ok\n");
}

} // namespace

TEST_CASE("interop: the same template and key give byte-identical certificates", "[interop]") {
    const auto openssl = make_backend("openssl");
    const auto botan = make_backend("botan");
    const char* profile_id = GENERATE("default", "konica-legacy");
    INFO("profile " << profile_id);
    const Profile profile = certforge::test::shipped_profile(profile_id);
    const std::string key_name = profile.legacy ? "rsa1024" : "rsa2048";
    const PrivateKey ca_key = certforge::test::fixture_private_key(key_name);
    const PrivateKey leaf_key =
        certforge::test::fixture_private_key(profile.legacy ? "rsa1024" : "rsa4096");

    const CertificateTemplate ca_tmpl = ca_template(profile, ca_request(), kSerial, kNow);
    const Bytes ca_openssl = openssl->sign_certificate(ca_tmpl, ca_key, std::nullopt);
    const Bytes ca_botan = botan->sign_certificate(ca_tmpl, ca_key, std::nullopt);
    CHECK(to_hex(ca_openssl) == to_hex(ca_botan));

    Profile printable = profile;
    printable.subject.dn_encoding = DnEncoding::printable;
    for (const Profile* p : std::initializer_list<const Profile*>{&profile, &printable}) {
        const CertificateTemplate leaf_tmpl = leaf_template(*p, print_request(), kSerial, kNow);
        const CaCredentials issuer{ca_openssl, ca_key};
        const Bytes leaf_openssl = openssl->sign_certificate(leaf_tmpl, leaf_key, issuer);
        const Bytes leaf_botan = botan->sign_certificate(leaf_tmpl, leaf_key, issuer);
        CHECK(to_hex(leaf_openssl) == to_hex(leaf_botan));
        const Bytes self_openssl = openssl->sign_certificate(leaf_tmpl, leaf_key, std::nullopt);
        const Bytes self_botan = botan->sign_certificate(leaf_tmpl, leaf_key, std::nullopt);
        CHECK(to_hex(self_openssl) == to_hex(self_botan));
    }
}

TEST_CASE("interop: the same request gives byte-identical CSRs, each parsed by the other",
          "[interop]") {
    const auto openssl = make_backend("openssl");
    const auto botan = make_backend("botan");
    const Profile profile = certforge::test::shipped_profile("default");
    const PrivateKey key = certforge::test::fixture_private_key("rsa2048");
    const CertificateTemplate tmpl = leaf_template(profile, print_request(), kSerial, kNow);
    const Bytes from_openssl = openssl->sign_csr(tmpl, key);
    const Bytes from_botan = botan->sign_csr(tmpl, key);
    CHECK(to_hex(from_openssl) == to_hex(from_botan));
    for (const auto* parser : {openssl.get(), botan.get()}) {
        const CsrInfo info = parser->parse_csr(from_botan, "csr");
        CHECK(info.signature_valid);
        CHECK(info.subject.to_string() == "CN=print.corp.local,O=Acme Print,C=DE");
        CHECK(info.subject_alt_names == tmpl.subject_alt_names);
        CHECK(info.key_bits == 2048);
        CHECK(info.signature_algorithm == "sha256WithRSAEncryption");
    }
    const CsrInfo a = openssl->parse_csr(from_openssl, "a");
    const CsrInfo b = botan->parse_csr(from_openssl, "b");
    CHECK(a.public_key_info == b.public_key_info);
}

TEST_CASE("interop: both parsers read every field the same way", "[interop]") {
    const auto openssl = make_backend("openssl");
    const auto botan = make_backend("botan");
    const std::string maker = GENERATE("openssl", "botan");
    const auto builder_backend = make_backend(maker);
    const Profile profile = certforge::test::shipped_profile("default");
    CertificateBuilder builder(*builder_backend, profile);
    const IssuedCertificate ca = builder.issue_ca(ca_request());
    const IssuedCertificate leaf =
        builder.issue_leaf(print_request(), CaCredentials{ca.certificate_der, ca.key},
                           certforge::test::fixture_private_key("rsa2048"));

    for (const Bytes* der : {&ca.certificate_der, &leaf.certificate_der}) {
        const CertInfo a = openssl->parse_certificate(*der, "a");
        const CertInfo b = botan->parse_certificate(*der, "b");
        CHECK(a.version == b.version);
        CHECK(a.serial == b.serial);
        CHECK(a.serial.size() == 16);
        CHECK(a.subject == b.subject);
        CHECK(a.issuer == b.issuer);
        CHECK(a.not_before == b.not_before);
        CHECK(a.not_after == b.not_after);
        CHECK(a.signature_algorithm == b.signature_algorithm);
        CHECK(a.signature_hash == b.signature_hash);
        CHECK(a.key_algorithm == b.key_algorithm);
        CHECK(a.key_bits == b.key_bits);
        CHECK(a.subject_alt_names == b.subject_alt_names);
        CHECK(a.has_subject_alt_name == b.has_subject_alt_name);
        CHECK(a.subject_alt_name_critical == b.subject_alt_name_critical);
        REQUIRE(a.basic_constraints.has_value() == b.basic_constraints.has_value());
        if (a.basic_constraints) {
            CHECK(a.basic_constraints->ca == b.basic_constraints->ca);
            CHECK(a.basic_constraints->path_length == b.basic_constraints->path_length);
            CHECK(a.basic_constraints->critical == b.basic_constraints->critical);
        }
        REQUIRE(a.key_usage.has_value() == b.key_usage.has_value());
        if (a.key_usage) {
            CHECK(a.key_usage->bits == b.key_usage->bits);
            CHECK(a.key_usage->critical == b.key_usage->critical);
        }
        REQUIRE(a.extended_key_usage.has_value() == b.extended_key_usage.has_value());
        if (a.extended_key_usage) {
            CHECK(a.extended_key_usage->oids == b.extended_key_usage->oids);
            CHECK(a.extended_key_usage->critical == b.extended_key_usage->critical);
        }
        CHECK(a.subject_key_id == b.subject_key_id);
        CHECK(a.authority_key_id == b.authority_key_id);
        CHECK(a.sha256_fingerprint == b.sha256_fingerprint);
    }
    const CertInfo parsed = botan->parse_certificate(leaf.certificate_der, "leaf");
    CHECK(parsed.subject.to_string() == "CN=print.corp.local,O=Acme Print,C=DE");
    CHECK(parsed.subject.attributes[0].string_type == DnStringType::printable);
    CHECK(parsed.subject.attributes[1].string_type == DnStringType::utf8);
    CHECK(parsed.subject_alt_names ==
          std::vector<SubjectAltName>{{SanType::dns, "print.corp.local"},
                                      {SanType::dns, "print"},
                                      {SanType::ip, "10.1.2.3"},
                                      {SanType::ip, "2001:db8::7"}});
}

TEST_CASE("interop: builder output has the same DER structure on both backends", "[interop]") {
    TempDir dir;
    const char* profile_id = GENERATE("default", "konica-legacy");
    const Profile profile = certforge::test::shipped_profile(profile_id);
    std::map<std::string, std::string> structures;
    for (const std::string name : {"openssl", "botan"}) {
        const auto backend = make_backend(name);
        CertificateBuilder builder(*backend, profile);
        const IssuedCertificate ca = builder.issue_ca(ca_request());
        const IssuedCertificate leaf =
            builder.issue_leaf(print_request(), CaCredentials{ca.certificate_der, ca.key});
        structures[name + " ca"] =
            asn1_structure(write_pem(dir, name + "-ca.crt", ca.certificate_der));
        structures[name + " leaf"] =
            asn1_structure(write_pem(dir, name + "-leaf.crt", leaf.certificate_der));
    }
    CHECK(structures["openssl ca"] == structures["botan ca"]);
    CHECK(structures["openssl leaf"] == structures["botan leaf"]);
    CHECK_THAT(structures["botan leaf"],
               Catch::Contains("prim: OBJECT            :X509v3 Subject Alternative Name"));
}

TEST_CASE("interop: a CA from one backend signs leaves with the other", "[interop]") {
    const std::string ca_maker = GENERATE("openssl", "botan");
    const std::string leaf_maker = ca_maker == "openssl" ? "botan" : "openssl";
    INFO("CA by " << ca_maker << ", leaf by " << leaf_maker);
    const char* profile_id = GENERATE("default", "konica-legacy");
    TempDir dir;
    const Profile profile = certforge::test::shipped_profile(profile_id);
    const auto ca_backend = make_backend(ca_maker);
    const auto leaf_backend = make_backend(leaf_maker);
    const IssuedCertificate ca = CertificateBuilder(*ca_backend, profile).issue_ca(ca_request());

    const KeyDescription key = leaf_backend->describe_key(ca.key);
    CHECK(key.algorithm == KeyAlgorithm::rsa);
    CHECK(key.bits == profile.key.default_rsa_bits);
    CHECK(leaf_backend->key_matches_certificate(ca.key, ca.certificate_der));

    const IssuedCertificate leaf =
        CertificateBuilder(*leaf_backend, profile)
            .issue_leaf(print_request(), CaCredentials{ca.certificate_der, ca.key});
    CHECK(ca_backend->key_matches_certificate(leaf.key, leaf.certificate_der));

    const auto ca_path = write_pem(dir, "ca.crt", ca.certificate_der);
    const auto leaf_path = write_pem(dir, "leaf.crt", leaf.certificate_der);
    const auto verified = run({"openssl", "verify", "-auth_level", "0", "-x509_strict", "-CAfile",
                               ca_path.string(), leaf_path.string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    python_verifies_chain(leaf_path, ca_path);

    for (const auto* parser : {ca_backend.get(), leaf_backend.get()}) {
        const Report report = verify_chain({parser->parse_certificate(leaf.certificate_der, "leaf"),
                                            parser->parse_certificate(ca.certificate_der, "ca")},
                                           profile, static_cast<UnixTime>(std::time(nullptr)));
        CHECK_FALSE(report.has_errors());
        CHECK(report.count(Outcome::fail, Severity::warning) == 0);
    }
}

TEST_CASE("interop: the same CRL template gives byte-identical CRLs that openssl verifies",
          "[interop][crl]") {
    const auto openssl = make_backend("openssl");
    const auto botan = make_backend("botan");
    const char* profile_id = GENERATE("default", "konica-legacy");
    INFO("profile " << profile_id);
    const Profile profile = certforge::test::shipped_profile(profile_id);
    const PrivateKey ca_key =
        certforge::test::fixture_private_key(profile.legacy ? "rsa1024" : "rsa2048");
    const Bytes ca = openssl->sign_certificate(ca_template(profile, ca_request(), kSerial, kNow),
                                               ca_key, std::nullopt);
    CrlTemplate crl;
    crl.this_update = kNow;
    crl.next_update = kNow + 7 * 86400;
    crl.signature_hash = profile.signature.default_hash;
    crl.crl_number = {0x01, 0x00};
    crl.revoked = {{{0x01, 0x02}, kNow - 3600, RevocationReason::unspecified},
                   {kSerial, kNow - 60, RevocationReason::key_compromise}};
    const CaCredentials issuer{ca, ca_key};
    const Bytes from_openssl = openssl->sign_crl(crl, issuer);
    const Bytes from_botan = botan->sign_crl(crl, issuer);
    CHECK(to_hex(from_openssl) == to_hex(from_botan));

    TempDir dir;
    const auto ca_file = write_pem(dir, "ca.crt", ca);
    const auto crl_file = dir / "crl.pem";
    certforge::test::write_text(crl_file, pem_encode("X509 CRL", from_botan));
    const auto text = run({"openssl", "crl", "-in", crl_file.string(), "-CAfile", ca_file.string(),
                           "-noout", "-text"});
    INFO(text.out << text.err);
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.err + text.out, Catch::Contains("verify OK"));
    CHECK_THAT(text.out, Catch::Contains("X509v3 CRL Number: \n                256"));
    CHECK_THAT(text.out, Catch::Contains("Serial Number: 0102\n        Revocation Date: Nov 18 "
                                         "10:06:40 2026 GMT\n    Serial Number: "
                                         "5A17C0FFEE0123456789ABCDEF102030"));
    CHECK_THAT(text.out, Catch::Contains("Key Compromise"));
    CHECK_THAT(text.out, Catch::Contains(profile.legacy ? "sha1WithRSAEncryption"
                                                        : "sha256WithRSAEncryption"));
}
