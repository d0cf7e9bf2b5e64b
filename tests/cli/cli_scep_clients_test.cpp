// SPDX-License-Identifier: Apache-2.0
// `certforge scep serve` under real clients and real stores: many
// enrollments at once (the Go client's load mode) and a server killed under
// them, certmonger enrolling and renewing, a CA whose ledger is in
// PostgreSQL and one whose key is on a PKCS#11 token. What was issued is
// read back by openssl, python3 and psql.
#include "support/postgres_server.hpp"
#include "support/scep_fixture.hpp"
#include "support/softhsm_token.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>
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
using certforge::test::TempDir;
namespace fs = std::filesystem;

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
    auto result = scep_client({"load", "-url", server.url(), "-challenge-file", challenge.string(),
                               "-n", "160", "-c", "16", "-dir", calm.string(), "-prefix", "calm"});
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
