// SPDX-License-Identifier: Apache-2.0
// `certforge scep serve` against SCEP clients nobody here wrote the
// protocol of: micromdm/scep's Go library (support/scep_client, on
// Debian's golang-github-micromdm-scep-dev) and certmonger. Enrollment with
// each cipher and digest over POST and GET on each backend, refusals
// (challenge wrong, spent, expired, bound to other names; a request the
// profile refuses; an algorithm the capabilities leave out), renewal and
// its refusals, a repeated message, manual approval with polling, bad
// input over HTTP, and the challenge page. Issued certificates are read
// back by openssl and `certforge verify`, and the ledger is read with
// SQLite's C API.
#include "support/postgres_server.hpp"
#include "support/softhsm_token.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <set>
#include <thread>

#if CERTFORGE_TEST_WITH_OPENSSL

using certforge::test::BackgroundProcess;
using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::RunResult;
using certforge::test::SqliteDb;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A CA folder and `certforge scep serve` on a free loopback port.
struct ScepServer {
    TempDir dir;
    fs::path ca;
    fs::path log;
    std::unique_ptr<BackgroundProcess> process;
    std::string base; // http://127.0.0.1:PORT
    int challenges = 0;

    // `init_extra`: more for ca init (--ledger).
    explicit ScepServer(const std::vector<std::string>& extra = {},
                        const std::string& profile = "default",
                        const std::vector<std::string>& init_extra = {})
        : ca(dir / "ca"), log(dir / "serve.log") {
        std::vector<std::string> init{"ca",     "init",         "--profile", profile,
                                      "--name", "SCEP Test CA", "--out",     ca.string()};
        init.insert(init.end(), init_extra.begin(), init_extra.end());
        REQUIRE(run_certforge(init).exit_code == 0);
        start(extra);
    }

