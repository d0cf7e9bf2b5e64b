// SPDX-License-Identifier: Apache-2.0
// Both backends read the same inputs (issue 12): certificates that one crypto
// library refused (python3-cryptography-vectors, and certificates that
// python3-cryptography makes here), 100,000 subjectAltNames in linear time,
// and private keys whose parts do not fit together. backend_parity_test.py
// runs every vector of the package on both backends.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
using certforge::test::RunResult;
using certforge::test::TempDir;

namespace {

// The x509 folder of python3-cryptography-vectors.
fs::path vectors() {
    certforge::test::require_tool("/usr/bin/python3", "python3");
    const auto found =
        certforge::test::run({"/usr/bin/python3", "-c",
                              "import cryptography_vectors, os; "
                              "print(os.path.dirname(cryptography_vectors.__file__), end='')"});
    if (found.exit_code != 0) {
        FAIL("python3-cryptography-vectors is missing: apt-get install "
             "python3-cryptography-vectors");
    }
    return fs::path(found.out) / "x509";
}

struct Verdict {
    int exit_code = -1;
    std::string err;
    // rule -> "pass: MESSAGE", "error: MESSAGE" or "warning: MESSAGE"; the
    // first certificate's findings, then the chain's.
    std::map<std::string, std::string> findings;
};

Verdict verify(const std::string& backend, const fs::path& file) {
    const RunResult run = certforge::test::run_certforge(
        {"verify", "--profile", "default", "--backend", backend, "--json", file.string()});
    Verdict verdict{run.exit_code, run.err, {}};
    if (run.exit_code != 0 && run.exit_code != 1) {
        return verdict;
    }
    const auto report = nlohmann::json::parse(run.out)["files"][0];
    const auto add = [&](const nlohmann::json& finding) {
        const std::string status = finding["status"] == "pass" ? "pass" : finding["severity"];
        verdict.findings[finding["rule"]] =
            fmt::format("{}: {}", status, finding["message"].get<std::string>());
    };
    for (const auto& finding : report["certificates"][0]["findings"]) {
        add(finding);
    }
    for (const auto& finding : report["chain"]) {
        add(finding);
    }
    return verdict;
}

// Makes a self-signed certificate with python3-cryptography and the rsa2048
// fixture key. argv: KEY OUT MODE; MODE "sans:N" (N DNS names, fit for the
// default profile) or "before-1970" (notBefore 1950-01-01 00:00:00, the
// earliest python3-cryptography writes; notAfter 1969-12-31 23:59:59).
constexpr const char* kMakeCertificate = R"(
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), None)
mode = sys.argv[3]
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "host0.corp.local")])
builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
           .public_key(key.public_key()).serial_number(0x1234567890abcdef1234)
           .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False,
                                        False), True)
           .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
           .add_extension(x509.BasicConstraints(ca=False, path_length=None), True))
if mode.startswith("sans:"):
    now = datetime.datetime.utcnow()
    names = [x509.DNSName(f"host{i}.corp.local") for i in range(int(mode[5:]))]
    builder = (builder.not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=365))
               .add_extension(x509.SubjectAlternativeName(names), False))
else:
    builder = (builder.not_valid_before(datetime.datetime(1950, 1, 1))
               .not_valid_after(datetime.datetime(1969, 12, 31, 23, 59, 59))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName("host0.corp.local")]),
                              False))
cert = builder.sign(key, hashes.SHA256())
open(sys.argv[2], "wb").write(cert.public_bytes(serialization.Encoding.PEM))
)";

fs::path python_certificate(const TempDir& dir, const std::string& name, const std::string& mode) {
    certforge::test::require_python_cryptography();
    const fs::path out = dir / (name + ".pem");
    const auto made = certforge::test::run({"/usr/bin/python3", "-c", kMakeCertificate,
                                            certforge::test::fixture_key("rsa2048").string(),
                                            out.string(), mode});
    certforge::test::require_python_cryptography(made);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return out;
}

// Writes a PKCS#8 key made from a fixture key with one part changed, as a
// PEM file. argv: MODE SOURCE OUT; MODE n (n + 2), d (d + 2), crt (dQ with
// bit 1 flipped) or ec (the public point of private value 2 instead of the
// key's own).
constexpr const char* kMakeBadKey = R"(
import base64, sys, textwrap
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
def tlv(tag, content):
    n = len(content)
    size = bytes([n]) if n < 0x80 else (
        bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big"))
    return bytes([tag]) + size + content
def integer(v):
    return tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))
mode, source, out = sys.argv[1:4]
key = serialization.load_pem_private_key(open(source, "rb").read(), None)
if mode == "ec":
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    point = serialization.PublicFormat.UncompressedPoint
    own = key.public_key().public_bytes(serialization.Encoding.X962, point)
    other = ec.derive_private_key(2, key.curve).public_key().public_bytes(
        serialization.Encoding.X962, point)
    assert der.count(own) == 1
    der = der.replace(own, other)
