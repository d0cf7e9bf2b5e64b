// SPDX-License-Identifier: Apache-2.0
// The CA ledger (ca.db): opening and making it, recording, settling and
// reconciling entries, the filters of ca list, revocation, CRL numbers and
// templates (read back by openssl from CRLs each backend signs), duplicate
// serials, files that are no ledger or fail SQLite's quick_check (made and
// read with SQLite's C API in the test, not certforge's code), and two
// ledgers on one folder at once.
#include "certforge/backend_registry.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "ledger_scenarios.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <fmt/format.h>
#include <functional>
#include <numeric>
#include <set>
#include <thread>

using namespace certforge;
using namespace certforge::test;
namespace fs = std::filesystem;

TEST_CASE("ledger: device certificates share their folder's fate", "[ledger]") {
    companions_share_their_folders_fate(LedgerPlace());
}

namespace {

std::string pseudo_random_bytes(std::size_t size) {
    std::string out(size, '\0');
    std::uint32_t state = 2024;
    for (char& c : out) {
        state = state * 1664525u + 1013904223u;
        c = static_cast<char>(state >> 24);
    }
    return out;
}

} // namespace

TEST_CASE("ledger: a ca.db that is no certforge ledger is refused in one line and left alone",
          "[ledger]") {
    TempDir dir;
    certforge::test::write_text(dir / "ca.crt", "placeholder: the ledger needs a CA folder\n");
    const fs::path db = dir / "ca.db";
    {
        CaLedger ledger(dir.path());
        for (int i = 1; i <= 60; ++i) {
            auto e = entry(fmt::format("{:02X}", i), "/sites/a", "aa", 100);
            e.certificate_der = Bytes(1500, static_cast<std::uint8_t>(i));
            ledger.record_pending(e);
        }
    }
    REQUIRE_FALSE(fs::exists(dir / "ca.db-wal"));
    const std::string real = read_text(db);
    REQUIRE(real.size() > 90'000);
    const std::string file = db.string();
    const std::string foreign = "not a certforge ledger (";
    const std::string move = "); move it out of the CA folder";

    const auto expect = [&](const std::string& what, const std::string& message) {
        INFO(what);
        const std::string before = read_text(db);
        try {
            CaLedger ledger(dir.path());
            FAIL("opened " << what);
        } catch (const InputError& e) {
            CHECK(std::string(e.what()) == file + ": " + message);
        }
        CHECK(read_text(db) == before);
        fs::remove(dir / "ca.db-wal");
        fs::remove(dir / "ca.db-shm");
    };

    certforge::test::write_text(db, pseudo_random_bytes(8192));
    expect("random bytes", foreign + "not an SQLite database" + move);
    certforge::test::write_text(db, "serial,subject\n01,CN=a\n");
    expect("a text file", foreign + "not an SQLite database" + move);
    certforge::test::write_text(db, real.substr(0, real.size() / 2));
    expect("half a ledger",
           "damaged SQLite file (database disk image is malformed); restore it from a backup");
    certforge::test::write_text(db, real.substr(0, 60));
    expect("a ledger's first 60 bytes",
           "damaged SQLite file (database disk image is malformed); restore it from a backup");

    std::string scribbled = real;
    for (std::size_t i = 3 * 4096; i < 3 * 4096 + 64; ++i) {
        scribbled[i] = static_cast<char>(0xA5);
    }
    certforge::test::write_text(db, scribbled);
    {
        INFO("a ledger with a page overwritten");
        try {
            CaLedger ledger(dir.path());
            FAIL("opened a ledger with a page overwritten");
        } catch (const InputError& e) {
            const std::string what = e.what();
            CHECK_THAT(what, Catch::StartsWith(file + ": damaged SQLite file (") &&
                                 Catch::EndsWith("); restore it from a backup"));
            CHECK(what.find('\n') == std::string::npos);
        }
        CHECK(read_text(db) == scribbled);
    }

    fs::remove(db);
    SqliteDb(db, true).execute("CREATE TABLE customers (id INTEGER, name TEXT);"
                               "CREATE TABLE orders (id INTEGER);"
                               "INSERT INTO customers VALUES (1, 'a')");
    expect("another program's database",
           foreign + "an SQLite database with other tables: customers, orders" + move);

    fs::remove(db);
    SqliteDb(db, true).execute("CREATE TABLE certificates (id INTEGER, pem TEXT);"
                               "CREATE TABLE counters (name TEXT, value INTEGER);"
                               "PRAGMA user_version = 1");
    expect("another program's certificates table",
           foreign + "its certificates table has no column sequence" + move);

    fs::remove(db);
    SqliteDb(db, true).execute("PRAGMA user_version = 7");
    expect("an empty database of another program",
           foreign + "an SQLite database of user_version 7 without tables" + move);

    certforge::test::write_text(db, real);
    SqliteDb(db).execute("PRAGMA user_version = 4");
    expect("a ledger of a newer certforge",
           "ledger schema version 4 is newer than this certforge knows (3); upgrade certforge");

    certforge::test::write_text(db, "");
    {
        CaLedger ledger(dir.path());
        ledger.record_pending(entry("01", "/sites/a", "aa", 100));
    }
    certforge::test::write_text(db, real);
    CHECK(CaLedger(dir.path()).entries().size() == 60);
}

namespace {

// A folder that CaLedger takes for a CA folder: the ledger only looks for
// ca.crt, so its content does not matter here.
struct LedgerFolder {
    TempDir dir;
    LedgerFolder() { certforge::test::write_text(dir / "ca.crt", "placeholder\n"); }
    fs::path db() const { return dir / "ca.db"; }
};

} // namespace

TEST_CASE("ledger: opening needs a CA folder, the first open makes an empty ledger", "[ledger]") {
    TempDir dir;
    CHECK(message_of([&] { CaLedger ledger(dir.path()); }) ==
          dir.path().string() + " is not a CA folder (no ca.crt); make one with 'certforge ca "
                                "init'");
    CHECK(certforge::test::listing(dir.path()).empty());

    certforge::test::write_text(dir / "ca.crt", "placeholder\n");
    {
        CaLedger ledger(dir.path());
        CHECK(ledger.name() == path_text(dir / "ca.db"));
        CHECK(ledger.entries().empty());
        CHECK_FALSE(ledger.find("01"));
    }
    // What another SQLite reader sees: a schema version and WAL journaling,
    // as ledger_schema.hpp says; nothing left beside ca.db once closed.
    CHECK(certforge::test::listing(dir.path()) == std::vector<std::string>{"ca.crt", "ca.db"});
    {
        const SqliteDb db(dir / "ca.db");
        CHECK(db.query("PRAGMA user_version") == "3\n");
        CHECK(db.query("PRAGMA journal_mode") == "wal\n");
        CHECK(db.query("SELECT count(*) FROM certificates") == "0\n");
    }
    // Reopening an existing ledger changes nothing in it.
    const std::string before = read_text(dir / "ca.db");
    { CaLedger again(dir.path()); }
    CHECK(read_text(dir / "ca.db") == before);

    // A ca.db that SQLite cannot open at all (a folder in its place).
    TempDir other;
    certforge::test::write_text(other / "ca.crt", "placeholder\n");
    fs::create_directory(other / "ca.db");
    CHECK(message_of([&] { CaLedger ledger(other.path()); }) ==
          "cannot open the CA ledger " + (other / "ca.db").string() +
              ": unable to open database file");
}

TEST_CASE("ledger: an entry comes back field for field, found by any spelling of its serial",
          "[ledger]") {
    entry_round_trips(LedgerPlace());
}

TEST_CASE("ledger: a certificate's entry says what the certificate says, on each backend",
          "[ledger]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    TempDir dir;
    certforge::test::OpenSslCert spec;
    spec.subject = "/O=Print Corp/CN=print.corp.local";
    spec.serial = "0x00ab12";
    spec.extensions.front() = "subjectAltName=DNS:print.corp.local,IP:10.1.2.3,IP:2001:db8::1";
    const auto pem = certforge::test::openssl_cert(dir, "leaf", spec);
    const CertInfo info = backend->parse_certificate(certforge::test::der_of(pem), pem.string());

    const LedgerEntry made = make_ledger_entry(info, "default", "make", "", "/out", 1'700'000'000);
    CHECK(made.serial == "AB12");
    CHECK(made.common_name == "print.corp.local");
    CHECK(made.subject_alt_names ==
          std::vector<std::string>{"dns:print.corp.local", "ip:10.1.2.3", "ip:2001:db8::1"});
    CHECK(made.status == LedgerStatus::pending);
    CHECK(made.certificate_der == certforge::test::der_of(pem));
    // Subject, fingerprint and validity as the openssl command line reads them.
    const auto shown = certforge::test::run(
        {"openssl", "x509", "-in", pem.string(), "-noout", "-fingerprint", "-sha256", "-startdate",
         "-enddate", "-dateopt", "iso_8601", "-subject", "-nameopt", "RFC2253"});
    INFO(shown.out << shown.err);
    REQUIRE(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::Contains("subject=" + made.subject + "\n"));
    std::string fingerprint;
    for (const char c : shown.out.substr(0, shown.out.find('\n'))) {
        if (std::isxdigit(static_cast<unsigned char>(c))) {
            fingerprint += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    CHECK(made.sha256 == fingerprint.substr(fingerprint.size() - 64));
    CHECK_THAT(shown.out, Catch::Contains("notBefore=" + format_utc(made.not_before).substr(0, 10) +
                                          " " + format_utc(made.not_before).substr(11, 8) + "Z"));
    CHECK_THAT(shown.out, Catch::Contains("notAfter=" + format_utc(made.not_after).substr(0, 10) +
                                          " " + format_utc(made.not_after).substr(11, 8) + "Z"));
}

TEST_CASE("ledger: a serial is recorded once, a refused set records nothing", "[ledger]") {
    serial_recorded_once(LedgerPlace());
}

TEST_CASE("ledger: delivery supersedes the folder's last certificate, settling changes only "
          "pending entries",
          "[ledger]") {
    delivery_supersedes(LedgerPlace());
}

TEST_CASE("ledger: deliver_recorded marks valid what landed, abandoned what did not", "[ledger]") {
    deliver_recorded_settles(LedgerPlace());
}

TEST_CASE("ledger: entries filters by status, expiry, site, folder and bundle, in issuance "
          "order",
          "[ledger]") {
    entries_filter(LedgerPlace());
}

TEST_CASE("ledger: revoke once, with its reason and time", "[ledger]") {
    revoke_once(LedgerPlace());
}

TEST_CASE("ledger: statuses and serials by name", "[ledger]") {
    for (const auto status : {LedgerStatus::pending, LedgerStatus::valid, LedgerStatus::superseded,
                              LedgerStatus::revoked, LedgerStatus::abandoned}) {
        CHECK(ledger_status_from_name(to_string(status)) == status);
    }
    CHECK(to_string(LedgerStatus::superseded) == "superseded");
    CHECK(message_of([] { ledger_status_from_name("Valid"); }) ==
          "unknown status 'Valid' (one of: pending, valid, superseded, revoked, abandoned)");
    CHECK_THROWS_AS(ledger_status_from_name("Valid"), UsageError);

    CHECK(normalize_serial("0a:bc:de") == "0ABCDE");
    CHECK(normalize_serial("ABCDE") == "0ABCDE");
    CHECK(normalize_serial("00:00:7f") == "7F");
    CHECK(normalize_serial("0") == "00");
    CHECK(message_of([] { normalize_serial("12 34"); }) == "'12 34' is not a serial number in hex");
    CHECK_THROWS_AS(normalize_serial("0x12"), UsageError);
}

TEST_CASE("ledger: CRL numbers count from 1 in the ledger, across opens", "[ledger][crl]") {
    crl_numbers_count(LedgerPlace());
}

TEST_CASE("ledger: the CRL template numbers, dates and sorts the revoked serials",
          "[ledger][crl]") {
    auto revoked = [](const std::string& serial, std::optional<UnixTime> when,
                      RevocationReason reason) {
        LedgerEntry e = entry(serial, "/a", "x", 1);
        e.status = LedgerStatus::revoked;
        e.revoked_at = when;
        e.revocation_reason = reason;
        return e;
    };
    const auto crl = make_crl_template({revoked("0100", 50, RevocationReason::superseded),
                                        revoked("7F", std::nullopt, RevocationReason::unspecified),
                                        revoked("00FF", 70, RevocationReason::key_compromise),
                                        revoked("0101", 80, RevocationReason::aa_compromise)},
                                       258, HashAlgorithm::sha1, 1'000'000, 7);
    CHECK(crl.this_update == 1'000'000);
    CHECK(crl.next_update == 1'000'000 + 7 * 86400);
    CHECK(crl.signature_hash == HashAlgorithm::sha1);
    CHECK(crl.crl_number == Bytes{0x01, 0x02});
    REQUIRE(crl.revoked.size() == 4);
    // By value: 0x7F < 0xFF < 0x100 < 0x101, whatever the leading zeros.
    CHECK(crl.revoked[0].serial == Bytes{0x7f});
    CHECK(crl.revoked[0].revoked_at == 1'000'000);
    CHECK(crl.revoked[1].serial == Bytes{0x00, 0xff});
    CHECK(crl.revoked[1].reason == RevocationReason::key_compromise);
    CHECK(crl.revoked[2].serial == Bytes{0x01, 0x00});
    CHECK(crl.revoked[2].revoked_at == 50);
    CHECK(crl.revoked[3].serial == Bytes{0x01, 0x01});
    CHECK(crl.revoked[3].reason == RevocationReason::aa_compromise);

    CHECK(make_crl_template({}, 1, HashAlgorithm::sha256, 0, 1).crl_number == Bytes{0x01});
    CHECK(make_crl_template({}, 0, HashAlgorithm::sha256, 0, 1).crl_number == Bytes{0x00});
    CHECK(make_crl_template({}, 0x0100000000000000, HashAlgorithm::sha256, 0, 1).crl_number ==
          Bytes{0x01, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("ledger: CRL numbers as openssl reads them from a CRL each backend signs",
          "[ledger][crl]") {
    certforge::test::require_tool("openssl", "openssl");
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    TempDir dir;
    const PrivateKey key = certforge::test::fixture_private_key("rsa2048");
    const Profile profile = certforge::test::shipped_profile("default");
    CaRequest request;
    request.subject.common_name = "CRL CA";
    const Bytes ca = backend->sign_certificate(
        ca_template(profile, request, Bytes{0x01}, 1'700'000'000), key, std::nullopt);
    certforge::test::write_text(dir / "ca.crt", pem_encode("CERTIFICATE", ca));
    LedgerEntry gone = entry("00A0", "/a", "x", 1);
    gone.revoked_at = 1'700'000'100;
    gone.revocation_reason = RevocationReason::cessation_of_operation;
    // 128 and 32768 need a leading zero byte in DER to stay positive.
    for (const std::uint64_t number : {std::uint64_t{1}, std::uint64_t{128}, std::uint64_t{32768},
                                       std::uint64_t{0x123456789a}}) {
        INFO("CRL number " << number);
        const Bytes der = backend->sign_crl(
            make_crl_template({gone}, number, HashAlgorithm::sha256, 1'700'000'000, 7), {ca, key});
        const fs::path file = dir / "crl.der";
        certforge::test::write_text(file, std::string(der.begin(), der.end()));
        const auto shown = certforge::test::run(
            {"openssl", "crl", "-inform", "DER", "-in", file.string(), "-CAfile",
             (dir / "ca.crt").string(), "-noout", "-crlnumber", "-text"});
        INFO(shown.out << shown.err);
        CHECK(shown.exit_code == 0);
        CHECK_THAT(shown.err + shown.out, Catch::Contains("verify OK"));
        CHECK_THAT(shown.out, Catch::StartsWith(fmt::format("crlNumber=0x{:02X}\n", number)));
        CHECK_THAT(shown.out, Catch::Contains("Serial Number: A0\n"));
        CHECK_THAT(shown.out, Catch::Contains("Cessation Of Operation"));
    }
}

TEST_CASE("ledger: a ca.db with the wrong tables, or failing SQLite's quick_check, is refused",
          "[ledger]") {
    LedgerFolder folder;
    const fs::path db = folder.db();
    const auto refused = [&] {
        const std::string before = read_text(db);
        const std::string what = message_of([&] { CaLedger ledger(folder.dir.path()); });
        CHECK(read_text(db) == before);
        fs::remove(fs::path(db.string() + "-wal"));
        fs::remove(fs::path(db.string() + "-shm"));
        return what;
    };
    const std::string prefix = db.string() + ": not a certforge ledger (";
    const std::string move = "); move it out of the CA folder";

    SqliteDb(db, true).execute("CREATE TABLE a (x); CREATE TABLE b (x); CREATE TABLE c (x);"
                               "CREATE TABLE d (x); CREATE TABLE e (x); CREATE TABLE f (x);"
                               "CREATE TABLE g (x)");
    CHECK(refused() ==
          prefix + "an SQLite database with other tables: a, b, c, d, e, and 2 more" + move);

    fs::remove(db);
    { CaLedger ledger(folder.dir.path()); }
    SqliteDb(db).execute("DROP TABLE counters");
    CHECK(refused() == prefix + "it has no counters table" + move);

    fs::remove(db);
    { CaLedger ledger(folder.dir.path()); }
    SqliteDb(db).execute("DROP TABLE counters; CREATE TABLE counters (name TEXT PRIMARY KEY)");
    CHECK(refused() == prefix + "its counters table has no column value" + move);

    // A ledger of a newer certforge that has no certificates table is not
    // taken for one.
    fs::remove(db);
    SqliteDb(db, true).execute("CREATE TABLE jobs (x); PRAGMA user_version = 2");
    CHECK(refused() == prefix + "an SQLite database with other tables: jobs" + move);

    // Structure intact, content breaking the table's CHECK constraint: only
    // quick_check sees it.
    fs::remove(db);
    {
        CaLedger ledger(folder.dir.path());
        ledger.record_pending(entry("01", "/a", "a", 1));
    }
    SqliteDb(db).execute("PRAGMA ignore_check_constraints = ON;"
                         "UPDATE certificates SET status = 'lost'");
    CHECK(refused() == db.string() +
                           ": damaged SQLite file (quick_check: CHECK constraint failed in "
                           "certificates); restore it from a backup");
}

TEST_CASE("ledger: two ledgers on one CA folder, in two threads, lose and double nothing",
          "[ledger]") {
    two_threads(LedgerPlace());
}
