// SPDX-License-Identifier: Apache-2.0
// SCEP below HTTP: the ledger's SCEP tables (the migration from a version 1
// ledger, challenges spent once, commit outcomes), the capabilities, the RA
// (read back by openssl), and ScepService::handle's routes, the challenge
// page and its token, and its answers to messages that are no SCEP. The
// protocol itself is tested against real clients in cli/cli_scep_test.cpp.
#include "certforge/backend_registry.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "certforge/scep_message.hpp"
#include "certforge/scep_service.hpp"
#include "support/ledger_place.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <fmt/format.h>

using namespace certforge;
using certforge::test::error_of;
using certforge::test::LedgerPlace;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::SqliteDb;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr UnixTime kNow = 1'800'000'000;

struct LedgerFolder {
    TempDir dir;
    LedgerFolder() { certforge::test::write_text(dir / "ca.crt", "placeholder\n"); }
};

LedgerEntry entry(const std::string& serial) {
    LedgerEntry e;
    e.serial = serial;
    e.common_name = "mfd-" + serial;
    e.profile = "default";
    e.source = "scep";
    e.location = "scep:127.0.0.1";
    e.sha256 = "sha-" + serial;
    e.issued_at = kNow;
    e.certificate_der = Bytes{0x30, 0x00};
    return e;
}

ScepDecision issued(const std::string& transaction, const std::string& serial,
                    const std::string& challenge_hash) {
    ScepDecision d;
    d.transaction.transaction_id = transaction;
    d.transaction.request_sha256 = "req-" + transaction + "-" + serial;
    d.transaction.status = ScepTransactionStatus::issued;
    d.transaction.profile = "default";
    d.transaction.request = Bytes{1, 2, 3};
    d.transaction.peer = "127.0.0.1";
    d.transaction.received_at = kNow;
    d.transaction.decided_at = kNow;
    d.transaction.serial = serial;
    d.certificate = entry(serial);
    d.challenge_secret_sha256 = challenge_hash;
    return d;
}

ScepChallenge challenge(const std::string& id, UnixTime expires, std::int64_t uses) {
    ScepChallenge c;
    c.id = id;
    c.profile = "default";
    c.created_at = kNow;
    c.expires_at = expires;
    c.uses_left = uses;
    return c;
}

std::vector<ScepCommitOutcome> outcomes(const std::vector<ScepCommitResult>& results) {
    std::vector<ScepCommitOutcome> out;
    for (const auto& r : results) {
        out.push_back(r.outcome);
    }
    return out;
}

} // namespace

TEST_CASE(
    "scep ledger: a version 1 ledger gains the SCEP and property tables and keeps its entries",
    "[scep][ledger]") {
    LedgerFolder folder;
    const fs::path db = folder.dir / "ca.db";
    {
        CaLedger ledger(folder.dir.path());
        ledger.record_pending(entry("0A"));
    }
    // What a certforge of schema version 1 left.
    SqliteDb(db).execute("DROP TABLE scep_challenges; DROP TABLE scep_transactions; "
                         "DROP TABLE properties; PRAGMA user_version = 1");
    {
        const CaLedger ledger(folder.dir.path());
        REQUIRE(ledger.find("0A"));
        CHECK(ledger.scep_transactions().empty());
    }
    const SqliteDb reader(db);
    CHECK(reader.query("PRAGMA user_version") == "3\n");
    CHECK(reader.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE "
                       "'scep%' ORDER BY name") == "scep_challenges\nscep_transactions\n");
    CHECK(reader.query("SELECT serial, status FROM certificates") == "0A|pending\n");
}

