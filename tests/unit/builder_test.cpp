// SPDX-License-Identifier: Apache-2.0
// The builder on each backend, read back by openssl, python3-cryptography
// and the other checks that certforge did not write.
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/verify.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace certforge;
using certforge::test::run;
using certforge::test::TempDir;

namespace {

// Counts key generations, to prove validation happens before any key is made.
class CountingBackend final : public Backend {
public:
    explicit CountingBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {}
    std::string_view name() const noexcept override { return inner_->name(); }
    std::string library_version() const override { return inner_->library_version(); }
    PrivateKey generate_key(const KeySpec& spec) override {
        ++keys_made;
        return inner_->generate_key(spec);
    }
    KeyDescription describe_key(const PrivateKey& key) const override {
        return inner_->describe_key(key);
    }
    Bytes random_bytes(std::size_t count) override { return inner_->random_bytes(count); }
    Bytes digest(HashAlgorithm hash, ByteView data) const override {
        return inner_->digest(hash, data);
    }
    Bytes sign_certificate(const CertificateTemplate& tmpl, const PrivateKey& key,
                           const std::optional<CaCredentials>& issuer) override {
        return inner_->sign_certificate(tmpl, key, issuer);
    }
    Bytes sign_public_key(const CertificateTemplate& tmpl, ByteView public_key_info,
                          const CaCredentials& issuer) override {
        return inner_->sign_public_key(tmpl, public_key_info, issuer);
    }
    Bytes sign_crl(const CrlTemplate& tmpl, const CaCredentials& issuer) override {
        return inner_->sign_crl(tmpl, issuer);
    }
    Bytes sign_csr(const CertificateTemplate& tmpl, const PrivateKey& key) override {
        return inner_->sign_csr(tmpl, key);
    }
    CsrInfo parse_csr(ByteView der, std::string_view source) const override {
        return inner_->parse_csr(der, source);
    }
    CertInfo parse_certificate(ByteView der, std::string_view source) const override {
        return inner_->parse_certificate(der, source);
    }
    bool key_matches_certificate(const PrivateKey& key, ByteView der) const override {
        return inner_->key_matches_certificate(key, der);
    }
    std::optional<bool> certificate_signed_by(ByteView der, ByteView issuer,
                                              std::string& why) const override {
        return inner_->certificate_signed_by(der, issuer, why);
    }
    int keys_made = 0;

private:
    std::unique_ptr<Backend> inner_;
};

std::filesystem::path write_pem(const TempDir& dir, const std::string& name, const Bytes& der) {
    const auto path = dir / name;
    certforge::test::write_text(path, pem_encode("CERTIFICATE", der));
    return path;
}

std::string x509_text(const std::filesystem::path& path) {
    const auto result = run({"openssl", "x509", "-in", path.string(), "-noout", "-text"});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

std::string asn1parse(const std::filesystem::path& path) {
    const auto result = run({"openssl", "asn1parse", "-in", path.string()});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

CertRequest print_request() {
    CertRequest request;
    request.subject.common_name = "print.corp.local";
    request.subject_alt_names = {parse_san("dns:print"), parse_san("ip:10.1.2.3")};
    return request;
}

CaRequest ca_request() {
    CaRequest request;
    request.subject.common_name = "Print CA";
    return request;
}

// python3-cryptography checks that `ca` signed `leaf` with the named hash.
void python_checks_signature(const std::filesystem::path& leaf, const std::filesystem::path& ca,
                             const std::string& hash) {
    certforge::test::require_tool("/usr/bin/python3", "python3");
    const std::string script = R"(
import sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
leaf = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
ca = x509.load_pem_x509_certificate(open(sys.argv[2], 'rb').read())
ca.public_key().verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(),
                       leaf.signature_hash_algorithm)
print(leaf.signature_hash_algorithm.name, leaf.public_key().key_size)
)";
    const auto result = run({"/usr/bin/python3", "-c", script, leaf.string(), ca.string()});
    INFO(result.err);
    certforge::test::require_python_cryptography(result);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.substr(0, hash.size()) == hash);
}

} // namespace

