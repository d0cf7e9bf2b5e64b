// SPDX-License-Identifier: Apache-2.0
// `certforge csr` and `certforge ca sign`, read back by openssl, on each
// backend and across them.
#include "certforge/pem.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("csr: a request that fits the profile, signed by the CA", "[csr]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    const std::string signer = GENERATE(from_range(certforge::test::backend_names()));
    INFO("request by " << backend << ", signed by " << signer);
    TempDir dir;
    const std::string out = (dir / "req").string();
    const auto made = run_certforge({"csr", "--profile", "default", "--cn", "print.corp.local",
                                     "--san", "ip:10.1.2.3", "--san", "ip:2001:db8::5", "--key",
                                     certforge::test::fixture_key("rsa2048").string(), "--out", out,
                                     "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(certforge::test::mode_of(out + "/server.key") == 0600);
    const auto text =
        run({"openssl", "req", "-in", out + "/server.csr", "-verify", "-noout", "-text"});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.err + text.out, Catch::Contains("self-signature verify OK"));
    CHECK_THAT(text.out, Catch::Contains("Subject: CN = print.corp.local"));
    CHECK_THAT(text.out,
               Catch::Contains(
                   "DNS:print.corp.local, IP Address:10.1.2.3, IP Address:2001:DB8:0:0:0:0:0:5"));
    CHECK_THAT(text.out, Catch::Contains("Signature Algorithm: sha256WithRSAEncryption"));

    const std::string ca = (dir / "ca").string();
    REQUIRE(run_certforge({"ca", "init", "--profile", "default", "--name", "Print CA", "--out", ca,
                           "--backend", signer})
                .exit_code == 0);
    const auto signed_ =
        run_certforge({"ca", "sign", "--ca", ca, "--profile", "default", out + "/server.csr",
                       "--out", out + "/server.crt", "--backend", signer});
    INFO(signed_.err);
    REQUIRE(signed_.exit_code == 0);
    const auto verified = run({"openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                               "-CAfile", ca + "/ca.crt", out + "/server.crt"});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    const auto cert_key = run({"openssl", "x509", "-in", out + "/server.crt", "-noout", "-pubkey"});
    const auto own_key = run({"openssl", "pkey", "-in", out + "/server.key", "-pubout"});
    CHECK(cert_key.out == own_key.out);
    CHECK(run_certforge({"verify", "--profile", "default", out + "/server.crt"}).exit_code == 0);
}

TEST_CASE("csr: requests made by openssl are checked before they are signed", "[csr]") {
    TempDir dir;
    const std::string ca = (dir / "ca").string();
    REQUIRE(run_certforge(
                {"ca", "init", "--profile", "konica-legacy", "--name", "Print CA", "--out", ca})
                .exit_code == 0);
    auto openssl_csr = [&](const std::string& name, const std::string& key,
                           const std::string& subject, const std::string& san) {
        const std::string path = (dir / (name + ".csr")).string();
        std::vector<std::string> argv{
            "openssl", "req",   "-new", "-key", certforge::test::fixture_key(key).string(),
            "-subj",   subject, "-out", path};
        if (!san.empty()) {
            argv.insert(argv.end(), {"-addext", "subjectAltName=" + san});
        }
        REQUIRE(run(argv).exit_code == 0);
        return path;
    };
    auto sign = [&](const std::string& csr, const std::string& out) {
        return run_certforge({"ca", "sign", "--ca", ca, "--profile", "konica-legacy", csr, "--out",
                              (dir / out).string()});
    };
    const auto good =
        sign(openssl_csr("good", "rsa1024", "/CN=print.corp.local", "DNS:print"), "good.crt");
    INFO(good.err);
    CHECK(good.exit_code == 0);
    const auto text =
        run({"openssl", "x509", "-in", (dir / "good.crt").string(), "-noout", "-text"});
    CHECK_THAT(text.out, Catch::Contains("DNS:print.corp.local, DNS:print"));
    CHECK_THAT(text.out, Catch::Contains("Signature Algorithm: sha1WithRSAEncryption"));

    const auto big_key = sign(openssl_csr("big", "rsa2048", "/CN=print.corp.local", ""), "big.crt");
    CHECK(big_key.exit_code == 3);
    CHECK_THAT(big_key.err, Catch::Contains("refused: the request's key (rsa 2048) does not fit "
                                            "profile 'konica-legacy' (RSA 1024)"));
    const auto wildcard =
        sign(openssl_csr("wild", "rsa1024", "/CN=print.corp.local", "DNS:*.corp.local"), "w.crt");
    CHECK(wildcard.exit_code == 3);
    CHECK_THAT(wildcard.err, Catch::Contains("wildcards are not supported"));
    const auto email = sign(
        openssl_csr("email", "rsa1024", "/CN=print.corp.local/emailAddress=a@b.c", ""), "e.crt");
    CHECK(email.exit_code == 3);
    CHECK_THAT(email.err, Catch::Contains("has a emailAddress attribute"));

    // A request whose signature no longer matches its contents.
    const std::string good_csr = read_text(dir / "good.csr");
    auto der = certforge::pem_decode_all(good_csr, "good.csr").front().der;
    der[der.size() - 5] ^= 0x01;
    certforge::test::write_text(dir / "tampered.csr",
                                certforge::pem_encode("CERTIFICATE REQUEST", der));
    const auto tampered = sign((dir / "tampered.csr").string(), "t.crt");
    CHECK(tampered.exit_code == 3);
    CHECK_THAT(tampered.err, Catch::Contains("the request's signature does not verify"));
    for (const char* name : {"big.crt", "w.crt", "e.crt", "t.crt"}) {
        CHECK_FALSE(fs::exists(dir / name));
    }
    const auto garbage = run_certforge({"ca", "sign", "--ca", ca, "--profile", "konica-legacy",
                                        certforge::test::fixture_key("rsa1024").string(), "--out",
                                        (dir / "g.crt").string()});
    CHECK(garbage.exit_code == 3);
    CHECK_THAT(garbage.err, Catch::Contains("no CERTIFICATE REQUEST block"));
}