namespace {

void challenge_spent_once(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    ledger.add_scep_challenge(challenge("c1", kNow + 60, 2), "hash-two-uses", kNow);
    ledger.add_scep_challenge(challenge("c2", kNow + 60, 1), "hash-expiring", kNow);
    const auto found = ledger.find_scep_challenge("hash-two-uses");
    REQUIRE(found);
    CHECK(found->id == "c1");
    CHECK(found->uses_left == 2);
    CHECK_FALSE(ledger.find_scep_challenge("hash-unknown"));

    // Two uses in one transaction (one group commit), the third refused.
    auto results = ledger.commit_scep({issued("t1", "01", "hash-two-uses"),
                                       issued("t2", "02", "hash-two-uses"),
                                       issued("t3", "03", "hash-two-uses")},
                                      kNow);
    CHECK(outcomes(results) == std::vector{ScepCommitOutcome::committed,
                                           ScepCommitOutcome::committed,
                                           ScepCommitOutcome::challenge_spent});
    CHECK(ledger.find("01"));
    CHECK(ledger.find("02"));
    CHECK_FALSE(ledger.find("03"));
    CHECK(ledger.find_scep_challenge("hash-two-uses")->uses_left == 0);
    CHECK(ledger.find("01")->status == LedgerStatus::valid);

    // At the moment of expiry the challenge is spent.
    results = ledger.commit_scep({issued("t4", "04", "hash-expiring")}, kNow + 60);
    CHECK(outcomes(results) == std::vector{ScepCommitOutcome::challenge_spent});
    CHECK_FALSE(ledger.find("04"));
    CHECK(ledger.scep_transactions().size() == 2);

    // Spent and long-expired challenges are dropped when a new one is added.
    ledger.add_scep_challenge(challenge("c3", kNow + 2 * 86'400 + 60, 1), "hash-new",
                              kNow + 2 * 86'400);
    CHECK_FALSE(ledger.find_scep_challenge("hash-two-uses"));
    CHECK_FALSE(ledger.find_scep_challenge("hash-expiring"));
    CHECK(ledger.find_scep_challenge("hash-new"));
}

void decided_stays_decided(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    ledger.add_scep_challenge(challenge("c1", kNow + 60, 5), "hash", kNow);
    REQUIRE(outcomes(ledger.commit_scep({issued("t1", "01", "hash")}, kNow)) ==
            std::vector{ScepCommitOutcome::committed});
    // The same request again (a retry): nothing new, the first answer.
    auto again = issued("t1", "01", "hash");
    again.certificate = entry("05");
    again.transaction.serial = "05";
    const auto retry = ledger.commit_scep({again}, kNow).front();
    CHECK(retry.outcome == ScepCommitOutcome::already_decided);
    CHECK(retry.transaction.serial == "01");
    CHECK_FALSE(ledger.find("05"));
    CHECK(ledger.find_scep_challenge("hash")->uses_left == 4);

    // Pending, then issued: the challenge is spent when the request comes,
    // not again when it is approved.
    ScepDecision pending = issued("t2", "02", "hash");
    pending.transaction.status = ScepTransactionStatus::pending;
    pending.transaction.decided_at.reset();
    pending.transaction.serial.clear();
    pending.certificate.reset();
    REQUIRE(ledger.commit_scep({pending}, kNow).front().outcome == ScepCommitOutcome::committed);
    CHECK(ledger.find_scep_challenge("hash")->uses_left == 3);
    CHECK(ledger.scep_transactions(ScepTransactionStatus::pending).size() == 1);
    ScepDecision approved = issued("t2", "02", "hash");
    approved.transaction.request_sha256 = pending.transaction.request_sha256;
    approved.transaction.decided_at = kNow + 5;
    REQUIRE(ledger.commit_scep({approved}, kNow + 5).front().outcome ==
            ScepCommitOutcome::committed);
    CHECK(ledger.find_scep_challenge("hash")->uses_left == 3);
    const auto decided = ledger.latest_scep_transaction("t2");
    REQUIRE(decided);
    CHECK(decided->status == ScepTransactionStatus::issued);
    CHECK(decided->serial == "02");
    CHECK(decided->decided_at == kNow + 5);
    CHECK(ledger.scep_transactions(ScepTransactionStatus::pending).empty());

    // A renewal supersedes the certificate it replaces.
    ScepDecision renewal = issued("t3", "03", "");
    renewal.transaction.renewal = true;
    renewal.supersedes = "01";
    REQUIRE(ledger.commit_scep({renewal}, kNow).front().outcome == ScepCommitOutcome::committed);
    CHECK(ledger.find("01")->status == LedgerStatus::superseded);
    CHECK(ledger.find("03")->status == LedgerStatus::valid);
    CHECK(ledger.find_scep_transaction("t3", renewal.transaction.request_sha256)->renewal);

    // A duplicate serial fails the whole group's transaction: nothing of it stays.
    CHECK_THROWS_AS(ledger.commit_scep({issued("t4", "04", ""), issued("t5", "03", "")}, kNow),
                    InputError);
    CHECK_FALSE(ledger.find("04"));
    CHECK_FALSE(ledger.latest_scep_transaction("t4"));
}

} // namespace

TEST_CASE("scep ledger: a challenge is spent once per use, never after it expires",
          "[scep][ledger]") {
    challenge_spent_once(LedgerPlace());
}

TEST_CASE("scep ledger: a decided transaction stays decided, a pending one is decided once",
          "[scep][ledger]") {
    decided_stays_decided(LedgerPlace());
}

TEST_CASE("scep: capabilities, as GetCACaps lists them and --caps reads them", "[scep]") {
    CHECK(ScepCapabilities{}.text() ==
          "POSTPKIOperation\nRenewal\nSHA-256\nSHA-1\nAES\nDES3\nSHA-512\nSCEPStandard\n");
    CHECK(ScepCapabilities::parse("SHA-256,AES").text() == "SHA-256\nAES\nSHA-512\n");
    CHECK(ScepCapabilities::parse("POSTPKIOperation,SHA-256,AES,DES3").text() ==
          "POSTPKIOperation\nSHA-256\nAES\nDES3\nSHA-512\nSCEPStandard\n");
    CHECK(error_of([] { ScepCapabilities::parse("SHA-256,AES,MD5"); }) ==
          "UsageError: unknown SCEP capability 'MD5' (one of: POSTPKIOperation, Renewal, SHA-256, "
          "SHA-1, AES, "
          "DES3)");
    CHECK(error_of([] { ScepCapabilities::parse("AES,Renewal"); }) ==
          "UsageError: SCEP needs SHA-1 or SHA-256 among the capabilities");
    CHECK(error_of([] { ScepCapabilities::parse("SHA-1"); }) ==
          "UsageError: SCEP needs DES3 or AES among the capabilities");
}

#if CERTFORGE_TEST_WITH_OPENSSL

namespace {

struct ScepCa {
    TempDir dir;
    fs::path ca;
    ScepCa() : ca(dir / "ca") {
        REQUIRE(run_certforge({"ca", "init", "--profile", "default", "--name", "Unit SCEP CA",
                               "--out", ca.string()})
                    .exit_code == 0);
    }
};

ScepHttpRequest get(const std::string& path, const std::string& operation) {
    ScepHttpRequest r;
    r.method = "GET";
    r.path = path;
    r.operation = operation;
    r.peer = "127.0.0.1";
    r.peer_loopback = true;
    return r;
}

} // namespace

TEST_CASE("scep: the RA is made once, signed by the CA, for signing and key encipherment",
          "[scep]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepCa ca;
    Bytes first;
    {
        ScepServiceOptions options;
        options.ca_dir = ca.ca;
        const ScepService service(options);
        CHECK(service.ra().made);
        first = service.ra().certificate_der;
    }
    CHECK(certforge::test::mode_of(ca.ca / "scep-ra.key") == 0600);
    {
        ScepServiceOptions options;
        options.ca_dir = ca.ca;
        const ScepService service(options);
        CHECK_FALSE(service.ra().made);
        CHECK(service.ra().certificate_der == first);
    }
    const auto verified = run({"openssl", "verify", "-CAfile", (ca.ca / "ca.crt").string(),
                               (ca.ca / "scep-ra.crt").string()});
    CHECK(verified.exit_code == 0);
    const auto text = run({"openssl", "x509", "-in", (ca.ca / "scep-ra.crt").string(), "-noout",
                           "-ext", "keyUsage,basicConstraints", "-subject"});
    CHECK(text.out.find("X509v3 Key Usage: critical\n    Digital Signature, Key Encipherment") !=
          std::string::npos);
    CHECK(text.out.find("CA:FALSE") != std::string::npos);
    CHECK(text.out.find("subject=CN = Unit SCEP CA SCEP RA") != std::string::npos);
    // The ledger knows it.
    const CaLedger ledger(ca.ca);
    const auto entries = ledger.entries();
    REQUIRE(entries.size() == 1);
    CHECK(entries.front().source == "scep ra");
}

TEST_CASE("scep: routes, GetCACaps, GetCACert and what is no SCEP message", "[scep]") {
    certforge::test::require_tool("openssl", "openssl");
    ScepCa ca;
    ScepServiceOptions options;
    options.ca_dir = ca.ca;
    options.capabilities = ScepCapabilities::parse("SHA-256,AES,Renewal");
    ScepService service(options);

    auto response = service.handle(get("/certsrv/mscep/mscep.dll", "GetCACaps"));
    CHECK(response.status == 200);
    CHECK(response.content_type == "text/plain");
    CHECK(response.body == "Renewal\nSHA-256\nAES\nSHA-512\n");
    CHECK(response.log == "127.0.0.1 GET /certsrv/mscep/mscep.dll GetCACaps");

    // Cisco-style clients append to the path.
    response = service.handle(get("/scep/pkiclient.exe", "GetCACert"));
    CHECK(response.status == 200);
    CHECK(response.content_type == "application/x-x509-ca-ra-cert");
    certforge::test::write_text(ca.dir / "cacert.p7", response.body);
    const auto certs = run({"openssl", "pkcs7", "-inform", "DER", "-in",
                            (ca.dir / "cacert.p7").string(), "-print_certs", "-noout"});
    CHECK(certs.out == "subject=CN = Unit SCEP CA SCEP RA\nissuer=CN = Unit SCEP CA\n\n"
                       "subject=CN = Unit SCEP CA\nissuer=CN = Unit SCEP CA\n\n");

    CHECK(service.handle(get("/scepx", "GetCACaps")).status == 404);
    CHECK(service.handle(get("/", "GetCACaps")).status == 404);
    response = service.handle(get("/scep", "Get\x1b[31mCACaps"));
    CHECK(response.status == 400);
    CHECK(response.log == "127.0.0.1 GET /scep: unknown operation 'Get\\x1b[31mCACaps'");
    CHECK(service.handle(get("/scep", "")).status == 400);

    // PKIOperation: POST is off here, GET needs Base64, and bytes that are
    // no signed PKCS#7 are refused in one line.
    auto post = get("/scep", "PKIOperation");
    post.method = "POST";
    post.body = "hello";
    response = service.handle(post);
    CHECK(response.status == 405);
    auto bad = get("/scep", "PKIOperation");
    bad.message = "not base64!";
    CHECK(service.handle(bad).status == 400);
    bad.message = "aGVsbG8gd29ybGQ=";
    response = service.handle(bad);
    CHECK(response.status == 400);
    CHECK(response.log == "127.0.0.1 PKIOperation: refused: not a PKCS#7 signedData message");
    bad.message = std::string(90'000, 'A');
    response = service.handle(bad);
    CHECK(response.status == 400);
    CHECK(response.log == "127.0.0.1 PKIOperation: refused: the message is 67500 bytes, over "
                          "the limit of 65536");
    // A degenerate PKCS#7 (GetCACert's own answer) has no signer.
    bad.message = "";
    response = service.handle(get("/scep", "GetCACert"));
    auto replay = get("/scep", "PKIOperation");
    auto encoded = pem_encode("X", as_bytes(response.body));
    encoded = encoded.substr(encoded.find('\n') + 1);
    encoded = encoded.substr(0, encoded.find("-----END"));
    replay.message = encoded;
    response = service.handle(replay);
    CHECK(response.status == 400);
    CHECK(response.log ==
          "127.0.0.1 PKIOperation: refused: the message does not have exactly one signer");
}

TEST_CASE("scep: the challenge page, for loopback clients and token holders", "[scep]") {
    ScepCa ca;
    {
        ScepServiceOptions options;
        options.ca_dir = ca.ca;
        ScepService service(options);
        const auto response = service.handle(get("/certsrv/mscep_admin/", ""));
        CHECK(response.status == 404);
    }
    ScepServiceOptions options;
    options.ca_dir = ca.ca;
    options.admin_profile = "default";
    options.admin_token = SecureString("s3cret-token");
    ScepService service(options);
    auto request = get("/certsrv/mscep_admin/", "");
    auto response = service.handle(request);
    REQUIRE(response.status == 200);
    CHECK(response.content_type == "text/html; charset=UTF-8");
    const std::string marker = "The enrollment challenge password is: <B> ";
    const auto at = response.body.find(marker);
    REQUIRE(at != std::string::npos);
    const std::string secret = response.body.substr(at + marker.size(), 32);
    CHECK(secret.find_first_not_of("0123456789ABCDEF") == std::string::npos);
    CHECK(response.body.find("can be used only once and will expire within 60 minutes") !=
          std::string::npos);
    CHECK(response.log.find(secret) == std::string::npos);
    const auto backend = make_backend();
    const CaLedger ledger(ca.ca);
    const auto stored = ledger.find_scep_challenge(scep_secret_sha256(*backend, secret));
    REQUIRE(stored);
    CHECK(stored->profile == "default");
    CHECK(stored->uses_left == 1);
    CHECK(stored->expires_at - stored->created_at == 3600);
    CHECK(response.log ==
          "127.0.0.1 GET /certsrv/mscep_admin/: challenge " + stored->id + " for profile default");

    request.peer = "10.1.2.3";
    request.peer_loopback = false;
    response = service.handle(request);
    CHECK(response.status == 403);
    CHECK(response.log ==
          "10.1.2.3 GET /certsrv/mscep_admin/: challenge page refused (not loopback, no token)");
    request.authorization = "Bearer wrong";
    CHECK(service.handle(request).status == 403);
    request.authorization = "Bearer s3cret-token";
    CHECK(service.handle(request).status == 200);
    // "admin:s3cret-token" in Base64.
    request.authorization = "Basic YWRtaW46czNjcmV0LXRva2Vu";
    CHECK(service.handle(request).status == 200);
    request.authorization = "Basic YWRtaW46czNjcmV0LXRva2Vv";
    CHECK(service.handle(request).status == 403);
}

#endif

TEST_CASE("scep ledger: challenges and decisions, on PostgreSQL", "[scep][ledger][postgresql]") {
    const certforge::test::PostgresServer server;
    challenge_spent_once(LedgerPlace(server));
    decided_stays_decided(LedgerPlace(server));
}
