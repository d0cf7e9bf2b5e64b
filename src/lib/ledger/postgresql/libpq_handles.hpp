// SPDX-License-Identifier: Apache-2.0
// RAII owners for libpq handles, and how a server's error becomes ours.
#pragma once

#include <libpq-fe.h>
#include <memory>
#include <string>
#include <string_view>

namespace certforge::postgresql {

struct ConnectionCloser {
    void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
using ConnectionPtr = std::unique_ptr<PGconn, ConnectionCloser>;

struct ResultClearer {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;

// libpq's message on one line: its lines joined, runs of spaces folded,
// control characters escaped.
std::string one_line(std::string_view message);

// Throws for a result that is not `expected` (PGRES_COMMAND_OK or
// PGRES_TUPLES_OK). A query the server rejects as malformed (SQLSTATE class
// 42 but 42501, or 0A) is our fault: InternalError with `what`. Everything
// else the server or the network can cause (a lost connection, a missing
// grant, a timeout, a full disk) is InputError naming the ledger `name`.
void check(PGconn* connection, const PGresult* result, ExecStatusType expected,
           std::string_view name, std::string_view what);

} // namespace certforge::postgresql
