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
#include "certforge/pem.hpp"
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
using certforge::test::read_text;
using certforge::test::SqliteDb;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

LedgerEntry entry(const std::string& serial, const std::string& location, const std::string& sha256,
                  UnixTime issued_at) {
    LedgerEntry e;
    e.serial = serial;
    e.common_name = serial;
    e.location = location;
    e.sha256 = sha256;
    e.issued_at = issued_at;
    e.certificate_der = Bytes{0x30, 0x00};
    return e;
}

std::string status_of(const CaLedger& ledger, const std::string& serial) {
    const auto found = ledger.find(serial);
    REQUIRE(found);
    return std::string(to_string(found->status));
}

} // namespace

TEST_CASE("ledger: device certificates share their folder's fate", "[ledger]") {
    TempDir dir;
    certforge::test::write_text(dir / "ca.crt", "placeholder: the ledger needs a CA folder\n");
    CaLedger ledger(dir.path());
    const auto folder = dir / "site";
    const std::string server = ledger_location(folder);
    const std::string device = ledger_bundle_location(folder, "device.p12");
    CHECK(device == server + "#import-bundle.zip/device.p12");

    // A delivered run.
    ledger.record_pending({entry("01", server, "aa", 100), entry("02", device, "d1", 100)});
    ledger.mark_delivered(std::vector<std::string>{"01", "02"});
    CHECK(status_of(ledger, "01") == "valid");
    CHECK(status_of(ledger, "02") == "valid");

    // A run killed after its files landed, before they were marked: the
    // server is settled first, so the new device entry stays valid.
    ledger.record_pending({entry("03", server, "bb", 200), entry("04", device, "d2", 200)});
    const auto landed = ledger.reconcile_pending(server, "bb");
    CHECK(landed.delivered == 1);
    CHECK(status_of(ledger, "01") == "superseded");
    CHECK(status_of(ledger, "02") == "superseded");
    CHECK(status_of(ledger, "03") == "valid");
    CHECK(status_of(ledger, "04") == "valid");

    // A run killed before its files landed: both abandoned, the last stay.
    ledger.record_pending({entry("05", server, "cc", 300), entry("06", device, "d3", 300)});
    const auto lost = ledger.reconcile_pending(server, "bb");
    CHECK(lost.abandoned == 1);
    CHECK(status_of(ledger, "05") == "abandoned");
    CHECK(status_of(ledger, "06") == "abandoned");
    CHECK(status_of(ledger, "03") == "valid");
    CHECK(status_of(ledger, "04") == "valid");

    // A folder whose name merely starts with this one's is no companion.
    const std::string other = server + "#2";
    ledger.record_pending(entry("07", other, "ee", 400));
    ledger.mark_delivered("07");
    ledger.record_pending(entry("08", server, "ff", 500));
    ledger.mark_delivered("08");
    CHECK(status_of(ledger, "07") == "valid");
    CHECK(status_of(ledger, "04") == "superseded");
    LedgerFilter companions;
    companions.companions_of = server;
    CHECK(ledger.entries(companions).size() == 3);
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
    SqliteDb(db).execute("PRAGMA user_version = 3");
    expect("a ledger of a newer certforge",
           "ledger schema version 3 is newer than this certforge knows (2); upgrade certforge");

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

LedgerEntry full_entry(const std::string& serial, const std::string& site,
                       const std::string& location, UnixTime not_after) {
    LedgerEntry e = entry(serial, location, "sha-of-" + serial, 1'700'000'000);
    e.subject = "CN=" + serial + ".example.com,O=Print Corp";
    e.common_name = serial + ".example.com";
    e.subject_alt_names = {"dns:" + serial + ".example.com", "ip:10.0.0.1"};
    e.site = site;
    e.profile = "konica-minolta";
    e.source = site.empty() ? "make" : "batch";
    e.not_before = 1'699'990'000;
    e.not_after = not_after;
    e.certificate_der = Bytes{0x30, 0x03, 0x02, 0x01, static_cast<std::uint8_t>(serial.size())};
    return e;
}

std::vector<std::string> serials_of(const std::vector<LedgerEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.serial);
    }
    return out;
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

} // namespace

