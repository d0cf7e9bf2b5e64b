// SPDX-License-Identifier: Apache-2.0
// `certforge scep serve`, the protocol, against a SCEP client nobody here
// wrote the protocol of: micromdm/scep's Go library (support/scep_client,
// on Debian's golang-github-micromdm-scep-dev). Enrollment with each cipher
// and digest over POST and GET on each backend, refusals (challenge wrong,
// spent, expired, bound to other names; a request the profile refuses; an
// algorithm the capabilities leave out), renewal and its refusals, a
// repeated message, manual approval with polling, bad input over HTTP, and
// the challenge page. Issued certificates are read back by openssl and
// `certforge verify`, and the ledger is read with SQLite's C API.
// cli_scep_clients_test.cpp has the load, certmonger and the CAs whose
// ledger or key is elsewhere.
#include "support/scep_fixture.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <set>
#include <thread>

#if CERTFORGE_TEST_WITH_OPENSSL

using certforge::test::BackgroundProcess;
using certforge::test::enroll;
using certforge::test::read_text;
using certforge::test::require_verified;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::RunResult;
using certforge::test::scep_client;
using certforge::test::ScepServer;
using certforge::test::serial_of;
using certforge::test::SqliteDb;
using certforge::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("scep: micromdm's client enrolls with each cipher and digest over POST and GET, on "
          "each backend",
          "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    ScepServer server({"--backend", backend});
    const auto challenge = server.challenge({"--uses", "12"});
    std::set<std::string> serials;
    int n = 0;
    for (const std::string cipher : {"des3", "aes128", "aes256"}) {
        for (const std::string digest : {"sha1", "sha256"}) {
            for (const bool get : {false, true}) {
                const std::string cn = fmt::format("mfd{}.example.test", ++n);
                const fs::path out = server.dir / (cn + ".pem");
                std::vector<std::string> extra{"-cipher", cipher, "-digest", digest};
                if (get) {
                    extra.push_back("-get");
                }
                INFO(cipher << " " << digest << (get ? " GET" : " POST"));
                const auto enrolled = enroll(server, cn, challenge, out, extra);
                REQUIRE(enrolled.exit_code == 0);
                require_verified(server, out, cn);
                serials.insert(serial_of(out));
            }
        }
    }
    CHECK(serials.size() == 12);
    CHECK(server.query("SELECT count(*), count(DISTINCT serial) FROM certificates WHERE source = "
                       "'scep' AND status = 'valid' AND profile = 'default'") == "12|12\n");
    CHECK(server.query("SELECT status, count(*) FROM scep_transactions GROUP BY status") ==
          "issued|12\n");
    CHECK(server.query("SELECT uses_left FROM scep_challenges") == "0\n");
    // The secret is nowhere in the ledger or the log.
    const std::string secret = read_text(challenge).substr(0, 32);
    CHECK(read_text(server.ca / "ca.db").find(secret) == std::string::npos);
    CHECK(read_text(server.log).find(secret) == std::string::npos);
    // One log line per request.
    const std::string log = read_text(server.log);
    std::size_t issued = 0;
    for (auto at = log.find(": issued "); at != std::string::npos;
         at = log.find(": issued ", at + 1)) {
        ++issued;
    }
    CHECK(issued == 12);
}

