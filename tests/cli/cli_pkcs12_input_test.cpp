// SPDX-License-Identifier: Apache-2.0
// PKCS#12 files from other tools and from hostile hands, as `verify` and
// `export --in` read them: iteration counts beyond the cap, damaged key
// bags, and files without a password in either encoding. The files are made
// by the openssl command line and python3-cryptography, and edited with
// tests/support/der_patch.py.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using certforge::test::fixture_key;
using certforge::test::openssl_cert;
using certforge::test::OpenSslCert;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::RunResult;
using certforge::test::TempDir;
using certforge::test::write_text;

#if CERTFORGE_TEST_WITH_OPENSSL
namespace {

const std::string kVectors = "/usr/lib/python3/dist-packages/cryptography_vectors/pkcs12";

std::string der_patch() {
    return std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/der_patch.py";
}

// A PFX of a fixture key and a self-signed certificate, by `openssl pkcs12
// -export` with `options` added; password "pw".
std::string openssl_pfx(const TempDir& dir, const std::string& name,
                        const std::vector<std::string>& options) {
    require_tool("openssl", "openssl");
    const std::string leaf = openssl_cert(dir, "leaf", OpenSslCert{}).string();
    std::vector<std::string> argv{
        "openssl", "pkcs12",   "-export", "-inkey", fixture_key("rsa2048"), "-in",
        leaf,      "-passout", "pass:pw", "-out",   (dir / name).string()};
    argv.insert(argv.end(), options.begin(), options.end());
    const auto made = run(argv);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return (dir / name).string();
}

std::string patched(const TempDir& dir, const std::string& from, const std::string& name,
                    const std::vector<std::string>& edit) {
    std::vector<std::string> argv{"/usr/bin/python3", der_patch(), from, (dir / name).string()};
    argv.insert(argv.end(), edit.begin(), edit.end());
    const auto done = run(argv);
    INFO(done.err);
    REQUIRE(done.exit_code == 0);
    return (dir / name).string();
}

// verify, then export --in, of `file` on `backend` with the password file,
// each bounded by `timeout` so that an unbounded read fails the test.
std::vector<RunResult> read_both_ways(const TempDir& dir, const std::string& file,
                                      const std::string& password_file,
                                      const std::string& backend) {
    const std::string binary = CERTFORGE_BINARY;
    return {run({"timeout", "60", binary, "verify", "--profile", "default", "--password-file",
                 password_file, file, "--backend", backend}),
            run({"timeout", "60", binary, "export", "--in", file, "--in-password-file",
                 password_file, "--format", "pem-bundle", "--out", (dir / "out.pem").string(),
                 "--force", "--backend", backend})};
}

} // namespace

TEST_CASE("PKCS#12: iteration counts beyond the cap are refused before any work",
          "[pkcs12][hostile]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    write_text(dir / "pw", "pw\n");
    const std::string password = (dir / "pw").string();
    // Each file asks for 2049 iterations in one place only: the MAC, the
    // certificates' encryption or the key's.
    const std::string mac = openssl_pfx(dir, "mac.p12", {"-iter", "2049"});
    const std::string certs =
        openssl_pfx(dir, "certs.p12",
                    {"-iter", "2049", "-nomac", "-keypbe", "NONE", "-certpbe", "AES-256-CBC"});
    const std::string key =
        openssl_pfx(dir, "key.p12", {"-iter", "2049", "-nomac", "-certpbe", "NONE"});
    for (const auto& file : {mac, certs, key}) {
        for (const auto& result : read_both_ways(dir, file, password, backend)) {
            INFO(file << ": " << result.err);
            CHECK((result.exit_code == 0 || result.exit_code == 1));
        }
    }
    struct Case {
        std::string file;
        std::string what;
    };
    const std::vector<Case> cases{
        {mac, "integrity check (MAC)"}, {certs, "certificate encryption"}, {key, "key encryption"}};
    for (const auto& c : cases) {
        for (const std::string count : {"2147483647", "600001", "0", "-1"}) {
            const std::string file = patched(dir, c.file, "huge.p12", {"integer", "2049", count});
            for (const auto& result : read_both_ways(dir, file, password, backend)) {
                INFO(c.what << " " << count);
                CHECK(result.exit_code == 3);
                CHECK(result.err == "certforge: error: " + file + ": the PKCS#12 " + c.what +
                                        " asks for " + count +
                                        " iterations; certforge reads 1 to 600000 (Windows "
                                        "refuses more too)\n");
            }
        }
    }
}

