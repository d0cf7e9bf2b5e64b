// SPDX-License-Identifier: Apache-2.0
#include "libpq_handles.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"

#include <fmt/format.h>

namespace certforge::postgresql {

std::string one_line(std::string_view message) {
    std::string out;
    bool space = false;
    for (const char c : message) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out.push_back(' ');
            space = false;
        }
        out.push_back(c);
    }
    return escape_control(out);
}

void check(PGconn* connection, const PGresult* result, ExecStatusType expected,
           std::string_view name, std::string_view what) {
    if (result != nullptr && PQresultStatus(result) == expected) {
        return;
    }
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    const std::string message = one_line(primary ? primary : PQerrorMessage(connection));
    if (PQstatus(connection) == CONNECTION_BAD || state == nullptr) {
        throw InputError(fmt::format("the CA ledger {}: connection lost: {}", name, message));
    }
    const std::string_view code(state);
    if ((code.starts_with("42") && code != "42501") || code.starts_with("0A")) {
        throw InternalError(fmt::format("CA ledger: {}: {} (SQLSTATE {})", what, message, code));
    }
    throw InputError(fmt::format("the CA ledger {}: {}", name, message));
}

} // namespace certforge::postgresql