    void start(const std::vector<std::string>& extra) {
        std::vector<std::string> argv{CERTFORGE_BINARY, "scep",     "serve",      "--ca",
                                      ca.string(),      "--listen", "127.0.0.1:0"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        process = std::make_unique<BackgroundProcess>(argv, log);
        const std::string line = process->first_line();
        const auto at = line.find("http://");
        REQUIRE(at != std::string::npos);
        base = line.substr(at, line.find("/certsrv") - at);
    }

    std::string url(const std::string& path = "/scep") const { return base + path; }

    // A challenge from `certforge scep challenge`, in a file for the client.
    fs::path challenge(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{"scep",      "challenge", "--ca",
                                      ca.string(), "--profile", "default"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto made = run_certforge(args);
        REQUIRE(made.exit_code == 0);
        REQUIRE(made.out.size() == 33);
        const fs::path file = dir / fmt::format("challenge-{}.txt", ++challenges);
        certforge::test::write_text(file, made.out);
        return file;
    }

    std::string query(const std::string& sql) const { return SqliteDb(ca / "ca.db").query(sql); }
};

RunResult client(const std::vector<std::string>& args) {
    if (!fs::exists(CERTFORGE_SCEP_CLIENT)) {
        FAIL("the Go SCEP client was not built: apt-get install golang-go "
             "golang-github-micromdm-scep-dev, then configure and build again");
    }
    std::vector<std::string> argv{CERTFORGE_SCEP_CLIENT};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

std::string key(const std::string& name) {
    return certforge::test::fixture_key(name).string();
}

// Enrolls CN with the client; returns its result.
RunResult enroll(const ScepServer& server, const std::string& cn, const fs::path& challenge,
                 const fs::path& out, const std::vector<std::string>& extra = {},
                 const std::string& key_name = "rsa2048") {
    std::vector<std::string> args{"enroll",
                                  "-url",
                                  server.url(),
                                  "-key",
                                  key(key_name),
                                  "-cn",
                                  cn,
                                  "-dns",
                                  cn,
                                  "-challenge-file",
                                  challenge.string(),
                                  "-out",
                                  out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return client(args);
}

void require_verified(const ScepServer& server, const fs::path& cert, const std::string& cn) {
    const auto verified =
        run({"openssl", "verify", "-CAfile", (server.ca / "ca.crt").string(), cert.string()});
    CHECK(verified.exit_code == 0);
    const auto text = run({"openssl", "x509", "-in", cert.string(), "-noout", "-subject", "-ext",
                           "subjectAltName,extendedKeyUsage"});
    CHECK(text.out.find("subject=CN = " + cn + "\n") != std::string::npos);
    CHECK(text.out.find("DNS:" + cn) != std::string::npos);
    CHECK(text.out.find("TLS Web Server Authentication") != std::string::npos);
    CHECK(run_certforge({"verify", "--profile", "default", cert.string()}).exit_code == 0);
}

std::string serial_of(const fs::path& cert) {
    const auto out = run({"openssl", "x509", "-in", cert.string(), "-noout", "-serial"}).out;
    return out.substr(7, out.size() - 8);
}

} // namespace

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
    auto result = client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                          first.string(), "-old-key", key("rsa2048"), "-cn", "r.example.test",
                          "-dns", "r.example.test", "-out", renewed.string()});
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
    result = client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                     first.string(), "-old-key", key("rsa2048"), "-cn", "r.example.test", "-dns",
                     "r.example.test", "-out", again.string()});
    CHECK(result.exit_code == 0);
    CHECK(serial_of(again) == new_serial);
    // The superseded certificate renews no more; the current one does not
    // renew other names; a certificate of another CA renews nothing.
    const fs::path third_key = server.dir / "third-key.pem";
    result =
        client({"renew", "-url", server.url(), "-key", third_key.string(), "-cert", first.string(),
                "-old-key", key("rsa2048"), "-cn", "r.example.test", "-dns", "r.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    result = client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                     renewed.string(), "-old-key", new_key.string(), "-cn", "other.example.test",
                     "-dns", "other.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    certforge::test::OpenSslCert foreign;
    foreign.subject = "/CN=r.example.test";
    const auto foreign_cert = certforge::test::openssl_cert(server.dir, "foreign", foreign);
    result = client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert",
                     foreign_cert.string(), "-old-key", key(foreign.key), "-cn", "r.example.test",
                     "-dns", "r.example.test"});
    CHECK(result.out == "failure: badRequest\n");
    // A revoked certificate renews nothing either.
    REQUIRE(run_certforge({"ca", "revoke", new_serial, "--ca", server.ca.string()}).exit_code == 0);
    result =
        client({"renew", "-url", server.url(), "-key", new_key.string(), "-cert", renewed.string(),
                "-old-key", new_key.string(), "-cn", "r.example.test", "-dns", "r.example.test"});
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
        const auto replay = client({"raw", "-url", server.url(), "-in", saved.string()});
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
    result = client({"poll", "-url", server.url(), "-key", key("rsa2048"), "-cn",
                     "wait.example.test", "-txid", txid, "-out", out.string()});
    CHECK(result.exit_code == 3);

    const auto approved = run_certforge({"scep", "approve", id, "--ca", server.ca.string()});
    REQUIRE(approved.exit_code == 0);
    CHECK(approved.out.find("approved " + id + ": issued serial ") == 0);
    result = client({"poll", "-url", server.url(), "-key", key("rsa2048"), "-cn",
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
    result = client({"poll", "-url", server.url(), "-key", key("rsa4096"), "-cn", "no.example.test",
                     "-txid", txid2});
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

namespace {

// Every certificate in `dir` is in the ledger, valid, with its own serial
// and SHA-256; the ledger has no serial twice. Prints "N certificates, M
// scep entries" or the first mismatch.
RunResult check_received(const ScepServer& server, const fs::path& dir) {
    const std::string script = R"py(
import hashlib, pathlib, sqlite3, ssl, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT serial, sha256, status FROM certificates WHERE source = 'scep'").fetchall()
serials = [r[0] for r in rows]
if len(serials) != len(set(serials)):
    sys.exit("a serial is in the ledger twice")
ledger = {r[0]: (r[1], r[2]) for r in rows}
files = sorted(pathlib.Path(sys.argv[2]).glob("*.pem"))
for f in files:
    der = ssl.PEM_cert_to_DER_cert(f.read_text())
    digest = hashlib.sha256(der).hexdigest()
    found = [s for s, (sha, status) in ledger.items() if sha == digest and status == "valid"]
    if len(found) != 1:
        sys.exit(f"{f.name} is not in the ledger as a valid certificate")
print(f"{len(files)} certificates, {len(rows)} scep entries")
)py";
    return run({"python3", "-c", script, (server.ca / "ca.db").string(), dir.string()});
}

} // namespace

TEST_CASE("scep: concurrent enrollments are each recorded once, and a server killed under load "
          "loses no certificate it sent",
          "[scep][cli]") {
    certforge::test::require_tool("python3", "python3");
    ScepServer server;
    const auto challenge = server.challenge({"--uses", "1000"});
    const fs::path calm = server.dir / "calm";
    auto result = client({"load", "-url", server.url(), "-challenge-file", challenge.string(), "-n",
                          "160", "-c", "16", "-dir", calm.string(), "-prefix", "calm"});
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.rfind("enrolled 160, failed 0, ", 0) == 0);
    result = check_received(server, calm);
    CHECK(result.err.empty());
    CHECK(result.out == "160 certificates, 160 scep entries\n");

    // Under load, SIGKILL; then a new server on the same CA.
    const fs::path killed = server.dir / "killed";
    BackgroundProcess load({CERTFORGE_SCEP_CLIENT, "load", "-url", server.url(), "-challenge-file",
                            challenge.string(), "-n", "400", "-c", "16", "-dir", killed.string(),
                            "-prefix", "killed"});
    // A loaded CI machine may take a while to get there.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        if (fs::exists(killed) &&
            std::distance(fs::directory_iterator(killed), fs::directory_iterator{}) >= 40) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    server.process->kill_now();
    const std::string summary = load.first_line();
    INFO(summary);
    CHECK(summary.find(", failed 0,") == std::string::npos);
    server.start({});
    result = check_received(server, killed);
    CHECK(result.err.empty());
    const auto received = std::distance(fs::directory_iterator(killed), fs::directory_iterator{});
    CHECK(received >= 40);
    CHECK(received < 400);
    CHECK(result.out.rfind(std::to_string(received) + " certificates, ", 0) == 0);
    // The restarted server serves on.
    CHECK(enroll(server, "after.example.test", challenge, server.dir / "after.pem").exit_code == 0);
}