TEST_CASE("ledger: opening needs a CA folder, the first open makes an empty ledger", "[ledger]") {
    TempDir dir;
    CHECK(error_of([&] { CaLedger ledger(dir.path()); }) ==
          dir.path().string() + " is not a CA folder (no ca.crt); make one with 'certforge ca "
                                "init'");
    CHECK(certforge::test::listing(dir.path()).empty());

    certforge::test::write_text(dir / "ca.crt", "placeholder\n");
    {
        CaLedger ledger(dir.path());
        CHECK(ledger.path() == dir / "ca.db");
        CHECK(ledger.entries().empty());
        CHECK_FALSE(ledger.find("01"));
    }
    // What another SQLite reader sees: a schema version and WAL journaling,
    // as ledger_schema.hpp says; nothing left beside ca.db once closed.
    CHECK(certforge::test::listing(dir.path()) == std::vector<std::string>{"ca.crt", "ca.db"});
    {
        const SqliteDb db(dir / "ca.db");
        CHECK(db.query("PRAGMA user_version") == "2\n");
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
    CHECK(error_of([&] { CaLedger ledger(other.path()); }) == "cannot open the CA ledger " +
                                                                  (other / "ca.db").string() +
                                                                  ": unable to open database file");
}

TEST_CASE("ledger: an entry comes back field for field, found by any spelling of its serial",
          "[ledger]") {
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    const LedgerEntry written = full_entry("0A1B", "site-1", "/sites/site-1", 1'800'000'000);
    CHECK(ledger.record_pending(written) == 1);
    CHECK(ledger.record_pending(full_entry("0C", "", "/x", 1)) == 2);

    for (const char* spelling : {"0A1B", "0a1b", "0a:1b", "A1B", "00:0A:1B"}) {
        INFO(spelling);
        const auto found = ledger.find(spelling);
        REQUIRE(found);
        CHECK(found->sequence == 1);
        CHECK(found->serial == "0A1B");
        CHECK(found->subject == written.subject);
        CHECK(found->common_name == written.common_name);
        CHECK(found->subject_alt_names == written.subject_alt_names);
        CHECK(found->site == "site-1");
        CHECK(found->profile == "konica-minolta");
        CHECK(found->source == "batch");
        CHECK(found->location == "/sites/site-1");
        CHECK(found->not_before == 1'699'990'000);
        CHECK(found->not_after == 1'800'000'000);
        CHECK(found->issued_at == 1'700'000'000);
        CHECK(found->sha256 == "sha-of-0A1B");
        CHECK(found->status == LedgerStatus::pending);
        CHECK_FALSE(found->revoked_at);
        CHECK(found->revocation_reason == RevocationReason::unspecified);
        CHECK(found->certificate_der == written.certificate_der);
    }
    // An entry without SANs reads back without SANs (not one empty name).
    auto bare = full_entry("0D", "", "/x", 1);
    bare.subject_alt_names.clear();
    ledger.record_pending(bare);
    CHECK(ledger.find("0D")->subject_alt_names.empty());
    CHECK_FALSE(ledger.find("0A1C"));
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
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    ledger.record_pending(entry("01", "/a", "aa", 100));
    const std::string twice = "serial 01 is in the CA ledger already";
    CHECK(error_of([&] { ledger.record_pending(entry("01", "/b", "bb", 200)); }) == twice);
    CHECK(error_of([&] {
              ledger.record_pending({entry("02", "/b", "bb", 200), entry("01", "/b", "cc", 200)});
          }) == twice);
    CHECK(error_of([&] {
              ledger.record_pending({entry("03", "/c", "dd", 300), entry("03", "/c", "ee", 300)});
          }) == "serial 03 is in the CA ledger already");
    CHECK(serials_of(ledger.entries()) == std::vector<std::string>{"01"});
    CHECK(ledger.find("01")->location == "/a");
    // A refused set leaves no trace, not even a sequence number it used.
    CHECK(ledger.record_pending(entry("04", "/d", "ff", 400)) == 2);
    CHECK(serials_of(ledger.entries()) == std::vector<std::string>{"01", "04"});
}

TEST_CASE("ledger: delivery supersedes the folder's last certificate, settling changes only "
          "pending entries",
          "[ledger]") {
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    ledger.record_pending(entry("01", "/a", "s1", 100));
    ledger.record_pending(entry("02", "/b", "s2", 100));
    ledger.mark_delivered(std::vector<std::string>{"01", "02"});
    ledger.record_pending(entry("03", "/a", "s3", 200));
    // Until its files are in place the new one is pending and the old valid.
    CHECK(status_of(ledger, "01") == "valid");
    CHECK(status_of(ledger, "03") == "pending");
    ledger.mark_delivered("03");
    CHECK(status_of(ledger, "01") == "superseded");
    CHECK(status_of(ledger, "02") == "valid");
    CHECK(status_of(ledger, "03") == "valid");

    // Abandoning a settled entry leaves it as it is.
    ledger.mark_abandoned("03");
    CHECK(status_of(ledger, "03") == "valid");

    ledger.record_pending(entry("04", "/a", "s4", 300));
    ledger.mark_abandoned("04");
    CHECK(status_of(ledger, "04") == "abandoned");
    CHECK(status_of(ledger, "03") == "valid");

    // A revocation that comes while the files are written stays.
    ledger.record_pending(entry("05", "/b", "s5", 400));
    ledger.revoke("05", RevocationReason::key_compromise, 450);
    ledger.mark_delivered("05");
    CHECK(status_of(ledger, "05") == "revoked");

    // reconcile_pending with no certificate in the folder abandons.
    ledger.record_pending(entry("06", "/c", "s6", 500));
    const auto gone = ledger.reconcile_pending("/c", "");
    CHECK(gone.delivered == 0);
    CHECK(gone.abandoned == 1);
    CHECK(status_of(ledger, "06") == "abandoned");
    const auto nothing = ledger.reconcile_pending("/c", "s6");
    CHECK(nothing.delivered == 0);
    CHECK(nothing.abandoned == 0);
}

TEST_CASE("ledger: deliver_recorded marks valid what landed, abandoned what did not", "[ledger]") {
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    const fs::path out = folder.dir / "out";
    {
        OutputSet output(out, false);
        output.add("server.crt", std::string_view("one\n"), FileMode::public_file);
        int calls = 0;
        const auto written =
            deliver_recorded(ledger, entry("01", ledger_location(out), "a", 1), output, [&] {
                ++calls;
                CHECK(status_of(ledger, "01") == "pending");
                CHECK_FALSE(fs::exists(out / "server.crt"));
            });
        CHECK(calls == 1);
        CHECK(written == std::vector<fs::path>{out / "server.crt"});
        CHECK(status_of(ledger, "01") == "valid");
    }
    {
        // server.crt exists and there is no --force: the commit is refused.
        OutputSet output(out, false);
        output.add("server.crt", std::string_view("two\n"), FileMode::public_file);
        CHECK_THROWS_AS(deliver_recorded(ledger, entry("02", ledger_location(out), "b", 2), output),
                        InputError);
        CHECK(status_of(ledger, "02") == "abandoned");
        CHECK(status_of(ledger, "01") == "valid");
        CHECK(read_text(out / "server.crt") == "one\n");
    }
}

TEST_CASE("ledger: entries filters by status, expiry, site, folder and bundle, in issuance "
          "order",
          "[ledger]") {
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    const fs::path site_a = folder.dir / "out" / "a";
    const std::string a = ledger_location(site_a);
    const std::string b = ledger_location(folder.dir / "out" / "b");
    const std::string device = ledger_bundle_location(site_a, "device-mfd.p12");
    ledger.record_pending(full_entry("05", "a", a, 1000));
    ledger.record_pending(full_entry("03", "b", b, 3000));
    ledger.record_pending(full_entry("01", "a", device, 2000));
    ledger.record_pending(full_entry("04", "", a + "x", 1000));
    ledger.record_pending(full_entry("02", "a", a, 5000));
    ledger.mark_delivered(std::vector<std::string>{"05", "03", "01", "04"});
    ledger.revoke("03", RevocationReason::superseded, 10);

    const auto with = [&](auto set) {
        LedgerFilter filter;
        set(filter);
        return serials_of(ledger.entries(filter));
    };
    using List = std::vector<std::string>;
    CHECK(serials_of(ledger.entries()) == List{"05", "03", "01", "04", "02"});
    CHECK(with([](LedgerFilter& f) { f.status = LedgerStatus::valid; }) == List{"05", "01", "04"});
    CHECK(with([](LedgerFilter& f) { f.status = LedgerStatus::pending; }) == List{"02"});
    CHECK(with([](LedgerFilter& f) { f.status = LedgerStatus::revoked; }) == List{"03"});
    CHECK(with([](LedgerFilter& f) { f.status = LedgerStatus::superseded; }).empty());
    // notAfter at or before the bound.
    CHECK(with([](LedgerFilter& f) { f.not_after_before = 2000; }) == List{"05", "01", "04"});
    CHECK(with([](LedgerFilter& f) { f.not_after_before = 1999; }) == List{"05", "04"});
    CHECK(with([](LedgerFilter& f) {
              f.not_after_before = 2000;
              f.status = LedgerStatus::valid;
              f.site = "a";
          }) == List{"05", "01"});
    CHECK(with([](LedgerFilter& f) { f.site = "b"; }) == List{"03"});
    CHECK(with([](LedgerFilter& f) { f.site = "nowhere"; }).empty());
    CHECK(with([&](LedgerFilter& f) { f.location = a; }) == List{"05", "02"});
    CHECK(with([&](LedgerFilter& f) { f.companions_of = a; }) == List{"01"});
    CHECK(with([&](LedgerFilter& f) { f.companions_of = b; }).empty());
    CHECK(with([&](LedgerFilter& f) {
              f.location = a;
              f.status = LedgerStatus::valid;
          }) == List{"05"});
}

TEST_CASE("ledger: revoke once, with its reason and time", "[ledger]") {
    LedgerFolder folder;
    CaLedger ledger(folder.dir.path());
    ledger.record_pending(entry("0A", "/a", "a", 1));
    ledger.mark_delivered("0A");
    const LedgerEntry before = ledger.revoke("0a", RevocationReason::key_compromise, 1'700'000'000);
    CHECK(before.serial == "0A");
    CHECK(before.status == LedgerStatus::valid);
    const auto after = ledger.find("0A");
    REQUIRE(after);
    CHECK(after->status == LedgerStatus::revoked);
    CHECK(after->revoked_at == 1'700'000'000);
    CHECK(after->revocation_reason == RevocationReason::key_compromise);

    CHECK(error_of([&] { ledger.revoke("0A", RevocationReason::unspecified, 1'800'000'000); }) ==
          "certificate 0A was revoked already on 2023-11-14T22:13:20Z (key-compromise)");
    CHECK(ledger.find("0A")->revoked_at == 1'700'000'000);
    CHECK(error_of([&] { ledger.revoke("0b:cd", RevocationReason::unspecified, 1); }) ==
          "no certificate with serial 0BCD in " + folder.db().string());
    CHECK(error_of([&] { ledger.revoke("xyz", RevocationReason::unspecified, 1); }) ==
          "'xyz' is not a serial number in hex");

    // Every reason is kept as given.
    for (const auto reason : all_revocation_reasons()) {
        const std::string serial = fmt::format("{:02X}", 0x10 + static_cast<unsigned>(reason));
        ledger.record_pending(entry(serial, "/r", serial, 1));
        ledger.revoke(serial, reason, 5);
        CHECK(ledger.find(serial)->revocation_reason == reason);
    }
}

TEST_CASE("ledger: statuses and serials by name", "[ledger]") {
    for (const auto status : {LedgerStatus::pending, LedgerStatus::valid, LedgerStatus::superseded,
                              LedgerStatus::revoked, LedgerStatus::abandoned}) {
        CHECK(ledger_status_from_name(to_string(status)) == status);
    }
    CHECK(to_string(LedgerStatus::superseded) == "superseded");
    CHECK(error_of([] { ledger_status_from_name("Valid"); }) ==
          "unknown status 'Valid' (one of: pending, valid, superseded, revoked, abandoned)");
    CHECK_THROWS_AS(ledger_status_from_name("Valid"), UsageError);

    CHECK(normalize_serial("0a:bc:de") == "0ABCDE");
    CHECK(normalize_serial("ABCDE") == "0ABCDE");
    CHECK(normalize_serial("00:00:7f") == "7F");
    CHECK(normalize_serial("0") == "00");
    CHECK(error_of([] { normalize_serial("12 34"); }) == "'12 34' is not a serial number in hex");
    CHECK_THROWS_AS(normalize_serial("0x12"), UsageError);
}

TEST_CASE("ledger: CRL numbers count from 1 in the ledger, across opens", "[ledger][crl]") {
    LedgerFolder folder;
    {
        CaLedger ledger(folder.dir.path());
        CHECK(ledger.next_crl_number() == 1);
        CHECK(ledger.next_crl_number() == 2);
    }
    CaLedger first(folder.dir.path());
    CaLedger second(folder.dir.path());
    CHECK(first.next_crl_number() == 3);
    CHECK(second.next_crl_number() == 4);
    CHECK(first.next_crl_number() == 5);
    CHECK(SqliteDb(folder.db()).query("SELECT name, value FROM counters") == "crl_number|5\n");
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
        const std::string what = error_of([&] { CaLedger ledger(folder.dir.path()); });
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
    LedgerFolder folder;
    constexpr int kEach = 40;
    // Both threads open the new folder at once: the first open makes the
    // tables while the other waits for it.
    std::vector<std::string> errors(2);
    std::vector<int> shared_refusals(2, 0);
    std::vector<std::vector<std::uint64_t>> crl_numbers(2);
    const auto work = [&](int who) {
        try {
            CaLedger ledger(folder.dir.path());
            for (int i = 0; i < kEach; ++i) {
                const std::string serial = fmt::format("{:02X}{:02X}", who + 1, i);
                ledger.record_pending(entry(serial, fmt::format("/t{}", who), serial, i));
                ledger.mark_delivered(serial);
                crl_numbers[who].push_back(ledger.next_crl_number());
                try {
                    ledger.record_pending(entry(fmt::format("FF{:02X}", i), "/shared", "s", i));
                } catch (const InputError&) {
                    ++shared_refusals[who];
                }
            }
        } catch (const std::exception& e) {
            errors[who] = e.what();
        }
    };
    std::thread one(work, 0);
    std::thread two(work, 1);
    one.join();
    two.join();
    CHECK(errors == std::vector<std::string>{"", ""});
    CHECK(shared_refusals[0] + shared_refusals[1] == kEach);

    CaLedger ledger(folder.dir.path());
    const auto all = ledger.entries();
    CHECK(all.size() == 3 * kEach);
    std::set<std::int64_t> sequences;
    for (const auto& e : all) {
        sequences.insert(e.sequence);
    }
    CHECK(sequences.size() == all.size());
    LedgerFilter valid;
    valid.status = LedgerStatus::valid;
    CHECK(ledger.entries(valid).size() == 2);
    std::vector<std::uint64_t> numbers = crl_numbers[0];
    numbers.insert(numbers.end(), crl_numbers[1].begin(), crl_numbers[1].end());
    std::sort(numbers.begin(), numbers.end());
    std::vector<std::uint64_t> expected(2 * kEach);
    std::iota(expected.begin(), expected.end(), std::uint64_t{1});
    CHECK(numbers == expected);
}
