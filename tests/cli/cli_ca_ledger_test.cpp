// SPDX-License-Identifier: Apache-2.0
// The CA ledger through the CLI: make --ca and ca sign are recorded, ca list
// filters, ca revoke and ca crl publish; read back by openssl and, once, by
// python3's sqlite3 (a reader certforge did not write).
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string serial_of(const fs::path& cert) {
    const auto result = run({"openssl", "x509", "-in", cert.string(), "-noout", "-serial"});
    REQUIRE(result.exit_code == 0);
    return result.out.substr(result.out.find('=') + 1, result.out.size() - 8);
}

} // namespace

TEST_CASE("ca ledger: make --ca and ca sign are recorded, ca list filters", "[ca][ledger]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const std::string ca = (dir / "ca").string();
    REQUIRE(run_certforge({"ca", "init", "--profile", "default", "--name", "Ledger CA", "--out", ca,
                           "--backend", backend})
                .exit_code == 0);
    const std::map<std::string, std::string> env{{"PFX_PASSWORD", "secret"}};
    const auto made = run_certforge(
        {"make", "--profile", "default", "--cn", "a.example.com", "--ca", ca, "--key",
         certforge::test::fixture_key("rsa2048").string(), "--out", (dir / "a").string(), "--days",
         "10", "--password-env", "PFX_PASSWORD", "--backend", backend},
        env);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    REQUIRE(run({"openssl", "req", "-new", "-key", certforge::test::fixture_key("rsa2048").string(),
                 "-subj", "/CN=b.example.com", "-addext", "subjectAltName=DNS:b.example.com",
                 "-out", (dir / "b.csr").string()})
                .exit_code == 0);
    const auto signed_ =
        run_certforge({"ca", "sign", "--ca", ca, "--profile", "default", (dir / "b.csr").string(),
                       "--out", (dir / "b.crt").string(), "--backend", backend});
    INFO(signed_.err);
    REQUIRE(signed_.exit_code == 0);

    // A second certificate signed into the same folder leaves the first valid.
    REQUIRE(
        run_certforge({"ca", "sign", "--ca", ca, "--profile", "default", (dir / "b.csr").string(),
                       "--out", (dir / "b2.crt").string(), "--backend", backend})
            .exit_code == 0);
    const auto valid = run_certforge({"ca", "list", "--ca", ca, "--status", "valid", "--json"});
    CHECK(nlohmann::json::parse(valid.out)["certificates"].size() == 3);
    REQUIRE(run_certforge({"ca", "revoke", "--ca", ca, serial_of(dir / "b2.crt")}).exit_code == 0);

    const auto listed = run_certforge({"ca", "list", "--ca", ca, "--status", "valid", "--json"});
    REQUIRE(listed.exit_code == 0);
    const auto json = nlohmann::json::parse(listed.out);
    CHECK(json["schema"] == "certforge.ca-list/2");
    const auto& certificates = json["certificates"];
    REQUIRE(certificates.size() == 2);
    CHECK(certificates[0]["common_name"] == "a.example.com");
    CHECK(certificates[0]["source"] == "make");
    CHECK(certificates[0]["status"] == "valid");
    CHECK(certificates[0]["serial"] == serial_of(dir / "a" / "server.crt"));
    CHECK(certificates[0]["location"] == fs::canonical(dir / "a").string());
    CHECK(certificates[1]["common_name"] == "b.example.com");
    CHECK(certificates[1]["source"] == "ca sign");
    CHECK(certificates[1]["serial"] == serial_of(dir / "b.crt"));
    CHECK(certificates[1]["subject_alt_names"] == nlohmann::json::array({"dns:b.example.com"}));
    const auto fingerprint = run(
        {"openssl", "x509", "-in", (dir / "b.crt").string(), "-noout", "-fingerprint", "-sha256"});
    std::string hex;
    for (const char c : fingerprint.out.substr(fingerprint.out.find('=') + 1)) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    CHECK(certificates[1]["sha256"] == hex);

    // python3's sqlite3 reads the same rows, with the certificate DER.
    certforge::test::require_tool("/usr/bin/python3", "python3");
    const auto rows = run({"/usr/bin/python3", "-c",
                           "import sqlite3,sys,hashlib\n"
                           "for s,c in sqlite3.connect(sys.argv[1]).execute("
                           "\"SELECT serial, certificate FROM certificates "
                           "WHERE status = 'valid' ORDER BY sequence\"):\n"
                           "    print(s, hashlib.sha256(c).hexdigest())\n",
                           ca + "/ca.db"});
    INFO(rows.err);
    CHECK(rows.out == certificates[0]["serial"].get<std::string>() + " " +
                          certificates[0]["sha256"].get<std::string>() + "\n" +
                          certificates[1]["serial"].get<std::string>() + " " + hex + "\n");

    const auto expiring = run_certforge({"ca", "list", "--ca", ca, "--expiring", "30d"});
    INFO(expiring.err);
    CHECK(expiring.exit_code == 0);
    CHECK_THAT(expiring.out, Catch::Contains("a.example.com"));
    CHECK_THAT(expiring.out, !Catch::Contains("b.example.com"));
    const auto none = run_certforge({"ca", "list", "--ca", ca, "--expiring", "1h"});
    CHECK(none.out == "no certificates expiring within 1h\n");
    const auto replaced = run_certforge(
        {"ca", "init", "--profile", "default", "--name", "New CA", "--out", ca, "--force"});
    CHECK(replaced.exit_code == 3);
    CHECK(replaced.err == "certforge: error: " + ca +
                              "/ca.db records 3 certificates of the CA in " + ca +
                              "; a new CA must not inherit them: move the old CA folder "
                              "away first\n");
    const auto bad = run_certforge({"ca", "list", "--ca", ca, "--expiring", "soon"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "certforge: error: --expiring 'soon' is not a time span: use a number with "
                     "s, min, h, d, w, mo or y (a bare number is days), e.g. 30d\n");
    const auto minutes = run_certforge({"ca", "list", "--ca", ca, "--expiring", "3m"});
    CHECK(minutes.exit_code == 2);
    CHECK(minutes.err == "certforge: error: --expiring '3m' is ambiguous: write 3min for minutes "
                         "or 3mo for months\n");
    CHECK(run_certforge({"ca", "list", "--ca", ca, "--expiring", "90min"}).out ==
          "no certificates expiring within 90min\n");
    // Months and years: a.example.com ends within a year, and so does the
    // CA only when the window reaches its end.
    const auto year = run_certforge({"ca", "list", "--ca", ca, "--expiring", "1y"});
    CHECK(year.exit_code == 0);
    CHECK_THAT(year.out, Catch::Contains("a.example.com"));
    CHECK_THAT(run_certforge({"ca", "list", "--ca", ca, "--expiring", "2mo"}).out,
               Catch::Contains("a.example.com"));

    // --check: exit 1 when anything ends within the window, 0 otherwise.
    const auto due = run_certforge({"ca", "list", "--ca", ca, "--expiring", "30d", "--check"});
    CHECK(due.exit_code == 1);
    CHECK_THAT(due.out, Catch::Contains("a.example.com"));
    const auto quiet = run_certforge({"ca", "list", "--ca", ca, "--expiring", "1h", "--check"});
    CHECK(quiet.exit_code == 0);
    const auto ca_due =
        run_certforge({"ca", "list", "--ca", ca, "--expiring", "100y", "--check", "--json"});
    CHECK(ca_due.exit_code == 1);
    CHECK_THAT(ca_due.out, Catch::Contains("\"expiring\": true"));
    const auto unbounded = run_certforge({"ca", "list", "--ca", ca, "--check"});
    CHECK(unbounded.exit_code == 2);
    CHECK(unbounded.err == "certforge: error: --check needs --expiring: the window to check, "
                           "e.g. --expiring 30d\n");
}

TEST_CASE("ca ledger: revoke, then a CRL that openssl reads with the revoked serial",
          "[ca][ledger][crl]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    const char* profile = GENERATE("default", "konica-legacy");
    INFO("backend " << backend << ", CA profile " << profile);
    TempDir dir;
    const std::string ca = (dir / "ca").string();
    REQUIRE(run_certforge({"ca", "init", "--profile", profile, "--name", "CRL CA", "--out", ca,
                           "--backend", backend})
                .exit_code == 0);
    const std::map<std::string, std::string> env{{"PFX_PASSWORD", "secret"}};
    const std::string key =
        certforge::test::fixture_key(std::string(profile) == "default" ? "rsa2048" : "rsa1024")
            .string();
    for (const char* name : {"keep", "drop"}) {
        const auto made =
            run_certforge({"make", "--profile", profile, "--cn", std::string(name) + ".example.com",
                           "--ca", ca, "--key", key, "--out", (dir / name).string(),
                           "--password-env", "PFX_PASSWORD", "--backend", backend},
                          env);
        INFO(made.err);
        REQUIRE(made.exit_code == 0);
    }
    const std::string revoked = serial_of(dir / "drop" / "server.crt");
    const auto revoke =
        run_certforge({"ca", "revoke", "--ca", ca, revoked, "--reason", "keyCompromise"});
    INFO(revoke.err);
    REQUIRE(revoke.exit_code == 0);
    CHECK_THAT(revoke.out, Catch::Contains("revoked " + revoked +
                                           " (drop.example.com), reason "
                                           "key-compromise"));
    const auto twice = run_certforge({"ca", "revoke", "--ca", ca, revoked});
    CHECK(twice.exit_code == 3);
    CHECK_THAT(twice.err, Catch::Contains("certificate " + revoked + " was revoked already on"));
    const auto unknown = run_certforge({"ca", "revoke", "--ca", ca, "01:02:03"});
    CHECK(unknown.exit_code == 3);
    CHECK(unknown.err ==
          "certforge: error: no certificate with serial 010203 in " + ca + "/ca.db\n");
    const auto reason = run_certforge({"ca", "revoke", "--ca", ca, revoked, "--reason", "oops"});
    CHECK(reason.exit_code == 2);
    CHECK_THAT(reason.err, Catch::Contains("unknown revocation reason 'oops' (one of: "
                                           "unspecified, key-compromise,"));

    const auto crl = run_certforge({"ca", "crl", "--ca", ca, "--backend", backend});
    INFO(crl.err);
    REQUIRE(crl.exit_code == 0);
    const auto text = run(
        {"openssl", "crl", "-in", ca + "/crl.pem", "-CAfile", ca + "/ca.crt", "-noout", "-text"});
    INFO(text.out << text.err);
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.err + text.out, Catch::Contains("verify OK"));
    CHECK_THAT(text.out, Catch::Contains("Serial Number: " + revoked));
    CHECK_THAT(text.out, Catch::Contains("Key Compromise"));
    CHECK_THAT(text.out, Catch::Contains("X509v3 CRL Number: \n                1\n"));
    CHECK_THAT(text.out, Catch::Contains(std::string(profile) == "default"
                                             ? "Signature Algorithm: sha256WithRSAEncryption"
                                             : "Signature Algorithm: sha1WithRSAEncryption"));
    CHECK(text.out.find("Serial Number: " + serial_of(dir / "keep" / "server.crt")) ==
          std::string::npos);

    // openssl's own chain check with the CRL: the revoked one fails, the other passes.
    const std::vector<std::string> check{"openssl",      "verify",  "-auth_level",  "0",
                                         "-crl_check",   "-CAfile", ca + "/ca.crt", "-CRLfile",
                                         ca + "/crl.pem"};
    auto dropped = check;
    dropped.push_back((dir / "drop" / "server.crt").string());
    const auto refused = run(dropped);
    CHECK(refused.exit_code != 0);
    CHECK_THAT(refused.out + refused.err, Catch::Contains("certificate revoked"));
    auto kept = check;
    kept.push_back((dir / "keep" / "server.crt").string());
    const auto accepted = run(kept);
    INFO(accepted.out << accepted.err);
    CHECK(accepted.exit_code == 0);

    // The hint revoke printed works as printed: a CRL is replaced, since
    // it is a publication; a file that is not a CRL is not.
    const std::string hint = "certforge: note: publish the change: certforge ca crl --ca " + ca;
    CHECK_THAT(revoke.err, Catch::Contains(hint + "\n"));
    const auto again = run_certforge({"ca", "crl", "--ca", ca});
    INFO(again.err);
    CHECK(again.exit_code == 0);
    const auto second = run({"openssl", "crl", "-in", ca + "/crl.pem", "-noout", "-crlnumber"});
    CHECK(second.out == "crlNumber=0x02\n");
    const auto over_ca = run_certforge({"ca", "crl", "--ca", ca, "--out", ca + "/ca.crt"});
    CHECK(over_ca.exit_code == 3);
    CHECK_THAT(over_ca.err, Catch::Contains("(use --force to replace)"));
    REQUIRE(run_certforge({"ca", "crl", "--ca", ca, "--der", "--json"}).exit_code == 0);
    REQUIRE(run_certforge({"ca", "crl", "--ca", ca, "--der"}).exit_code == 0);
    const auto der =
        run({"openssl", "crl", "-inform", "DER", "-in", ca + "/crl.der", "-noout", "-crlnumber"});
    CHECK(der.out == "crlNumber=0x04\n");
}