else:
    numbers = key.private_numbers()
    n, d, dq = numbers.public_numbers.n, numbers.d, numbers.dmq1
    n, d, dq = (n + 2, d, dq) if mode == "n" else (n, d + 2, dq) if mode == "d" else (n, d, dq ^ 2)
    parts = (0, n, numbers.public_numbers.e, d, numbers.p, numbers.q, numbers.dmp1, dq,
             numbers.iqmp)
    rsa = tlv(0x30, b"".join(integer(v) for v in parts))
    der = tlv(0x30, integer(0) + tlv(0x30, bytes.fromhex("06092a864886f70d0101010500")) +
              tlv(0x04, rsa))
body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
open(out, "w").write(f"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n")
)";

fs::path bad_key(const TempDir& dir, const std::string& mode, const std::string& fixture) {
    certforge::test::require_python_cryptography();
    const fs::path out = dir / ("bad-" + mode + ".pem");
    const auto made =
        certforge::test::run({"/usr/bin/python3", "-c", kMakeBadKey, mode,
                              certforge::test::fixture_key(fixture).string(), out.string()});
    certforge::test::require_python_cryptography(made);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return out;
}

} // namespace

TEST_CASE("backend parity: certificates Botan 2's X509_Certificate refuses are read",
          "[cli][parity]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    const fs::path x509 = vectors();

    // RSA-PSS keys whose parameters are not the signature's.
    auto pss = verify(backend, x509 / "custom/rsa_pss.pem");
    INFO(pss.err);
    CHECK(pss.exit_code == 1);
    CHECK(pss.findings["key.algorithm"] == "pass: rsa key");
    CHECK(pss.findings["key.size"] == "pass: RSA 2048 bits");
    CHECK(pss.findings["signature.hash"] ==
          "error: signed with unknown (rsassaPss); profile 'default' allows: sha256, sha384, "
          "sha512");
    // The key allows SHA-256 only; the signature uses the default, SHA-1.
    CHECK_THAT(pss.findings["chain.signatures"], Catch::StartsWith("warning: not checked: #0: "));
    auto pss_cert = verify(backend, x509 / "custom/rsa_pss_cert.pem");
    CHECK(pss_cert.exit_code == 1);
    CHECK(pss_cert.findings["chain.signatures"] ==
          "pass: each signature verifies with its issuer's key");

    // notBefore 1950-01-01 12:01:00, notAfter 2030-12-31 08:30:00 (openssl x509 -dates).
    auto pre1970 =
        verify(backend, x509 / "PKITS_data/certs/Validpre2000UTCnotBeforeDateTest3EE.crt");
    INFO(pre1970.err);
    CHECK(pre1970.exit_code == 1);
    CHECK(pre1970.findings["validity.length"] ==
          "error: valid for 29583.9 days; profile 'default' allows at most 3650");

    auto v8 = verify(backend, x509 / "custom/invalid_version.pem");
    CHECK(v8.exit_code == 1);
    CHECK(v8.findings["certificate.version"] == "error: X.509 v8, profile requires v3");

    // signatureAlgorithm md5 outside, md5WithRSAEncryption inside.
    auto v1 = verify(backend, x509 / "v1_cert.pem");
    CHECK(v1.exit_code == 1);
    CHECK(v1.findings["certificate.version"] == "error: X.509 v1, profile requires v3");
    CHECK(v1.findings["key.size"] ==
          "error: RSA 512 bits; profile 'default' allows: 2048, 3072, 4096");

    auto ed448 = verify(backend, x509 / "ed448/root-ed448.pem");
    CHECK(ed448.exit_code == 1);
    CHECK(ed448.findings["key.algorithm"] == "error: ed448 key; profile 'default' allows: rsa");
    CHECK(ed448.findings["key.size"] ==
          "error: ed448 key of 456 bits: the profile lists RSA sizes only");
}

