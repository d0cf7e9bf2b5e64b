// SPDX-License-Identifier: Apache-2.0
// One CA, its ledger in PostgreSQL (a server each test starts): ca init
// --ledger, every command on the shared ledger, runners in parallel and
// killed, a least-privilege role with the grants the README gives
// (packaging/postgresql/ledger-runner-grants.sql), and the errors a
// database, its server or its URL can cause. The ledger is read back with
// psql and tests/support/ledger_matches_files.py.
#include "support/batch_fixture.hpp"
#include "support/postgres_server.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

using namespace certforge::test;
namespace fs = std::filesystem;

TEST_CASE("shared ledger: ca init --ledger records the URL, and every command uses the database",
          "[ledger][postgresql]") {
    const std::string backend = GENERATE(from_range(backend_names()));
    INFO("backend " << backend);
    const PostgresServer server;
    Batch batch(backend, server);
    const auto ca_json = nlohmann::json::parse(read_text(batch.ca / "ca.json"));
    CHECK(ca_json["ledger"] == server.url(batch.database));
    CHECK_FALSE(fs::exists(batch.ca / "ca.db"));
    CHECK(batch.query("SELECT name FROM properties") == "ca_certificate_sha256\n");

    batch.write_sites(3);
    const auto first = batch.run_batch();
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    batch.require_ledger_matches_files();
    const auto signed_csr = [&] {
        const auto csr = run_certforge({"csr", "--profile", batch.profile.string(), "--cn",
                                        "mfd.example.com", "--out", (batch.dir / "req").string()});
        INFO(csr.err);
        REQUIRE(csr.exit_code == 0);
        return run_certforge({"ca", "sign", (batch.dir / "req" / "server.csr").string(), "--ca",
                              batch.ca.string(), "--profile", batch.profile.string(), "--out",
                              (batch.dir / "mfd.crt").string(), "--backend", backend});
    }();
    INFO(signed_csr.err);
    REQUIRE(signed_csr.exit_code == 0);
    CHECK(
        batch.query("SELECT source, count(*) FROM certificates GROUP BY source ORDER BY source") ==
        "batch|3\nca sign|1\n");

    const auto listed = run_certforge({"ca", "list", "--ca", batch.ca.string(), "--json"});
    REQUIRE(listed.exit_code == 0);
    const auto list = nlohmann::json::parse(listed.out);
    REQUIRE(list["certificates"].size() == 4);
    const std::string serial = list["certificates"][0]["serial"];
    const auto revoked = run_certforge(
        {"ca", "revoke", serial, "--ca", batch.ca.string(), "--reason", "key-compromise"});
    INFO(revoked.err);
    REQUIRE(revoked.exit_code == 0);
    const auto crl = run_certforge({"ca", "crl", "--ca", batch.ca.string(), "--out",
                                    (batch.dir / "ca.crl").string(), "--profile",
                                    batch.profile.string(), "--backend", backend});
    INFO(crl.err);
    REQUIRE(crl.exit_code == 0);
    require_tool("openssl", "openssl");
    const auto text =
        run({"openssl", "crl", "-in", (batch.dir / "ca.crl").string(), "-noout", "-text"});
    CHECK_THAT(text.out,
               Catch::Contains("Serial Number: " + serial) && Catch::Contains("Key Compromise"));
    CHECK(batch.query(fmt::format("SELECT status FROM certificates WHERE serial = '{}'", serial)) ==
          "revoked\n");
    CHECK(batch.query("SELECT value FROM counters WHERE name = 'crl_number'") == "1\n");
}