TEST_CASE("ca ledger: every command refuses a ca.db that is no ledger, and leaves it alone",
          "[ca][ledger]") {
    TempDir dir;
    const fs::path ca = dir / "ca";
    REQUIRE(run_certforge(
                {"ca", "init", "--profile", "default", "--name", "Ledger CA", "--out", ca.string()})
                .exit_code == 0);
    const fs::path csr = dir / "b.csr";
    REQUIRE(run({"openssl", "req", "-new", "-key", certforge::test::fixture_key("rsa2048").string(),
                 "-subj", "/CN=b.example.com", "-addext", "subjectAltName=DNS:b.example.com",
                 "-out", csr.string()})
                .exit_code == 0);
    const fs::path sites = dir / "sites.csv";
    certforge::test::write_text(sites, "id,cn,profile\ns1,s1.example.com,default\n");

    const fs::path db = ca / "ca.db";
    const std::string kind = GENERATE("text", "sqlite");
    INFO("ca.db: " << kind);
    std::string message;
    if (kind == "text") {
        certforge::test::write_text(db, "serial,subject\n01,CN=a\n");
        message = "not a certforge ledger (not an SQLite database)";
    } else {
        fs::remove(db);
        certforge::test::SqliteDb(db, true).execute("CREATE TABLE jobs (id INTEGER, printer TEXT)");
        message = "not a certforge ledger (an SQLite database with other tables: jobs)";
    }
    const std::string before = certforge::test::read_text(db);
    const auto ca_files = certforge::test::listing(ca);
    const std::string expected =
        "certforge: error: " + db.string() + ": " + message + "; move it out of the CA folder\n";
    const std::string key = certforge::test::fixture_key("rsa2048").string();
    const std::vector<std::vector<std::string>> commands{
        {"ca", "list", "--ca", ca.string()},
        {"ca", "list", "--ca", ca.string(), "--json"},
        {"ca", "revoke", "--ca", ca.string(), "01"},
        {"ca", "crl", "--ca", ca.string()},
        {"ca", "status", "--ca", ca.string()},
        {"ca", "sign", "--ca", ca.string(), "--profile", "default", csr.string(), "--out",
         (dir / "b.crt").string()},
        {"make", "--profile", "default", "--cn", "a.example.com", "--ca", ca.string(), "--key", key,
         "--password-env", "PFX_PASSWORD", "--out", (dir / "a").string()},
        {"batch", sites.string(), "--ca", ca.string(), "--out", (dir / "out").string()},
        {"batch", sites.string(), "--ca", ca.string(), "--out", (dir / "out").string(),
         "--dry-run"},
    };
    for (const auto& command : commands) {
        INFO(command[0] << " " << command[1]);
        const auto refused = run_certforge(command, {{"PFX_PASSWORD", "secret"}});
        CHECK(refused.exit_code == 3);
        CHECK(refused.err == expected);
        CHECK(certforge::test::read_text(db) == before);
        CHECK(certforge::test::listing(ca) == ca_files);
    }
    CHECK(certforge::test::listing(dir.path()) ==
          std::vector<std::string>{"b.csr", "ca", "sites.csv"});
}
