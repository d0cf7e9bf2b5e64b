// The CA ledger's bookkeeping for a folder and the device certificates in its
// bundle: recorded together, settled together, superseded together.
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <fmt/format.h>

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
    SqliteDb(db).execute("PRAGMA user_version = 2");
    expect("a ledger of a newer certforge",
           "ledger schema version 2 is newer than this certforge knows (1); upgrade certforge");

    certforge::test::write_text(db, "");
    {
        CaLedger ledger(dir.path());
        ledger.record_pending(entry("01", "/sites/a", "aa", 100));
    }
    certforge::test::write_text(db, real);
    CHECK(CaLedger(dir.path()).entries().size() == 60);
}