TEST_CASE("shared ledger: three batch runners at once, one killed and re-run, lose and double "
          "nothing",
          "[ledger][postgresql]") {
    const std::string backend = GENERATE(from_range(backend_names()));
    INFO("backend " << backend);
    const PostgresServer server;
    const Batch batch(backend, server);
    constexpr unsigned kSites = 24;
    batch.write_sites(kSites);
    const std::vector<fs::path> outs{batch.dir / "runner-1", batch.dir / "runner-2",
                                     batch.dir / "runner-3"};
    {
        std::vector<std::unique_ptr<BackgroundProcess>> runners;
        for (const auto& out : outs) {
            auto args = batch.batch_args(out);
            args.insert(args.begin(), CERTFORGE_BINARY);
            args.insert(args.end(), {"--jobs", "2"});
            runners.push_back(std::make_unique<BackgroundProcess>(args));
        }
        // The third is killed once a few of its sites are done.
        Batch::wait_for_sites(outs[2], kSites, 5);
        runners[2]->kill_now();
        CHECK(runners[0]->wait_for_exit() == 0);
        CHECK(runners[1]->wait_for_exit() == 0);
    }
    CHECK(Batch::sites_done(outs[0], kSites) == kSites);
    CHECK(Batch::sites_done(outs[1], kSites) == kSites);
    CHECK(Batch::sites_done(outs[2], kSites) < kSites);
    const auto repaired = run_certforge(batch.batch_args(outs[2]));
    INFO(repaired.out << repaired.err);
    REQUIRE(repaired.exit_code == 0);
    batch.require_ledger_matches_files(outs);
    CHECK(batch.query("SELECT count(*) FROM certificates WHERE status = 'valid'") ==
          fmt::format("{}\n", 3 * kSites));
    CHECK(batch.query("SELECT count(*) FROM certificates WHERE status = 'pending'") == "0\n");
    // Issuance order has no gap and no repeat, whoever issued.
    CHECK(batch.query("SELECT count(DISTINCT sequence) = max(sequence) FROM certificates") ==
          "t\n");
    const auto again = run_certforge(batch.batch_args(outs[0]));
    CHECK_THAT(again.out, Catch::Contains(fmt::format("{} sites: 0 created, 0 renewed, {} skipped",
                                                      kSites, kSites)));
}

TEST_CASE("shared ledger: a runner role with the README's grants issues, revokes and counts "
          "CRLs, and cannot delete",
          "[ledger][postgresql]") {
    const PostgresServer server;
    server.psql("postgres", "CREATE ROLE ledger_owner LOGIN PASSWORD 'owner-secret'; "
                            "CREATE ROLE ledger_runner LOGIN PASSWORD 'runner-secret'; "
                            "CREATE ROLE stranger LOGIN PASSWORD 'stranger-secret'");
    server.psql("postgres", "CREATE DATABASE shared OWNER ledger_owner");
    Batch batch(backend_names().front());
    fs::remove_all(batch.ca);
    // The URL names no user: each machine's PGUSER says who it is.
    const std::string url = fmt::format("postgresql://127.0.0.1:{}/shared", server.port());
    const std::map<std::string, std::string> owner{{"PGUSER", "ledger_owner"},
                                                   {"PGPASSWORD", "owner-secret"}};
    const auto made = run_certforge({"ca", "init", "--profile", batch.profile.string(), "--name",
                                     "Shared CA", "--out", batch.ca.string(), "--ledger", url},
                                    owner);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const auto granted = run(
        {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", "runner=ledger_runner", "-d", url, "-f",
         std::string(CERTFORGE_SOURCE_DIR) + "/packaging/postgresql/ledger-runner-grants.sql"},
        owner);
    INFO(granted.err);
    REQUIRE(granted.exit_code == 0);

    // The runner's password from a file of its own, then from PGPASSFILE.
    write_text(batch.dir / "runner-password", "runner-secret\n");
    const std::map<std::string, std::string> runner{
        {"PGUSER", "ledger_runner"},
        {"PGPASSWORD", ""},
        {"CERTFORGE_LEDGER_PASSWORD_FILE", (batch.dir / "runner-password").string()}};
    batch.write_sites(4);
    const auto issued = batch.run_batch({}, runner);
    INFO(issued.out << issued.err);
    REQUIRE(issued.exit_code == 0);
    write_text(batch.dir / "pgpass",
               fmt::format("127.0.0.1:{}:shared:ledger_runner:runner-secret\n", server.port()));
    fs::permissions(batch.dir / "pgpass", fs::perms::owner_read | fs::perms::owner_write);
    const std::map<std::string, std::string> pgpass{
        {"PGUSER", "ledger_runner"},
        {"PGPASSWORD", ""},
        {"PGPASSFILE", (batch.dir / "pgpass").string()}};
    const auto listed = run_certforge({"ca", "list", "--ca", batch.ca.string(), "--json"}, pgpass);
    INFO(listed.err);
    REQUIRE(listed.exit_code == 0);
    const std::string serial = nlohmann::json::parse(listed.out)["certificates"][0]["serial"];
    CHECK(run_certforge({"ca", "revoke", serial, "--ca", batch.ca.string()}, runner).exit_code ==
          0);
    CHECK(run_certforge({"ca", "crl", "--ca", batch.ca.string(), "--profile",
                         batch.profile.string(), "--out", (batch.dir / "ca.crl").string()},
                        runner)
              .exit_code == 0);
    const std::map<std::string, std::string> runner_psql{{"PGUSER", "ledger_runner"},
                                                         {"PGPASSWORD", "runner-secret"}};
    const auto deleted =
        run({"psql", "-X", "-q", "-d", url, "-c", "DELETE FROM certificates"}, runner_psql);
    CHECK(deleted.exit_code != 0);
    CHECK_THAT(deleted.err, Catch::Contains("permission denied for table certificates"));
    CHECK(server.psql("shared", "SELECT count(*) FROM certificates") == "4\n");

    // A role without the grants is told so, in one line.
    const auto refused = run_certforge({"ca", "list", "--ca", batch.ca.string()},
                                       {{"PGUSER", "stranger"}, {"PGPASSWORD", "stranger-secret"}});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err ==
          "certforge: error: the CA ledger " + url + ": permission denied for schema public\n");
}