TEST_CASE("scep: certmonger enrolls, then renews with its issued certificate", "[scep][cli]") {
    certforge::test::require_tool("openssl", "openssl");
    certforge::test::require_tool("/usr/lib/certmonger/certmonger-session", "certmonger");
    ScepServer server;
    const std::string secret = read_text(server.challenge()).substr(0, 32);
    const fs::path state = server.dir / "certmonger";
    for (const char* sub : {"cas", "requests", "local", "files"}) {
        fs::create_directories(state / sub);
    }
    const fs::path cert = state / "files" / "cert.pem";
    const fs::path script = server.dir / "certmonger.sh";
    certforge::test::write_text(
        script,
        fmt::format("set -e\n"
                    "getcert add-scep-ca -c certforge -u {}\n"
                    "getcert request -c certforge -I dev -k {} -f {} -N "
                    "CN=cm.example.test -D cm.example.test -L {} -w --wait-timeout=60\n"
                    "getcert list -i dev\n"
                    "cp {} {}.first\n"
                    "getcert resubmit -i dev -w --wait-timeout=60\n"
                    "getcert list -i dev\n",
                    server.url("/certsrv/mscep/mscep.dll"), (state / "files" / "key.pem").string(),
                    cert.string(), secret, cert.string(), cert.string()));
    const std::map<std::string, std::string> env{
        {"CERTMONGER_CONFIG_DIR", state.string()},
        {"CERTMONGER_TMPDIR", state.string()},
        {"CERTMONGER_REQUESTS_DIR", (state / "requests").string()},
        {"CERTMONGER_CAS_DIR", (state / "cas").string()},
        {"CERTMONGER_LOCAL_CA_DIR", (state / "local").string()}};
    const auto result = run({"timeout", "150", "/usr/lib/certmonger/certmonger-session", "-L", "-P",
                             (state / "socket").string(), "-n", "-c", "bash " + script.string()},
                            env);
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("status: MONITORING") != std::string::npos);
    CHECK(result.out.find("ca-error") == std::string::npos);
    const fs::path first = state / "files" / "cert.pem.first";
    require_verified(server, first, "cm.example.test");
    require_verified(server, cert, "cm.example.test");
    CHECK(serial_of(first) != serial_of(cert));
    CHECK(server.query("SELECT serial, status FROM certificates WHERE source = 'scep' ORDER BY "
                       "sequence") ==
          serial_of(first) + "|superseded\n" + serial_of(cert) + "|valid\n");
    CHECK(certforge::test::mode_of(state / "files" / "key.pem") == 0600);
}