TEST_CASE("build: konica-legacy CA and leaf, read back by openssl and python", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    TempDir dir;
    const Profile profile = certforge::test::shipped_profile("konica-legacy");
    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate ca = builder.issue_ca(ca_request());
    const IssuedCertificate leaf =
        builder.issue_leaf(print_request(), CaCredentials{ca.certificate_der, ca.key},
                           certforge::test::fixture_private_key("rsa1024"));

    const auto ca_path = write_pem(dir, "ca.crt", ca.certificate_der);
    const auto leaf_path = write_pem(dir, "leaf.crt", leaf.certificate_der);
    const std::string text = x509_text(leaf_path);
    CHECK_THAT(text, Catch::Contains("Signature Algorithm: sha1WithRSAEncryption"));
    CHECK_THAT(text, Catch::Contains("Public-Key: (1024 bit)"));
    CHECK_THAT(text, Catch::Contains("Issuer: CN = Print CA"));
    CHECK_THAT(text, Catch::Contains("Subject: CN = print.corp.local"));
    CHECK_THAT(text, Catch::Contains("DNS:print.corp.local, DNS:print, IP Address:10.1.2.3"));
    CHECK_THAT(text,
               Catch::Contains("X509v3 Basic Constraints: critical\n                CA:FALSE"));
    CHECK_THAT(text, Catch::Contains("X509v3 Key Usage: critical\n                Digital "
                                     "Signature, Key Encipherment"));
    CHECK_THAT(text, Catch::Contains("TLS Web Server Authentication"));
    CHECK_THAT(text, Catch::Contains("X509v3 Subject Key Identifier"));
    CHECK_THAT(text, Catch::Contains("X509v3 Authority Key Identifier"));

    const std::string ca_text = x509_text(ca_path);
    CHECK_THAT(ca_text, Catch::Contains("Signature Algorithm: sha1WithRSAEncryption"));
    CHECK_THAT(ca_text, Catch::Contains("Public-Key: (1024 bit)"));
    CHECK_THAT(ca_text, Catch::Contains("CA:TRUE, pathlen:0"));
    CHECK_THAT(ca_text, Catch::Contains("Certificate Sign, CRL Sign"));

    // Debian's TLS default (security level 2) refuses it: the profile's weakness is real.
    const auto strict = run(
        {"openssl", "verify", "-auth_level", "2", "-CAfile", ca_path.string(), leaf_path.string()});
    CHECK(strict.exit_code != 0);
    CHECK_THAT(strict.out + strict.err, Catch::Contains("too weak"));
    const auto legacy = run(
        {"openssl", "verify", "-auth_level", "0", "-CAfile", ca_path.string(), leaf_path.string()});
    INFO(legacy.out << legacy.err);
    CHECK(legacy.exit_code == 0);
    CHECK(legacy.out == leaf_path.string() + ": OK\n");
    python_checks_signature(leaf_path, ca_path, "sha1");

    const CertInfo leaf_info = backend->parse_certificate(leaf.certificate_der, "leaf");
    const CertInfo ca_info = backend->parse_certificate(ca.certificate_der, "ca");
    CHECK(leaf_info.authority_key_id == ca_info.subject_key_id);
    CHECK(ca_info.authority_key_id == ca_info.subject_key_id);
    const Report report =
        verify_chain({leaf_info, ca_info}, profile, static_cast<UnixTime>(std::time(nullptr)));
    CHECK_FALSE(report.has_errors());
    CHECK(report.count(Outcome::fail, Severity::warning) == 0);
}

