// SPDX-License-Identifier: Apache-2.0
// `certforge verify` on files made by the openssl command line, on bad input,
// and on containers: PFX files against the profile's import rules, a JKS
// that keytool wrote.
#include "certforge/pem.hpp"
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certforge::test::Issued;
using certforge::test::kPassword;
using certforge::test::OpenSslCert;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;

TEST_CASE("cli verify: PEM, DER, chains and JSON output", "[cli][verify]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    TempDir dir;
    const auto good = certforge::test::openssl_cert(dir, "good", {});
    OpenSslCert weak_spec;
    weak_spec.key = "rsa1024";
    weak_spec.hash = "sha1";
    const auto weak = certforge::test::openssl_cert(dir, "weak", weak_spec);
    const auto der = dir / "good.der";
    REQUIRE(certforge::test::run(
                {"openssl", "x509", "-in", good.string(), "-outform", "DER", "-out", der.string()})
                .exit_code == 0);

    const auto pass = run_certforge(
        {"verify", "--profile", "default", "--backend", backend, good.string(), der.string()});
    CHECK(pass.exit_code == 0);
    CHECK_THAT(pass.out, Catch::Contains(der.string() + ": profile default"));

    const auto json_run = run_certforge({"verify", "--profile", "default", "--backend", backend,
                                         "--json", good.string(), weak.string()});
    CHECK(json_run.exit_code == 1);
    const auto json = nlohmann::json::parse(json_run.out);
    CHECK(json["schema"] == "certforge.verify/2");
    CHECK(json["backend"] == backend);
    CHECK(json["result"] == "fail");
    REQUIRE(json["files"].size() == 2);
    CHECK(json["files"][0]["result"] == "pass");
    CHECK(json["files"][1]["result"] == "fail");
    CHECK(json["files"][1]["summary"]["errors"] == 2);

    OpenSslCert ca_spec;
    ca_spec.subject = "/CN=Chain CA";
    ca_spec.extensions = {"basicConstraints=critical,CA:TRUE",
                          "keyUsage=critical,keyCertSign,cRLSign"};
    const auto ca = certforge::test::openssl_cert(dir, "ca", ca_spec);
    OpenSslCert leaf_spec;
    leaf_spec.key = "rsa4096";
    leaf_spec.ca_cert = ca;
    leaf_spec.ca_key = "rsa2048";
    const auto leaf = certforge::test::openssl_cert(dir, "leaf", leaf_spec);
    certforge::test::write_text(dir / "chain.pem",
                                certforge::test::read_text(leaf) + certforge::test::read_text(ca));
    const auto chain = run_certforge(
        {"verify", "--profile", "default", "--backend", backend, (dir / "chain.pem").string()});
    CHECK(chain.exit_code == 0);
    CHECK_THAT(chain.out, Catch::Contains("certificate #1 (ca) CN=Chain CA"));
    CHECK_THAT(chain.out, Catch::Contains("pass  chain.links"));
}