TEST_CASE("backend parity: certificates OpenSSL 3 refused are read", "[cli][parity]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    const fs::path x509 = vectors();

    auto twice = verify(backend, x509 / "custom/two_basic_constraints.pem");
    INFO(twice.err);
    CHECK(twice.exit_code == 1);
    CHECK(twice.findings["extensions.unique"] ==
          "error: the extension basicConstraints (2.5.29.19) occurs more than once: RFC 5280 "
          "4.2 allows each extension once (the first is the one checked)");
    CHECK(twice.findings["extensions.basic-constraints"] ==
          "error: a server certificate marked CA:TRUE");

    // An ediPartyName that OpenSSL's GENERAL_NAMES decoder refuses.
    auto edi = verify(backend, x509 / "san_edipartyname.der");
    INFO(edi.err);
    CHECK(edi.exit_code == 1);
    CHECK(edi.findings["san.present"] == "error: subjectAltName holds no DNS name or IP address");

    // A GOST R 34.10-2001 key, which OpenSSL 3 cannot decode.
    auto gost = verify(backend, x509 / "e-trust.ru.der");
    INFO(gost.err);
    CHECK(gost.exit_code == 1);
    CHECK(gost.findings["key.algorithm"] == "error: unknown key; profile 'default' allows: rsa");
    CHECK(gost.findings["key.size"] == "error: a key of an algorithm certforge does not know: "
                                       "the profile lists RSA sizes only");

    // OpenSSL 3 cannot decode a name with bad UTF-8 at all (and python3-cryptography
    // refuses it too): both backends refuse it in the same words (dn_text.hpp).
    const fs::path bad_utf8 = x509 / "custom/invalid_utf8_common_name.pem";
    auto utf8 = verify(backend, bad_utf8);
    CHECK(utf8.exit_code == 3);
    CHECK(utf8.err == "certforge: error: " + bad_utf8.string() +
                          ": the subject's CN is a UTF8String that is not valid UTF-8 (it ends "
                          "inside a character)\n");
}

TEST_CASE("backend parity: times before 1970", "[cli][parity]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    TempDir dir;
    const fs::path old = python_certificate(dir, "old", "before-1970");
    const auto dates = certforge::test::run(
        {"openssl", "x509", "-in", old.string(), "-noout", "-startdate", "-enddate"});
    REQUIRE(dates.out == "notBefore=Jan  1 00:00:00 1950 GMT\nnotAfter=Dec 31 23:59:59 1969 GMT\n");
    auto verdict = verify(backend, old);
    INFO(verdict.err);
    CHECK(verdict.exit_code == 1);
    CHECK(verdict.findings["validity.current"] ==
          "error: expired: notAfter was 1969-12-31T23:59:59Z");
    CHECK(verdict.findings["validity.length"] ==
          "error: valid for 7305.0 days; profile 'default' allows at most 3650");
}

TEST_CASE("backend parity: 100,000 DNS subjectAltNames are checked in linear time",
          "[cli][parity][san]") {
    TempDir dir;
    const fs::path many = python_certificate(dir, "many", "sans:100000");
    for (const auto& backend : certforge::test::backend_names()) {
        const auto start = std::chrono::steady_clock::now();
        const RunResult run = certforge::test::run_certforge(
            {"verify", "--profile", "default", "--backend", backend, many.string()});
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        INFO(backend << " took " << took.count() << " s; " << run.err);
        CHECK(run.exit_code == 0);
        CHECK_THAT(run.out,
                   Catch::Contains("dns:host99998.corp.local, dns:host99999.corp.local\n"));
        CHECK_THAT(run.out, Catch::Contains("result: PASS (0 errors, 0 warnings, 15 passed)"));
        // A hang guard: both take under a second on an idle machine.
        CHECK(took.count() < 10.0);
    }
}

TEST_CASE("backend parity: a key whose parts do not fit together is refused",
          "[cli][parity][key]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    TempDir dir;
    struct Case {
        std::string mode;
        std::string fixture;
        std::string reason;
    };
    const std::vector<Case> cases{
        {"n", "rsa2048", "n is not p*q"},
        {"d", "rsa2048", "d*e is not 1 modulo p-1 and q-1"},
        {"crt", "rsa2048", "the CRT exponents or coefficient do not fit p, q and d"},
        {"ec", "ec256", "the public point is not the private value times the generator"},
    };
    for (const auto& c : cases) {
        const fs::path key = bad_key(dir, c.mode, c.fixture);
        // The openssl command line finds the same fault in the key.
        const auto checked =
            certforge::test::run({"openssl", "pkey", "-in", key.string(), "-noout", "-check"});
        CHECK(checked.exit_code != 0);
        for (const std::string command : {"make", "csr"}) {
            const fs::path out = dir / (c.mode + "-" + command);
            const RunResult run = certforge::test::run_certforge(
                {command, "--profile", "default", "--cn", "print.corp.local", "--backend", backend,
                 "--key", key.string(), "--out", out.string()});
            INFO(c.mode << " " << command);
            CHECK(run.exit_code == 3);
            CHECK(run.err == "certforge: error: " + key.string() +
                                 ": the private key is inconsistent (" + c.reason + ")\n");
            CHECK_FALSE(fs::exists(out));
        }
    }
    const RunResult good = certforge::test::run_certforge(
        {"make", "--profile", "default", "--cn", "print.corp.local", "--backend", backend, "--key",
         certforge::test::fixture_key("rsa2048").string(), "--out", (dir / "good").string()});
    CHECK(good.exit_code == 0);
}