TEST_CASE("build: default profile, SHA-256/2048, IPv6 SAN, strict openssl verify", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    TempDir dir;
    const Profile profile = certforge::test::shipped_profile("default");
    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate ca = builder.issue_ca(ca_request());
    CertRequest request = print_request();
    request.subject_alt_names.push_back(parse_san("ip:2001:db8::10"));
    const IssuedCertificate leaf =
        builder.issue_leaf(request, CaCredentials{ca.certificate_der, ca.key},
                           certforge::test::fixture_private_key("rsa2048"));
    const auto ca_path = write_pem(dir, "ca.crt", ca.certificate_der);
    const auto leaf_path = write_pem(dir, "leaf.crt", leaf.certificate_der);
    const std::string text = x509_text(leaf_path);
    CHECK_THAT(text, Catch::Contains("Signature Algorithm: sha256WithRSAEncryption"));
    CHECK_THAT(text, Catch::Contains("Public-Key: (2048 bit)"));
    CHECK_THAT(text, Catch::Contains("IP Address:2001:DB8:0:0:0:0:0:10"));
    const auto verified = run({"openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                               "-CAfile", ca_path.string(), leaf_path.string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    python_checks_signature(leaf_path, ca_path, "sha256");
    CHECK(backend->key_matches_certificate(leaf.key, leaf.certificate_der));
    CHECK_FALSE(backend->key_matches_certificate(ca.key, leaf.certificate_der));
}

TEST_CASE("build: SHA-512 with RSA-4096 where a profile allows it", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    TempDir dir;
    certforge::test::write_text(dir / "big.toml", R"(id = "big"
name = "Big keys"
sources = ["test"]
extends = "default"
[key]
rsa_bits = [4096]
[signature]
hashes = ["sha512"]
)");
    const Profile profile =
        ProfileCatalog({certforge::test::shipped_profiles()}).load((dir / "big.toml").string());
    CertificateBuilder builder(*backend, profile);
    const IssuedCertificate leaf = builder.issue_leaf(
        print_request(), std::nullopt, certforge::test::fixture_private_key("rsa4096"));
    const auto path = write_pem(dir, "leaf.crt", leaf.certificate_der);
    const std::string text = x509_text(path);
    CHECK_THAT(text, Catch::Contains("Signature Algorithm: sha512WithRSAEncryption"));
    CHECK_THAT(text, Catch::Contains("Public-Key: (4096 bit)"));
    const auto verified = run({"openssl", "verify", "-CAfile", path.string(), path.string()});
    CHECK(verified.exit_code == 0);
}

TEST_CASE("build: serial, validity and string types follow the profile", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    TempDir dir;
    Profile profile = certforge::test::shipped_profile("default");
    CertRequest request = print_request();
    request.subject.organization = "Acme";
    request.subject.country = "DE";
    request.days = 30;

    CertificateBuilder builder(*backend, profile);
    const UnixTime before = static_cast<UnixTime>(std::time(nullptr));
    const auto first =
        builder.issue_leaf(request, std::nullopt, certforge::test::fixture_private_key("rsa2048"));
    const auto second =
        builder.issue_leaf(request, std::nullopt, certforge::test::fixture_private_key("rsa2048"));
    const CertInfo a = backend->parse_certificate(first.certificate_der, "a");
    const CertInfo b = backend->parse_certificate(second.certificate_der, "b");
    CHECK(a.serial.size() == 16);
    CHECK_FALSE(a.serial_negative);
    CHECK(a.serial != b.serial);
    CHECK(a.not_after - a.not_before == 30 * 86400);
    CHECK(a.not_before >= before - 3600 - 5);
    CHECK(a.not_before <= before - 3600 + 5);

    const auto utf8_path = write_pem(dir, "utf8.crt", first.certificate_der);
    const std::string utf8 = asn1parse(utf8_path);
    CHECK_THAT(utf8, Catch::Contains("prim: PRINTABLESTRING   :DE"));
    CHECK_THAT(utf8, Catch::Contains("prim: UTF8STRING        :Acme"));
    CHECK_THAT(utf8, Catch::Contains("prim: UTF8STRING        :print.corp.local"));

    profile.subject.dn_encoding = DnEncoding::printable;
    CertificateBuilder printable_builder(*backend, profile);
    const auto printable = printable_builder.issue_leaf(
        request, std::nullopt, certforge::test::fixture_private_key("rsa2048"));
    const std::string parsed =
        asn1parse(write_pem(dir, "printable.crt", printable.certificate_der));
    CHECK_THAT(parsed, Catch::Contains("prim: PRINTABLESTRING   :Acme"));
    CHECK_THAT(parsed, Catch::Contains("prim: PRINTABLESTRING   :print.corp.local"));
}

TEST_CASE("build: bad requests are refused before any key is made", "[build]") {
    CountingBackend backend(make_backend(GENERATE(from_range(certforge::test::backend_names()))));
    const Profile profile = certforge::test::shipped_profile("default");
    CertificateBuilder builder(backend, profile);
    auto refusal = [&](CertRequest request) -> std::string {
        try {
            builder.issue_leaf(request, std::nullopt);
            return "issued";
        } catch (const InputError& e) {
            return e.what();
        }
    };
    CertRequest bad_cn = print_request();
    bad_cn.subject.common_name = "print server";
    CHECK(refusal(bad_cn) == "CN 'print server' is neither a host name nor an IP address: the "
                             "character ' ' is not allowed in a host name");
    CertRequest small = print_request();
    small.rsa_bits = 1024;
    CHECK(refusal(small) == "RSA 1024 bits is not allowed by profile 'default' (allowed: 2048, "
                            "3072, 4096)");
    CertRequest sha1 = print_request();
    sha1.hash = HashAlgorithm::sha1;
    CHECK(refusal(sha1) ==
          "hash sha1 is not allowed by profile 'default' (allowed: sha256, sha384, sha512)");
    CertRequest too_long = print_request();
    too_long.days = 5000;
    CHECK(refusal(too_long) == "5000 days is outside what profile 'default' allows (1..3650)");
    CertRequest bad_country = print_request();
    bad_country.subject.country = "Germany";
    CHECK(refusal(bad_country) ==
          "country 'Germany' must be a two-letter upper-case ISO 3166 code (e.g. DE)");

    Profile needs_ip = profile;
    needs_ip.subject.require_ip_san = true;
    CertificateBuilder ip_builder(backend, needs_ip);
    CertRequest dns_only;
    dns_only.subject.common_name = "print.corp.local";
    CHECK_THROWS_WITH(ip_builder.issue_leaf(dns_only, std::nullopt),
                      "profile 'default' requires an IP address SAN");
    CHECK(backend.keys_made == 0);

    CHECK_THROWS_WITH(
        builder.issue_leaf(print_request(), std::nullopt,
                           certforge::test::fixture_private_key("rsa1024")),
        "the given key (rsa 1024) does not fit profile 'default' (RSA 2048, 3072, 4096)");
}

TEST_CASE("build: the backend makes keys of the asked size in PKCS#8", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    TempDir dir;
    const PrivateKey key = backend->generate_key({KeyAlgorithm::rsa, 1024});
    CHECK(backend->describe_key(key).bits == 1024);
    certforge::test::write_text(dir / "k.pem",
                                std::string(pem_encode_secret("PRIVATE KEY", key.pkcs8_der())));
    const auto text = run({"openssl", "pkey", "-in", (dir / "k.pem").string(), "-noout", "-text"});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("Private-Key: (1024 bit, 2 primes)"));
    const auto check =
        run({"openssl", "pkey", "-in", (dir / "k.pem").string(), "-check", "-noout"});
    CHECK(check.exit_code == 0);
    CHECK_THROWS_AS(backend->generate_key({KeyAlgorithm::rsa, 512}), UsageError);
}

TEST_CASE("build: garbage is not a certificate or a key", "[build]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    const Bytes garbage{0x30, 0x03, 0x02, 0x01, 0x05};
    CHECK_THROWS_AS(backend->parse_certificate(garbage, "g.der"), InputError);
    CHECK_THROWS_AS(backend->parse_certificate(Bytes{}, "empty.der"), InputError);
    SecureBytes not_a_key{0x30, 0x00};
    CHECK_THROWS_AS(backend->describe_key(PrivateKey(not_a_key)), InputError);
}