TEST_CASE("shared ledger: what a URL, a server, a password or a database can get wrong, in one "
          "line that shows no password",
          "[ledger][postgresql]") {
    const PostgresServer server;
    Batch first(backend_names().front(), server);
    const fs::path other = first.dir / "other-ca";
    const auto init_into = [&](const fs::path& out, const std::string& url,
                               const std::map<std::string, std::string>& env = {}) {
        return run_certforge({"ca", "init", "--profile", first.profile.string(), "--name",
                              "Other CA", "--out", out.string(), "--ledger", url},
                             env);
    };
    const auto init = [&](const std::string& url,
                          const std::map<std::string, std::string>& env = {}) {
        return init_into(other, url, env);
    };
    const auto refused = [](const RunResult& result, int code, const std::string& message) {
        INFO(result.out << result.err);
        CHECK(result.exit_code == code);
        CHECK(result.err == "certforge: error: " + message + "\n");
        CHECK(result.err.find("secret") == std::string::npos);
        CHECK_FALSE(fs::exists(result.err));
    };
    refused(init(fmt::format("postgresql://certforge:secret@127.0.0.1:{}/x", server.port())), 2,
            "--ledger: the URL holds a password, which would be stored in ca.json; give it "
            "through PGPASSFILE, PGPASSWORD or CERTFORGE_LEDGER_PASSWORD_FILE instead");
    refused(init(fmt::format("postgresql://127.0.0.1:{}/x?password=secret", server.port())), 2,
            "--ledger: the URL holds a password, which would be stored in ca.json; give it "
            "through PGPASSFILE, PGPASSWORD or CERTFORGE_LEDGER_PASSWORD_FILE instead");
    refused(init("mysql://127.0.0.1/x"), 2,
            "--ledger 'mysql://127.0.0.1/x' is not a PostgreSQL URL "
            "(postgresql://USER@HOST:PORT/DATABASE)");
    CHECK_FALSE(fs::exists(other));

    const unsigned closed = free_port();
    const std::string nowhere = fmt::format("postgresql://certforge@127.0.0.1:{}/x", closed);
    refused(init(nowhere), 3,
            fmt::format("cannot open the CA ledger {}: connection to server at \"127.0.0.1\", "
                        "port {} failed: Connection refused Is the server running on that host "
                        "and accepting TCP/IP connections?",
                        nowhere, closed));
    refused(init(server.url(first.database), {{"PGPASSWORD", "wrong-secret"}}), 3,
            fmt::format("cannot open the CA ledger {}: connection to server at \"127.0.0.1\", "
                        "port {} failed: FATAL: password authentication failed for user "
                        "\"certforge\"",
                        server.url(first.database), server.port()));
    CHECK_FALSE(fs::exists(other));

    // The first CA's ledger has entries: a new CA may not take it.
    first.write_sites(1);
    REQUIRE(first.run_batch().exit_code == 0);
    refused(init(server.url(first.database)), 3,
            server.url(first.database) +
                " records 1 certificate of another CA; a new CA must not inherit them: give the "
                "new CA a database of its own");
    CHECK_FALSE(fs::exists(other / "ca.key"));

    // A CA folder whose ca.json is pointed at another CA's ledger.
    server.create_database("second");
    REQUIRE(init(server.url("second")).exit_code == 0);
    auto metadata = nlohmann::json::parse(read_text(other / "ca.json"));
    metadata["ledger"] = server.url(first.database);
    write_text(other / "ca.json", metadata.dump(2));
    const auto bound = server.psql(first.database, "SELECT value FROM properties");
    const auto mine = metadata["certificate_sha256"].get<std::string>();
    refused(run_certforge({"ca", "list", "--ca", other.string()}), 3,
            fmt::format("the CA ledger {} belongs to another CA (certificate sha256 {}...), not "
                        "to {} ({}...)",
                        server.url(first.database), bound.substr(0, 16), other.string(),
                        mine.substr(0, 16)));

    // Databases that are no ledger this certforge can use are left alone.
    server.create_database("foreign");
    server.psql("foreign", "CREATE TABLE certificates (id integer)");
    refused(init_into(first.dir / "third-ca", server.url("foreign")), 3,
            server.url("foreign") + ": not a certforge ledger (a certificates table without "
                                    "certforge_schema); name an empty database or schema for "
                                    "the ledger");
    CHECK(server.psql("foreign", "SELECT count(*) FROM information_schema.tables WHERE "
                                 "table_schema = 'public'") == "1\n");
    server.psql("second", "UPDATE certforge_schema SET version = 99");
    metadata["ledger"] = server.url("second");
    write_text(other / "ca.json", metadata.dump(2));
    refused(run_certforge({"ca", "list", "--ca", other.string()}), 3,
            server.url("second") +
                ": ledger schema version 99 is newer than this certforge knows (3); upgrade "
                "certforge");
}

