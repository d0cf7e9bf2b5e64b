// SPDX-License-Identifier: Apache-2.0
// CA keys on a PKCS#11 token (a SoftHSM2 token each test makes): made on the
// token, never extractable, signing certificates and CRLs on every backend,
// read back by openssl and the other backend; the errors a token, its
// module, its PIN or a URI can cause, word for word.
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/crl.hpp"
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "certforge/token_key.hpp"
#include "support/softhsm_token.hpp"
#include "support/test_support.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

using namespace certforge;
using namespace certforge::test;

namespace {

const Bytes kNewId{0x01, 0x02, 0x03, 0x04};

TokenPin pin_of(const SoftHsmToken& token, int* asked = nullptr) {
    return [&token, asked](std::string_view label) {
        CHECK(label == token.label());
        if (asked != nullptr) {
            ++*asked;
        }
        return SecureString(token.pin().begin(), token.pin().end());
    };
}

void write_pem(const std::filesystem::path& path, const char* label, ByteView der) {
    write_text(path, pem_encode(label, der));
}

} // namespace

TEST_CASE("token key: made on the token, it signs a CA, certificates and CRLs on every backend",
          "[pkcs11]") {
    const SoftHsmToken token;
    const TempDir dir;
    int asked = 0;
    const PrivateKey key =
        generate_token_key(token.uri("print-ca"), 2048, kNewId, pin_of(token, &asked));
    CHECK(asked == 1);
    REQUIRE(key.external() != nullptr);
    CHECK(key.pkcs8_der().empty());
    CHECK(key.source() == token.uri("print-ca"));

    const auto objects = token.tool({"--list-objects"});
    INFO(objects.out << objects.err);
    REQUIRE(objects.exit_code == 0);
    CHECK_THAT(objects.out, Catch::Contains("Private Key Object; RSA"));
    CHECK_THAT(objects.out, Catch::Contains("label:      print-ca"));
    CHECK_THAT(objects.out, Catch::Contains("ID:         01020304"));
    CHECK_THAT(objects.out, Catch::Contains("Access:     sensitive, always sensitive, never "
                                            "extractable, local"));

    const Profile profile = shipped_profile("default");
    for (const auto& name : backend_names()) {
        INFO("backend " << name);
        const auto backend = make_backend(name);
        CertificateBuilder builder(*backend, profile);
        CaRequest ca_request;
        ca_request.subject.common_name = "Token CA " + name;
        const IssuedCertificate ca = builder.issue_ca(ca_request, [&](unsigned bits) {
            CHECK(bits == 2048);
            return key;
        });
        CHECK(backend->describe_key(key).bits == 2048);
        CertRequest leaf_request;
        leaf_request.subject.common_name = "print.corp.local";
        leaf_request.subject_alt_names.push_back({SanType::dns, "print.corp.local"});
        const IssuedCertificate leaf = builder.issue_leaf(
            leaf_request, CaCredentials{ca.certificate_der, key}, fixture_private_key("rsa2048"));
        CrlTemplate crl_template;
        crl_template.crl_number = {0x01};
        crl_template.this_update = unix_now();
        crl_template.next_update = unix_now() + 86'400;
        crl_template.signature_hash = HashAlgorithm::sha256;
        const Bytes crl = backend->sign_crl(crl_template, CaCredentials{ca.certificate_der, key});

        const auto ca_file = dir / (name + "-ca.pem");
        const auto leaf_file = dir / (name + "-leaf.pem");
        const auto crl_file = dir / (name + "-crl.pem");
        write_pem(ca_file, "CERTIFICATE", ca.certificate_der);
        write_pem(leaf_file, "CERTIFICATE", leaf.certificate_der);
        write_pem(crl_file, "X509 CRL", crl);
        const auto verified =
            run({"openssl", "verify", "-CAfile", ca_file.string(), leaf_file.string()});
        INFO(verified.out << verified.err);
        CHECK(verified.exit_code == 0);
        const auto crl_checked = run(
            {"openssl", "crl", "-in", crl_file.string(), "-CAfile", ca_file.string(), "-noout"});
        INFO(crl_checked.err);
        CHECK(crl_checked.exit_code == 0);
        CHECK_THAT(crl_checked.err, Catch::Contains("verify OK"));
        for (const auto& other_name : backend_names()) {
            const auto other = make_backend(other_name);
            std::string why;
            CHECK(other->certificate_signed_by(leaf.certificate_der, ca.certificate_der, why) ==
                  true);
            CHECK(other->key_matches_certificate(key, ca.certificate_der));
            CHECK_FALSE(other->key_matches_certificate(key, leaf.certificate_der));
        }
    }

    asked = 0;
    const PrivateKey reopened = open_token_key(token.uri("print-ca"), pin_of(token, &asked));
    CHECK(asked == 1);
    CHECK(reopened.external()->rsa_modulus() == key.external()->rsa_modulus());
    CHECK(reopened.external()->rsa_public_exponent() == Bytes{0x01, 0x00, 0x01});
}

