// SPDX-License-Identifier: Apache-2.0
// A PostgreSQL server of a test's own: made by initdb in a temporary folder
// (as the postgres user when the test runs as root, since initdb refuses
// root), listening on 127.0.0.1 on a free port, stopped and removed when the
// object goes. Clients log in with a password (scram-sha-256), as a shared
// ledger's runners would.
#pragma once

#include "support/test_support.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace certforge::test {

class PostgresServer {
public:
    // Fails the current test, naming the Debian package, when PostgreSQL's
    // server programs are missing. Sets PGPASSWORD in the test's
    // environment, for the ledgers it opens and the programs it runs.
    PostgresServer();
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    unsigned port() const { return port_; }
    // postgresql://USER@127.0.0.1:PORT/DATABASE (no password in it).
    std::string url(const std::string& database, const std::string& user = "certforge") const;
    // The superuser's password, and an environment that gives it to libpq.
    const std::string& password() const { return password_; }
    std::map<std::string, std::string> env() const { return {{"PGPASSWORD", password_}}; }
    // Runs SQL through psql as the superuser in `database`; its rows, one a
    // line, columns split by '|'. Fails the test when psql does.
    std::string psql(const std::string& database, const std::string& sql) const;
    // Makes a database owned by the superuser.
    void create_database(const std::string& name) const;
    // Makes a database of a name not used before on this server (PREFIX_N),
    // and returns the name.
    std::string new_database(const std::string& prefix) const;
    // Stops the server at once (as a crash or a lost network would look to
    // its clients), and starts it again on the same port with its data.
    void stop_now();
    void start();

private:
    // Runs a server program as the user who owns the cluster.
    RunResult as_owner(std::vector<std::string> argv) const;

    TempDir dir_;
    std::filesystem::path bin_;
    std::filesystem::path data_;
    unsigned port_ = 0;
    std::string password_ = "ledger-test-password";
    bool as_postgres_ = false;
    bool started_ = false;
    mutable unsigned databases_ = 0;
};

} // namespace certforge::test