TEST_CASE("scep: wrong, spent, expired and name-bound challenges, requests the profile refuses, "
          "algorithms left out",
          "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepServer server({"--caps", "SHA-256,AES,DES3,POSTPKIOperation"});
    const fs::path out = server.dir / "out.pem";

    const fs::path wrong = server.dir / "wrong.txt";
    certforge::test::write_text(wrong, "0123456789ABCDEF0123456789ABCDEF\n");
    auto result = enroll(server, "a.example.test", wrong, out);
    CHECK(result.exit_code == 2);
    CHECK(result.out == "failure: badRequest\n");

    const auto once = server.challenge();
    CHECK(enroll(server, "a.example.test", once, out).exit_code == 0);
    result = enroll(server, "b.example.test", once, out);
    CHECK(result.out == "failure: badRequest\n");

    const auto brief = server.challenge({"--valid", "1s"});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(enroll(server, "c.example.test", brief, out).out == "failure: badRequest\n");

    const auto bound =
        server.challenge({"--cn", "d.example.test", "--san", "dns:d.example.test", "--uses", "3"});
    CHECK(enroll(server, "e.example.test", bound, out).out == "failure: badRequest\n");
    // A 1024-bit key does not fit the default profile: refused, recorded
    // rejected, and the challenge keeps its use.
    CHECK(enroll(server, "d.example.test", bound, out, {}, "rsa1024").out ==
          "failure: badRequest\n");
    CHECK(enroll(server, "d.example.test", bound, out).exit_code == 0);
    require_verified(server, out, "d.example.test");
    CHECK(server.query("SELECT uses_left FROM scep_challenges WHERE common_name = "
                       "'d.example.test'") == "2\n");
    // Every refusal of a readable request is in the ledger; only the one the
    // profile refused keeps its request.
    CHECK(server.query("SELECT count(*), sum(length(request) > 0) FROM scep_transactions WHERE "
                       "status = 'rejected'") == "5|1\n");
    CHECK(server.query("SELECT reason FROM scep_transactions WHERE status = 'rejected' ORDER BY "
                       "received_at, rowid LIMIT 1") == "wrong challenge\n");

    // SHA-1 is not offered; single DES never is.
    const auto spare = server.challenge({"--uses", "5"});
    CHECK(enroll(server, "f.example.test", spare, out, {"-digest", "sha1"}).out ==
          "failure: badAlg\n");
    CHECK(enroll(server, "f.example.test", spare, out, {"-cipher", "des"}).out ==
          "failure: badAlg\n");
    CHECK(enroll(server, "f.example.test", spare, out, {"-cipher", "des3"}).exit_code == 0);

    const std::string log = read_text(server.log);
    for (const std::string expected :
         {"badRequest (wrong challenge)", " used up)", " expired)", "is for other names than",
          "refused: ", "badAlg (digest sha1 is off)",
          "badAlg (the envelope is encrypted with "
          "des-cbc, which SCEP here refuses)"}) {
        CHECK(log.find(expected) != std::string::npos);
    }
    CHECK(server.query("SELECT count(*) FROM certificates WHERE source = 'scep'") == "3\n");
}

