// SPDX-License-Identifier: Apache-2.0
// A CA and a sites file for the batch tests, with its ledger in ca.db or on
// a PostgreSQL server the test started; RSA-1024 keys keep the tests fast
// (key sizes are not what they test).
#pragma once

#include "support/postgres_server.hpp"
#include "support/softhsm_token.hpp"
#include "support/test_support.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace certforge::test {

struct Batch {
    TempDir dir;
    std::filesystem::path ca = dir / "ca";
    std::filesystem::path out = dir / "out";
    std::filesystem::path sites = dir / "sites.toml";
    std::filesystem::path profile = dir / "test-fast.toml";
    std::string backend;
    const PostgresServer* server = nullptr;
    std::string database;
    // What every certforge run of the fixture gets: the token's SOFTHSM2_CONF.
    std::map<std::string, std::string> env;

    // A CA made for the sites' profile (test-fast unless `ca_profile` says),
    // its ledger ca.db.
    explicit Batch(std::string backend_name, std::string ca_profile = "");
    // The same with its ledger in a new database on `server` (ca init
    // --ledger).
    Batch(std::string backend_name, const PostgresServer& postgres);
    // The same with its key made on `token` (ca init --ca-key), labelled
    // `object`; its runs give the PIN with --pin-file.
    Batch(std::string backend_name, const SoftHsmToken& token,
          const std::string& object = "batch-ca");

    // Sites site-1 .. site-N, named print-K.example.com, with an IP SAN.
    void write_sites(unsigned count, const std::string& extra = "") const;

    RunResult run_batch(std::vector<std::string> extra = {},
                        std::map<std::string, std::string> more_env = {}) const;
    // The arguments of a batch run into `out_dir`.
    std::vector<std::string> batch_args(const std::filesystem::path& out_dir) const;

    // How many of sites site-1 .. site-N in `out_dir` have their certificate.
    static unsigned sites_done(const std::filesystem::path& out_dir, unsigned sites);
    // Waits (up to 60 s, for a loaded machine) until at least `at_least` of
    // them have it: the moment a test kills or cuts off a running batch.
    static void wait_for_sites(const std::filesystem::path& out_dir, unsigned sites,
                               unsigned at_least);

    // The independent check (tests/support/ledger_matches_files.py): every
    // site in each folder has exactly one valid certificate, its key
    // matches, the CA signed it, no temp files, no pending entries, no
    // serial twice. Without folders: `out`.
    void require_ledger_matches_files(std::vector<std::filesystem::path> out_dirs = {}) const;

    // One SQL query's rows of the ledger, as text lines (SqliteDb::query,
    // or psql on a PostgreSQL ledger).
    std::string query(const std::string& sql) const;

private:
    void init_ca(const std::string& ca_profile, const std::vector<std::string>& extra);
};

} // namespace certforge::test