TEST_CASE("shared ledger: the server goes away in the middle of a batch: one line, and a re-run "
          "once it is back repairs everything",
          "[ledger][postgresql]") {
    PostgresServer server;
    const Batch batch(backend_names().front(), server);
    constexpr unsigned kSites = 40;
    batch.write_sites(kSites);
    {
        std::string command = "exec \"$0\"";
        for (const auto& arg : batch.batch_args(batch.out)) {
            command += " '" + arg + "'";
        }
        command += " > '" + (batch.dir / "runner.out").string() + "' 2> '" +
                   (batch.dir / "runner.err").string() + "'";
        BackgroundProcess runner({"sh", "-c", command, CERTFORGE_BINARY});
        Batch::wait_for_sites(batch.out, kSites, 5);
        server.stop_now();
        CHECK(runner.wait_for_exit() != 0);
    }
    const std::string out = read_text(batch.dir / "runner.out");
    const std::string err = read_text(batch.dir / "runner.err");
    INFO(out << err);
    CHECK_THAT(out + err, Catch::Contains("the CA ledger " + server.url(batch.database) +
                                          ": connection lost: "));
    // Only certforge's own lines: no notice of the server's from libpq.
    CHECK(err.find("WARNING") == std::string::npos);
    CHECK(Batch::sites_done(batch.out, kSites) < kSites);

    server.start();
    const auto repaired = batch.run_batch();
    INFO(repaired.out << repaired.err);
    REQUIRE(repaired.exit_code == 0);
    batch.require_ledger_matches_files();
    CHECK(batch.query("SELECT count(*) FROM certificates WHERE status = 'valid'") ==
          fmt::format("{}\n", kSites));
}