TEST_CASE("scep: renewal signed by the current certificate, and what is refused", "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepServer server;
    const fs::path first = server.dir / "first.pem";
    REQUIRE(enroll(server, "r.example.test", server.challenge(), first).exit_code == 0);
    const fs::path renewed = server.dir / "renewed.pem";
    const fs::path new_key = server.dir / "new-key.pem";
    auto result =
        scep_client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                     first.string(), "-old-key", certforge::test::fixture_key("rsa2048").string(),
                     "-cn", "r.example.test", "-dns", "r.example.test", "-out", renewed.string()});
    REQUIRE(result.exit_code == 0);
    require_verified(server, renewed, "r.example.test");
    const std::string old_serial = serial_of(first);
    const std::string new_serial = serial_of(renewed);
    CHECK(old_serial != new_serial);
    CHECK(server.query("SELECT serial, status FROM certificates WHERE source = 'scep' ORDER BY "
                       "sequence") == old_serial + "|superseded\n" + new_serial + "|valid\n");
    CHECK(server.query("SELECT kind FROM scep_transactions ORDER BY received_at, rowid") ==
          "enroll\nrenewal\n");
    // The renewed certificate is for the new key.
    const auto pub = [](const std::string& args) {
        return run({"sh", "-c", args}).out;
    };
    CHECK(pub("openssl x509 -in " + renewed.string() + " -noout -pubkey") ==
          pub("openssl pkey -in " + new_key.string() + " -pubout"));

    // The same renewal again is a repeated message: the same certificate.
    const fs::path again = server.dir / "again.pem";
    result =
        scep_client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                     first.string(), "-old-key", certforge::test::fixture_key("rsa2048").string(),
                     "-cn", "r.example.test", "-dns", "r.example.test", "-out", again.string()});
    CHECK(result.exit_code == 0);
    CHECK(serial_of(again) == new_serial);
    // The superseded certificate renews no more; the current one does not
    // renew other names; a certificate of another CA renews nothing.
    const fs::path third_key = server.dir / "third-key.pem";
    result =
        scep_client({"renew", "-url", server.url(), "-key", third_key.string(), "-cert",
                     first.string(), "-old-key", certforge::test::fixture_key("rsa2048").string(),
                     "-cn", "r.example.test", "-dns", "r.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    result = scep_client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                          renewed.string(), "-old-key", new_key.string(), "-cn",
                          "other.example.test", "-dns", "other.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    certforge::test::OpenSslCert foreign;
    foreign.subject = "/CN=r.example.test";
    const auto foreign_cert = certforge::test::openssl_cert(server.dir, "foreign", foreign);
    result = scep_client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                          foreign_cert.string(), "-old-key",
                          certforge::test::fixture_key(foreign.key).string(), "-cn",
                          "r.example.test", "-dns", "r.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    // A revoked certificate renews nothing either.
    REQUIRE(run_certforge({"ca", "revoke", new_serial, "--ca", server.ca.string()}).exit_code == 0);
    result = scep_client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                          renewed.string(), "-old-key", new_key.string(), "-cn", "r.example.test",
                          "-dns", "r.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    const std::string log = read_text(server.log);
    for (const std::string expected :
         {"signed by a certificate that is superseded", "asks for other names",
          "RenewalReq signed by a certificate this CA did not issue",
          "signed by a certificate that is revoked"}) {
        CHECK(log.find(expected) != std::string::npos);
    }
    CHECK(server.query("SELECT count(*) FROM certificates WHERE source = 'scep'") == "2\n");
}

TEST_CASE("scep: a repeated message gets the same certificate, recorded once", "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepServer server;
    const fs::path saved = server.dir / "request.der";
    const fs::path out = server.dir / "out.pem";
    REQUIRE(enroll(server, "once.example.test", server.challenge(), out, {"-save", saved.string()})
                .exit_code == 0);
    for (int i = 0; i < 3; ++i) {
        const auto replay = scep_client({"raw", "-url", server.url(), "-in", saved.string()});
        CHECK(replay.exit_code == 0);
        CHECK(replay.out.find("http: 200\npkiStatus: SUCCESS") == 0);
    }
    CHECK(server.query("SELECT count(*) FROM certificates WHERE source = 'scep'") == "1\n");
    CHECK(server.query("SELECT count(*) FROM scep_transactions") == "1\n");
    CHECK(read_text(server.log).find("(a repeated request)") != std::string::npos);
}

TEST_CASE("scep: manual approval answers PENDING until approved or rejected", "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepServer server({"--approve", "manual"});
    const auto challenge = server.challenge({"--uses", "2"});
    const fs::path out = server.dir / "out.pem";
    auto result = enroll(server, "wait.example.test", challenge, out);
    CHECK(result.exit_code == 3);
    CHECK(result.out.rfind("pending: ", 0) == 0);
    const std::string txid = result.out.substr(9, result.out.size() - 10);

    auto listed =
        run_certforge({"scep", "requests", "--ca", server.ca.string(), "--status", "pending"});
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.out.find("CN=wait.example.test") != std::string::npos);
    const std::string id = listed.out.substr(0, 8);
    // Polling while pending: still pending.
    result = scep_client({"poll", "-url", server.url(), "-key",
                          certforge::test::fixture_key("rsa2048").string(), "-cn",
                          "wait.example.test", "-txid", txid, "-out", out.string()});
    CHECK(result.exit_code == 3);

    const auto approved = run_certforge({"scep", "approve", id, "--ca", server.ca.string()});
    REQUIRE(approved.exit_code == 0);
    CHECK(approved.out.find("approved " + id + ": issued serial ") == 0);
    result = scep_client({"poll", "-url", server.url(), "-key",
                          certforge::test::fixture_key("rsa2048").string(), "-cn",
                          "wait.example.test", "-txid", txid, "-out", out.string()});
    REQUIRE(result.exit_code == 0);
    require_verified(server, out, "wait.example.test");
    // A client that polls by sending its PKCSReq again, signed with a new
    // self-signed certificate (as certmonger does), gets the same one.
    const fs::path resent = server.dir / "resent.pem";
    CHECK(enroll(server, "wait.example.test", challenge, resent).exit_code == 0);
    CHECK(serial_of(resent) == serial_of(out));
    CHECK(server.query("SELECT count(*) FROM certificates WHERE source = 'scep'") == "1\n");
    CHECK(run_certforge({"scep", "approve", id, "--ca", server.ca.string()}).err ==
          "certforge: error: no pending SCEP request has id " + id + "\n");

    // Rejected: the device's next poll fails.
    result = enroll(server, "no.example.test", challenge, out, {}, "rsa4096");
    CHECK(result.exit_code == 3);
    const std::string txid2 = result.out.substr(9, result.out.size() - 10);
    listed = run_certforge({"scep", "requests", "--ca", server.ca.string(), "--status", "pending"});
    REQUIRE(listed.out.size() > 8);
    const auto rejected = run_certforge({"scep", "reject", listed.out.substr(0, 8), "--ca",
                                         server.ca.string(), "--reason", "unknown device"});
    CHECK(rejected.exit_code == 0);
    result = scep_client({"poll", "-url", server.url(), "-key",
                          certforge::test::fixture_key("rsa4096").string(), "-cn",
                          "no.example.test", "-txid", txid2});
    CHECK(result.out == "failure: badRequest\n");
    CHECK(server.query("SELECT status, reason FROM scep_transactions ORDER BY received_at, "
                       "rowid") == "issued|\nrejected|unknown device\n");
    CHECK(run_certforge({"scep", "approve", "zz", "--ca", server.ca.string()}).exit_code == 2);
}

