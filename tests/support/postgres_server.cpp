// SPDX-License-Identifier: Apache-2.0
#include "support/postgres_server.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>
#include <unistd.h>

namespace certforge::test {
namespace {

namespace fs = std::filesystem;

// The newest /usr/lib/postgresql/VERSION/bin that has initdb.
fs::path server_programs() {
    fs::path best;
    int best_version = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const auto name = entry.path().filename().string();
        const int version = std::atoi(name.c_str());
        if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
            best_version = version;
            best = entry.path() / "bin";
        }
    }
    return best;
}

} // namespace

PostgresServer::PostgresServer() : bin_(server_programs()), data_(dir_ / "data") {
    if (bin_.empty()) {
        FAIL("PostgreSQL's server is not installed: apt-get install postgresql");
    }
    require_tool("psql", "postgresql-client");
    as_postgres_ = geteuid() == 0;
    if (as_postgres_) {
        REQUIRE(run({"chown", "postgres:postgres", dir_.path().string()}).exit_code == 0);
    }
    const fs::path password_file = dir_ / "superuser-password";
    write_text(password_file, password_ + "\n");
    if (as_postgres_) {
        REQUIRE(run({"chown", "postgres", password_file.string()}).exit_code == 0);
    }
    const auto init =
        as_owner({(bin_ / "initdb").string(), "-D", data_.string(), "-U", "certforge", "--pwfile",
                  password_file.string(), "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                  "--no-sync", "-E", "UTF8", "--locale=C"});
    if (init.exit_code != 0) {
        FAIL("initdb failed: " << init.out << init.err);
    }
    port_ = free_port();
    start();
    // CaLedger objects the test opens in its own process log in with it.
    setenv("PGPASSWORD", password_.c_str(), 1);
}

void PostgresServer::start() {
    const auto launched = as_owner(
        {(bin_ / "pg_ctl").string(), "-D", data_.string(), "-l", (dir_ / "server.log").string(),
         "-w", "-t", "30", "-o",
         fmt::format("-c listen_addresses=127.0.0.1 -c port={} -c unix_socket_directories='{}' "
                     "-c fsync=off -c max_connections=60",
                     port_, dir_.path().string()),
         "start"});
    if (launched.exit_code != 0) {
        FAIL("pg_ctl start failed: " << launched.out << launched.err
                                     << read_text(dir_ / "server.log"));
    }
    started_ = true;
}

void PostgresServer::stop_now() {
    as_owner({(bin_ / "pg_ctl").string(), "-D", data_.string(), "-m", "immediate", "-w", "stop"});
    started_ = false;
}

PostgresServer::~PostgresServer() {
    if (started_) {
        stop_now();
    }
}

RunResult PostgresServer::as_owner(std::vector<std::string> argv) const {
    if (as_postgres_) {
        argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    }
    return run(argv);
}

std::string PostgresServer::url(const std::string& database, const std::string& user) const {
    return fmt::format("postgresql://{}@127.0.0.1:{}/{}", user, port_, database);
}

std::string PostgresServer::psql(const std::string& database, const std::string& sql) const {
    const auto result = run(
        {"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url(database), "-c", sql},
        env());
    if (result.exit_code != 0) {
        FAIL("psql failed on " << sql << ": " << result.err);
    }
    return result.out;
}

void PostgresServer::create_database(const std::string& name) const {
    psql("postgres", fmt::format("CREATE DATABASE \"{}\"", name));
}

std::string PostgresServer::new_database(const std::string& prefix) const {
    const std::string name = fmt::format("{}_{}", prefix, ++databases_);
    create_database(name);
    return name;
}

} // namespace certforge::test