TEST_CASE("PKCS#12: a key bag that holds no usable key is bad input, not a crash",
          "[pkcs12][hostile]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    write_text(dir / "pw", "pw\n");
    const std::string plain =
        openssl_pfx(dir, "plain.p12", {"-nomac", "-keypbe", "NONE", "-certpbe", "NONE"});
    // rsaEncryption becomes 1.2.840.113549.1.1.99 in the key bag (the last
    // occurrence; the certificate keeps its own).
    const std::string broken =
        patched(dir, plain, "broken.p12",
                {"bytes-last", "06092a864886f70d010101", "06092a864886f70d010163"});
    for (const auto& result : read_both_ways(dir, broken, (dir / "pw").string(), backend)) {
        CHECK(result.exit_code == 3);
        CHECK(result.err == "certforge: error: " + broken +
                                ": the PKCS#12 key bag holds no usable private key\n");
    }
}

TEST_CASE("PKCS#12: an encrypted key that decrypts to no valid key is bad input (fuzz finding)",
          "[pkcs12][hostile]") {
    // Found by fuzz/pkcs12_fuzz: no MAC, a shrouded key bag that decrypts
    // (password "fuzz") to an EC key whose point is not on its curve. It
    // used to give exit 4 ("crypto error").
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    write_text(dir / "pw", "fuzz\n");
    const std::string file =
        std::string(CERTFORGE_SOURCE_DIR) + "/tests/data/pkcs12/ec-key-off-curve-nomac.p12";
    for (const auto& result : read_both_ways(dir, file, (dir / "pw").string(), backend)) {
        CHECK(result.exit_code == 3);
        CHECK(result.err ==
              "certforge: error: " + file + ": the PKCS#12 key bag holds no usable private key\n");
    }
}

TEST_CASE("PKCS#12: files without a password open with an empty one, in both encodings",
          "[pkcs12]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    write_text(dir / "empty", "");
    write_text(dir / "wrong", "not-it\n");
    std::vector<std::string> files;
    // python3-cryptography-vectors: "no password" as no bytes at all.
    require_tool(kVectors + "/no-password.p12", "python3-cryptography-vectors");
    files.push_back(kVectors + "/no-password.p12");
    files.push_back(kVectors + "/name-all-no-pwd.p12");
    // openssl: an empty password, encoded as an empty BMPString.
    const std::string leaf = openssl_cert(dir, "leaf", OpenSslCert{}).string();
    REQUIRE(run({"openssl", "pkcs12", "-export", "-inkey", fixture_key("rsa2048"), "-in", leaf,
                 "-passout", "pass:", "-out", (dir / "openssl-empty.p12").string()})
                .exit_code == 0);
    files.push_back((dir / "openssl-empty.p12").string());
    for (const auto& file : files) {
        INFO(file);
        for (const auto& result : read_both_ways(dir, file, (dir / "empty").string(), backend)) {
            INFO(result.out << result.err);
            CHECK((result.exit_code == 0 || result.exit_code == 1));
            CHECK(result.err.find("wrong password") == std::string::npos);
        }
        // An empty variable, set (the test helper's empty value unsets).
        const auto from_env =
            run({"env", "EMPTY_PW=", CERTFORGE_BINARY, "export", "--in", file, "--in-password-env",
                 "EMPTY_PW", "--format", "pem-bundle", "--out", (dir / "env.pem").string(),
                 "--force", "--backend", backend});
        INFO(from_env.err);
        CHECK(from_env.exit_code == 0);
        const auto chain = run({"openssl", "x509", "-in", (dir / "env.pem").string(), "-noout"});
        CHECK(chain.exit_code == 0);
        for (const auto& result : read_both_ways(dir, file, (dir / "wrong").string(), backend)) {
            CHECK(result.exit_code == 3);
            CHECK(result.err == "certforge: error: " + file +
                                    ": wrong password (or a damaged file: the PKCS#12 integrity "
                                    "check failed)\n");
        }
    }
}
#endif
