// SPDX-License-Identifier: Apache-2.0
// `certforge batch` killed (by a fault hook between the ledger and the
// files, and by SIGKILL at any moment) and re-run, and the same sites at
// --jobs 1 and 2: nothing lost, nothing twice, the ledger equal to the
// files (tests/support/ledger_matches_files.py).
#include "support/batch_fixture.hpp"
#include "support/test_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certforge::test::Batch;
namespace fs = std::filesystem;

TEST_CASE("batch: killed between the ledger and the files, a re-run repairs", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch batch(backend);
    batch.write_sites(6);
    const auto killed =
        batch.run_batch({"--jobs", "2"}, {{"CERTFORGE_FAULT_KILL_AFTER_RECORD", "3"}});
    CHECK(killed.exit_code == 128 + 9);
    CHECK(fs::exists(batch.out / "site-2" / "server.crt"));
    CHECK_FALSE(fs::exists(batch.out / "site-3" / "server.crt"));
    CHECK(batch.query("SELECT site, status FROM certificates ORDER BY sequence") ==
          "site-1|valid\nsite-2|valid\nsite-3|pending\n");

    const auto rerun = batch.run_batch({"--jobs", "2"});
    INFO(rerun.out << rerun.err);
    REQUIRE(rerun.exit_code == 0);
    CHECK_THAT(rerun.out, Catch::Contains("2 skipped") && Catch::Contains("4 created"));
    CHECK(batch.query("SELECT site, status FROM certificates ORDER BY sequence") ==
          "site-1|valid\nsite-2|valid\nsite-3|abandoned\nsite-3|valid\nsite-4|valid\n"
          "site-5|valid\nsite-6|valid\n");
    batch.require_ledger_matches_files();

    // A renewal killed before its files landed: the old set is intact, but the
    // folder is renewed anyway, with the reason.
    const auto renewal_killed =
        batch.run_batch({"--renew-within", "900d"}, {{"CERTFORGE_FAULT_KILL_AFTER_RECORD", "2"}});
    CHECK(renewal_killed.exit_code == 128 + 9);
    const auto repaired = batch.run_batch();
    INFO(repaired.out << repaired.err);
    REQUIRE(repaired.exit_code == 0);
    CHECK_THAT(repaired.out, Catch::Contains("renewed  site-2") &&
                                 Catch::Contains("(an earlier run was killed while writing its "
                                                 "files)"));
    CHECK_THAT(repaired.out,
               Catch::Contains("skipped  site-1") && Catch::Contains("skipped  site-3"));
    CHECK(batch.query("SELECT site, status FROM certificates WHERE sequence > 7 ORDER BY "
                      "sequence") == "site-1|valid\nsite-2|abandoned\nsite-2|valid\n");
    batch.require_ledger_matches_files();
}

TEST_CASE("batch: SIGKILL at any moment loses nothing", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch batch(backend);
    batch.write_sites(40);
    for (const unsigned done_before_kill : {3u, 17u}) {
        INFO("killed after " << done_before_kill << " site folders");
        certforge::test::BackgroundProcess process(
            {CERTFORGE_BINARY, "batch", batch.sites.string(), "--ca", batch.ca.string(), "--out",
             batch.out.string(), "--backend", backend, "--jobs", "2"});
        Batch::wait_for_sites(batch.out, 40, done_before_kill);
        process.kill_now();
    }
    const auto rerun = batch.run_batch({"--jobs", "2"});
    INFO(rerun.out << rerun.err);
    REQUIRE(rerun.exit_code == 0);
    CHECK_THAT(rerun.out, Catch::Contains("40 sites: "));
    batch.require_ledger_matches_files();
    CHECK(batch.query("SELECT count(*) FROM certificates WHERE status = 'valid'") == "40\n");
    const auto again = batch.run_batch();
    CHECK_THAT(again.out, Catch::Contains("40 sites: 0 created, 0 renewed, 40 skipped, 0 failed"));
}

TEST_CASE("batch: --jobs 1 and --jobs 2 give the same ledger and output", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch one(backend);
    Batch two(backend);
    one.write_sites(12);
    two.write_sites(12);
    const auto serial = one.run_batch({"--jobs", "1", "--json"});
    const auto parallel = two.run_batch({"--jobs", "2", "--json"});
    REQUIRE(serial.exit_code == 0);
    REQUIRE(parallel.exit_code == 0);
    const std::string columns = "SELECT sequence, site, common_name, subject_alt_names, profile, "
                                "source, status FROM certificates ORDER BY sequence";
    const std::string rows = one.query(columns);
    CHECK(rows == two.query(columns));
    CHECK(std::count(rows.begin(), rows.end(), '\n') == 12);
    const auto ids = [](const std::string& out) {
        std::vector<std::string> list;
        const auto json = nlohmann::json::parse(out);
        for (const auto& site : json["sites"]) {
            list.push_back(site["id"].get<std::string>() + " " + site["status"].get<std::string>());
        }
        return list;
    };
    CHECK(ids(serial.out) == ids(parallel.out));
    REQUIRE(ids(serial.out).size() == 12);
    CHECK(ids(serial.out).front() == "site-1 created");
    CHECK(ids(serial.out).back() == "site-12 created");
}
