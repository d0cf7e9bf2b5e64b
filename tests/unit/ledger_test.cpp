// The CA ledger's bookkeeping for a folder and the device certificates in its
// bundle: recorded together, settled together, superseded together.
#include "certforge/ca_ledger.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace certforge;
using certforge::test::TempDir;

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