TEST_CASE("cli verify: bad input gives one clear line and exit 3", "[cli][verify]") {
    TempDir dir;
    const auto good = certforge::test::openssl_cert(dir, "good", {});
    const std::string text = certforge::test::read_text(good);
    auto verify = [&](const std::filesystem::path& file) {
        return run_certforge({"verify", "--profile", "default", file.string()});
    };

    SECTION("missing file") {
        const auto r = verify(dir / "absent.crt");
        CHECK(r.exit_code == 3);
        CHECK(r.err == "certforge: error: " + (dir / "absent.crt").string() + ": no such file\n");
    }
    SECTION("empty file") {
        certforge::test::write_text(dir / "empty.crt", "");
        const auto r = verify(dir / "empty.crt");
        CHECK(r.exit_code == 3);
        CHECK(r.err ==
              "certforge: error: " + (dir / "empty.crt").string() + ": the file is empty\n");
    }
    SECTION("truncated PEM") {
        certforge::test::write_text(dir / "cut.crt", text.substr(0, text.size() / 2));
        const auto r = verify(dir / "cut.crt");
        CHECK(r.exit_code == 3);
        CHECK(r.err == "certforge: error: " + (dir / "cut.crt").string() +
                           ": PEM block 'CERTIFICATE' is truncated (no END line)\n");
    }
    SECTION("PEM whose Base64 decodes to a truncated certificate") {
        const auto der = certforge::test::der_of(good);
        const certforge::Bytes half(der.begin(), der.begin() + static_cast<long>(der.size() / 2));
        certforge::test::write_text(dir / "half.crt", certforge::pem_encode("CERTIFICATE", half));
        const auto r = verify(dir / "half.crt");
        CHECK(r.exit_code == 3);
        CHECK(r.err == "certforge: error: " + (dir / "half.crt").string() +
                           ": a certificate is not one DER object (cut short: its declared "
                           "length runs past the end)\n");
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
    SECTION("garbage bytes") {
        certforge::test::write_text(dir / "junk.crt", std::string("\x01\x02garbage", 9));
        const auto r = verify(dir / "junk.crt");
        CHECK(r.exit_code == 3);
        CHECK(r.err == "certforge: error: " + (dir / "junk.crt").string() +
                           ": neither PEM nor DER (a DER certificate starts with 0x30)\n");
    }
    SECTION("DER that is not a certificate") {
        certforge::test::write_text(dir / "seq.der", std::string("\x30\x03\x02\x01\x05", 5));
        const auto r = verify(dir / "seq.der");
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::StartsWith("certforge: error: " + (dir / "seq.der").string() +
                                            ": not a valid X.509 certificate"));
    }
    SECTION("a key instead of a certificate") {
        const auto r = verify(certforge::test::fixture_key("rsa2048"));
        CHECK(r.exit_code == 3);
        CHECK_THAT(r.err, Catch::EndsWith(": no CERTIFICATE block in the PEM file\n"));
    }
    SECTION("a folder") {
        const auto r = verify(dir.path());
        CHECK(r.exit_code == 3);
        CHECK(r.err == "certforge: error: " + dir.path().string() + ": is a folder, not a file\n");
    }
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("verify: containers are checked against the profile", "[export][verify]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    REQUIRE(issued.export_as("pfx", "aes.pfx", "openssl").exit_code == 0);
    write_text(issued.path("only3des.toml"), R"(id = "only3des"
name = "Imports 3DES PKCS#12 only"
extends = "konica-legacy"
legacy = true
sources = ["test"]
[import]
pkcs12_encryption = ["3des", "rc2"]
)");
    const auto refused =
        run_certforge({"verify", "--profile", issued.path("only3des.toml"), issued.path("aes.pfx"),
                       "--password-file", issued.password_file, "--json"});
    CHECK(refused.exit_code == 1);
    const auto json = nlohmann::json::parse(refused.out);
    const auto& container = json["files"][0]["container"];
    REQUIRE(container.size() == 4);
    CHECK(container[0]["rule"] == "container.encryption");
    CHECK(container[0]["status"] == "fail");
    CHECK(container[0]["profile_key"] == "import.pkcs12_encryption");
    CHECK_THAT(container[0]["message"].get<std::string>(),
               Catch::StartsWith("aes (key PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC"));
    CHECK(container[1]["rule"] == "container.mac");
    CHECK(container[2]["rule"] == "container.key-matches");
    CHECK(container[2]["status"] == "pass");
    CHECK(container[3]["rule"] == "container.chain-complete");
    CHECK(container[3]["status"] == "pass");

    const auto accepted =
        run_certforge({"verify", "--profile", issued.path("only3des.toml"),
                       issued.out + "/server.pfx", "--password-file", issued.password_file});
    CHECK(accepted.exit_code == 0);
    CHECK_THAT(accepted.out, Catch::Contains("pass  container.encryption           3des"));

    // A PFX without its CA: the chain stops short.
    REQUIRE(run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(), "--format",
                           "pfx-3des", "--out", issued.path("leaf-only.pfx"), "--password-file",
                           issued.password_file})
                .exit_code == 0);
    const auto short_chain =
        run_certforge({"verify", "--profile", "konica-legacy", issued.path("leaf-only.pfx"),
                       "--password-file", issued.password_file});
    CHECK(short_chain.exit_code == 0);
    CHECK_THAT(short_chain.out, Catch::Contains("warn  container.chain-complete       the chain "
                                                "ends at 'CN=print.corp.local', issued by "
                                                "'CN=Print CA', which is not included"));
    const auto no_password =
        run_certforge({"verify", "--profile", "konica-legacy", issued.out + "/server.pfx"});
    CHECK(no_password.exit_code == 3);
    CHECK_THAT(no_password.err,
               Catch::EndsWith("certforge: error: " + issued.out +
                               "/server.pfx: a password is needed and standard input is not a "
                               "terminal: use --in-password-file or --in-password-env\n"));
}
#endif

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("verify: reads a JKS that keytool wrote", "[export][jks]") {
    require_tool("keytool", "openjdk-17-jre-headless");
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Issued issued(backend);
    const auto converted =
        run({"keytool", "-importkeystore", "-noprompt", "-srckeystore", issued.out + "/server.pfx",
             "-srcstoretype", "PKCS12", "-srcstorepass", kPassword, "-destkeystore",
             issued.path("keytool.jks"), "-deststoretype", "JKS", "-deststorepass", kPassword,
             "-destkeypass", kPassword});
    INFO(converted.out << converted.err);
    REQUIRE(converted.exit_code == 0);
    const auto verified =
        run_certforge({"verify", "--profile", "konica-legacy", issued.path("keytool.jks"),
                       "--password-file", issued.password_file, "--backend", backend});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    CHECK_THAT(verified.out, Catch::Contains("pass  container.key-matches          the private "
                                             "key matches the leaf"));
    CHECK_THAT(verified.out, Catch::Contains("certificate #1 (ca) CN=Print CA"));
}
#endif