TEST_CASE("scep: bad input over HTTP is refused in one log line and the server keeps serving",
          "[scep][cli]") {
    certforge::test::require_tool("python3", "python3");
    ScepServer server({"--timeout", "1"});
    const std::string script = R"py(
import socket, sys, time, urllib.request, urllib.error
base = sys.argv[1]
host, port = base[len("http://"):].split(":")
def status(url, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
print(status(base + "/scep?operation=PKIOperation", b"\x30\x03\x02\x01\x00"))
print(status(base + "/scep?operation=PKIOperation", b"A" * 70000))
print(status(base + "/scep?operation=Nope"))
print(status(base + "/nowhere?operation=GetCACaps"))
print(status(base + "/scep?operation=PKIOperation&message=%%%"))
s = socket.create_connection((host, int(port)))
s.sendall(b"GET /scep?operation=GetCA")
start = time.time()
s.settimeout(10)
closed = s.recv(100) == b""
print("slow client cut" if closed and time.time() - start < 5 else "slow client kept")
print(status(base + "/scep?operation=GetCACaps"))
)py";
    const auto result = run({"python3", "-c", script, server.base});
    CHECK(result.out == "400\n413\n400\n404\n400\nslow client cut\n200\n");
    const std::string log = read_text(server.log);
    CHECK(log.find("PKIOperation: refused: not a PKCS#7 signedData message\n") !=
          std::string::npos);
    CHECK(log.find("refused: the body is over 65536 bytes\n") != std::string::npos);
    CHECK(log.find("unknown operation 'Nope'\n") != std::string::npos);
    CHECK(log.find("not a SCEP path\n") != std::string::npos);
}

TEST_CASE("scep: the challenge page hands out a challenge that enrolls once", "[scep][cli]") {
    certforge::test::require_tool("python3", "python3");
    ScepServer server({"--admin-profile", "default"});
    const auto page = run({"python3", "-c",
                           "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], "
                           "timeout=10).read().decode())",
                           server.url("/certsrv/mscep_admin/")});
    REQUIRE(page.exit_code == 0);
    const std::string marker = "challenge password is: <B> ";
    const auto at = page.out.find(marker);
    REQUIRE(at != std::string::npos);
    const fs::path file = server.dir / "page-challenge.txt";
    certforge::test::write_text(file, page.out.substr(at + marker.size(), 32) + "\n");
    const fs::path out = server.dir / "out.pem";
    CHECK(enroll(server, "page.example.test", file, out).exit_code == 0);
    CHECK(enroll(server, "page2.example.test", file, out).out == "failure: badRequest\n");
}

#endif