TEST_CASE("token key: several threads sign at once through one session", "[pkcs11]") {
    const SoftHsmToken token;
    const PrivateKey key = generate_token_key(token.uri("busy"), 1024, kNewId, pin_of(token));
    const Profile profile = shipped_profile("default");
    const auto backend = make_backend(backend_names().front());
    CertificateBuilder builder(*backend, profile);
    CaRequest ca_request;
    ca_request.subject.common_name = "Busy CA";
    ca_request.rsa_bits = 1024;
    Bytes ca_der;
    CHECK_THROWS_AS(ca_der =
                        builder.issue_ca(ca_request, [&](unsigned) { return key; }).certificate_der,
                    RefusedError); // the default profile wants 2048 bits; the key is checked
    const Profile legacy = shipped_profile("konica-legacy");
    CertificateBuilder legacy_builder(*backend, legacy);
    ca_der = legacy_builder.issue_ca(ca_request, [&](unsigned) { return key; }).certificate_der;

    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (const auto& name : backend_names()) {
        for (int t = 0; t < 2; ++t) {
            threads.emplace_back([&, name] {
                const auto own = make_backend(name);
                const auto leaf_key = fixture_private_key("rsa1024");
                CertificateBuilder own_builder(*own, legacy);
                for (int i = 0; i < 10; ++i) {
                    CertRequest request;
                    request.subject.common_name = "mfd.corp.local";
                    request.subject_alt_names.push_back({SanType::dns, "mfd.corp.local"});
                    const auto leaf =
                        own_builder.issue_leaf(request, CaCredentials{ca_der, key}, leaf_key);
                    std::string why;
                    if (own->certificate_signed_by(leaf.certificate_der, ca_der, why) == true) {
                        ++good;
                    }
                }
            });
        }
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(good == static_cast<int>(threads.size()) * 10);
}

TEST_CASE("token key: errors say what is wrong in one line that names the URI", "[pkcs11]") {
    const SoftHsmToken token;
    const std::string uri = token.uri("ca");
    static_cast<void>(generate_token_key(uri, 1024, kNewId, pin_of(token)));
    const TokenPin wrong_pin = [](std::string_view) {
        return SecureString("0000");
    };

    CHECK(error_of([&] { open_token_key(uri, wrong_pin); }) ==
          "InputError: " + uri + ": the token \"certforge test\" refused the PIN");
    CHECK(error_of([&] { open_token_key(uri, {}); }) ==
          "InputError: " + uri + ": the token \"certforge test\" needs a PIN and none was given");
    CHECK(error_of([&] { generate_token_key(uri, 1024, kNewId, pin_of(token)); }) ==
          "InputError: " + uri +
              ": the token \"certforge test\" already holds a private key the URI names: give "
              "the new key another object=, or use that one");
    const std::string missing = token.uri("missing");
    CHECK(error_of([&] { open_token_key(missing, pin_of(token)); }) ==
          "InputError: " + missing +
              ": the token \"certforge test\" holds no private key the URI names");
    const std::string other_token =
        std::string("pkcs11:token=elsewhere;object=ca?module-path=") + kSoftHsmModule;
    CHECK(error_of([&] { open_token_key(other_token, pin_of(token)); }) ==
          "InputError: " + other_token +
              ": no token matches the URI (tokens present: \"certforge test\")");
    const std::string no_module = "pkcs11:object=ca?module-path=/nonexistent/module.so";
    const std::string by_name = "pkcs11:object=ca?module-name=softhsm2";
    CHECK(error_of([&] { open_token_key(by_name, pin_of(token)); }) ==
          "UsageError: " + by_name +
              ": certforge does not pick modules by module-name=: give "
              "?module-path=/path/to/module.so");
    CHECK_THAT(error_of([&] { open_token_key(no_module, pin_of(token)); }),
               Catch::StartsWith("InputError: " + no_module +
                                 ": cannot load the PKCS#11 module /nonexistent/module.so: "));

    for (const char* id : {"0a", "0b"}) {
        const auto made =
            token.tool({"--keypairgen", "--key-type", "rsa:1024", "--label", "twice", "--id", id});
        INFO(made.out << made.err);
        REQUIRE(made.exit_code == 0);
    }
    CHECK(error_of([&] { open_token_key(token.uri("twice"), pin_of(token)); }) ==
          "InputError: " + token.uri("twice") +
              ": 2 private keys on the token match the URI; name one with object= and id=");
    const std::string one_of_them =
        std::string("pkcs11:token=certforge%20test;object=twice;id=%0b?module-path=") +
        kSoftHsmModule;
    CHECK(open_token_key(one_of_them, pin_of(token)).external()->rsa_modulus().size() == 128);

    const auto ec =
        token.tool({"--keypairgen", "--key-type", "EC:prime256v1", "--label", "ec", "--id", "0c"});
    INFO(ec.out << ec.err);
    REQUIRE(ec.exit_code == 0);
    CHECK(error_of([&] { open_token_key(token.uri("ec"), pin_of(token)); }) ==
          "InputError: " + token.uri("ec") +
              ": the key is not an RSA key; certforge signs with RSA keys on tokens only");
}

TEST_CASE("token key: a URI must name a key and must not carry the PIN", "[pkcs11]") {
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=t;object=k;pin-value=1234"); }) ==
          "UsageError: the PKCS#11 URI must not carry the PIN (pin-value, pin-source): certforge "
          "asks for it");
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=t;object=k?pin-source=file:/p"); }) ==
          "UsageError: the PKCS#11 URI must not carry the PIN (pin-value, pin-source): certforge "
          "asks for it");
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=t"); }) ==
          "UsageError: pkcs11:token=t: the URI must name the key (object=LABEL or id=...)");
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=t;object=k;type=cert"); }) ==
          "UsageError: pkcs11:token=t;object=k;type=cert: the URI names an object that is not a "
          "private key (type=private, or no type=)");
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=Print CA;object=k"); }) ==
          "UsageError: the PKCS#11 URI has a space, a control or a non-ASCII character: write "
          "those %-encoded (RFC 7512)");
    CHECK_THAT(error_of([] { check_token_key_uri("ca.key"); }),
               Catch::StartsWith("UsageError: 'ca.key' is not a PKCS#11 URI (RFC 7512): "));
    CHECK(error_of([] { check_token_key_uri("pkcs11:token=t;object=k;type=private"); }) ==
          "no error");
    CHECK(is_token_key_uri("pkcs11:object=k"));
    CHECK_FALSE(is_token_key_uri("ca/ca.key"));
}
