// SPDX-License-Identifier: Apache-2.0
#include "ledger_scenarios.hpp"

#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <numeric>
#include <set>
#include <thread>

namespace certforge::test {

namespace fs = std::filesystem;

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

std::string status_of(const CaLedger& ledger, const std::string& serial) {
    const auto found = ledger.find(serial);
    REQUIRE(found);
    return std::string(to_string(found->status));
}

std::vector<std::string> serials_of(const std::vector<LedgerEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.serial);
    }
    return out;
}

std::string message_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "no error";
}

void companions_share_their_folders_fate(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    const auto folder = place.dir() / "site";
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

void entry_round_trips(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
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

void serial_recorded_once(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    ledger.record_pending(entry("01", "/a", "aa", 100));
    const std::string twice = "serial 01 is in the CA ledger already";
    CHECK(message_of([&] { ledger.record_pending(entry("01", "/b", "bb", 200)); }) == twice);
    CHECK(message_of([&] {
              ledger.record_pending({entry("02", "/b", "bb", 200), entry("01", "/b", "cc", 200)});
          }) == twice);
    CHECK(message_of([&] {
              ledger.record_pending({entry("03", "/c", "dd", 300), entry("03", "/c", "ee", 300)});
          }) == "serial 03 is in the CA ledger already");
    CHECK(serials_of(ledger.entries()) == std::vector<std::string>{"01"});
    CHECK(ledger.find("01")->location == "/a");
    // A refused set leaves no trace, not even a sequence number it used.
    CHECK(ledger.record_pending(entry("04", "/d", "ff", 400)) == 2);
    CHECK(serials_of(ledger.entries()) == std::vector<std::string>{"01", "04"});
}

void delivery_supersedes(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
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

void deliver_recorded_settles(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    const fs::path out = place.dir() / "out";
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

void entries_filter(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
    const fs::path site_a = place.dir() / "out" / "a";
    const std::string a = ledger_location(site_a);
    const std::string b = ledger_location(place.dir() / "out" / "b");
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

void revoke_once(const LedgerPlace& place) {
    const auto owned = place.open();
    CaLedger& ledger = *owned;
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

    CHECK(message_of([&] { ledger.revoke("0A", RevocationReason::unspecified, 1'800'000'000); }) ==
          "certificate 0A was revoked already on 2023-11-14T22:13:20Z (key-compromise)");
    CHECK(ledger.find("0A")->revoked_at == 1'700'000'000);
    CHECK(message_of([&] { ledger.revoke("0b:cd", RevocationReason::unspecified, 1); }) ==
          "no certificate with serial 0BCD in " + place.name());
    CHECK(message_of([&] { ledger.revoke("xyz", RevocationReason::unspecified, 1); }) ==
          "'xyz' is not a serial number in hex");

    // Every reason is kept as given.
    for (const auto reason : all_revocation_reasons()) {
        const std::string serial = fmt::format("{:02X}", 0x10 + static_cast<unsigned>(reason));
        ledger.record_pending(entry(serial, "/r", serial, 1));
        ledger.revoke(serial, reason, 5);
        CHECK(ledger.find(serial)->revocation_reason == reason);
    }
}

void crl_numbers_count(const LedgerPlace& place) {
    {
        const auto ledger = place.open();
        CHECK(ledger->next_crl_number() == 1);
        CHECK(ledger->next_crl_number() == 2);
    }
    const auto first_owned = place.open();
    const auto second_owned = place.open();
    CaLedger& first = *first_owned;
    CaLedger& second = *second_owned;
    CHECK(first.next_crl_number() == 3);
    CHECK(second.next_crl_number() == 4);
    CHECK(first.next_crl_number() == 5);
    CHECK(place.query("SELECT name, value FROM counters") == "crl_number|5\n");
}

void two_threads(const LedgerPlace& place) {
    constexpr int kEach = 40;
    // Both threads open the new folder at once: the first open makes the
    // tables while the other waits for it.
    std::vector<std::string> errors(2);
    std::vector<int> shared_refusals(2, 0);
    std::vector<std::vector<std::uint64_t>> crl_numbers(2);
    const auto work = [&](int who) {
        try {
            const auto owned = place.open();
            CaLedger& ledger = *owned;
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

    const auto owned = place.open();
    CaLedger& ledger = *owned;
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

} // namespace certforge::test