TEST_CASE("scep: enrollments and their records on a PostgreSQL ledger", "[scep][cli][postgresql]") {
    certforge::test::require_tool("openssl", "openssl");
    const certforge::test::PostgresServer postgres;
    postgres.create_database("scep");
    ScepServer server({"--threads", "4"}, "default", {"--ledger", postgres.url("scep")});
    CHECK_FALSE(fs::exists(server.ca / "ca.db"));
    const auto challenge = server.challenge({"--uses", "2"});
    for (const std::string cn : {"mfd-1.example.com", "mfd-2.example.com"}) {
        const fs::path cert = server.dir / (cn + ".crt");
        const auto enrolled = enroll(server, cn, challenge, cert);
        INFO(enrolled.out << enrolled.err << read_text(server.log));
        REQUIRE(enrolled.exit_code == 0);
        require_verified(server, cert, cn);
    }
    CHECK(enroll(server, "mfd-3.example.com", challenge, server.dir / "mfd-3.crt").exit_code != 0);
    CHECK(postgres.psql("scep", "SELECT status, count(*) FROM scep_transactions GROUP BY status "
                                "ORDER BY status") == "issued|2\nrejected|1\n");
    CHECK(postgres.psql("scep", "SELECT source, count(*) FROM certificates GROUP BY source ORDER "
                                "BY source") == "scep|2\nscep ra|1\n");
    CHECK(postgres.psql("scep", "SELECT uses_left FROM scep_challenges") == "0\n");
}

TEST_CASE("scep: a CA whose key is on a PKCS#11 token signs the RA and the enrollments",
          "[scep][cli][pkcs11]") {
    const certforge::test::SoftHsmToken token;
    const std::string pin = token.pin_file().string();
    ScepServer server({"--pin-file", pin}, "default",
                      {"--ca-key", token.uri("scep-ca"), "--pin-file", pin});
    CHECK_FALSE(fs::exists(server.ca / "ca.key"));
    const auto ra = run({"openssl", "verify", "-CAfile", (server.ca / "ca.crt").string(),
                         (server.ca / "scep-ra.crt").string()});
    CHECK(ra.exit_code == 0);
    const fs::path cert = server.dir / "mfd.crt";
    const auto enrolled = enroll(server, "mfd.example.com", server.challenge(), cert);
    INFO(enrolled.out << enrolled.err << read_text(server.log));
    REQUIRE(enrolled.exit_code == 0);
    require_verified(server, cert, "mfd.example.com");
}

#endif
