// SPDX-License-Identifier: Apache-2.0
// The CA ledger on PostgreSQL, on a server each test starts
// (support/postgres_server.hpp): the SQLite ledger's scenarios
// (ledger_scenarios.hpp) on it, its schema checks and migrations, the CA it
// belongs to, its errors, and writers on several connections at once.
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "ledger_scenarios.hpp"
#include "support/ledger_place.hpp"
#include "support/postgres_server.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace certforge;
using namespace certforge::test;

TEST_CASE("postgres ledger: the ledger's scenarios, on PostgreSQL", "[ledger][postgresql]") {
    const PostgresServer server;
    const std::vector<std::pair<const char*, void (*)(const LedgerPlace&)>> scenarios{
        {"companions share their folder's fate", companions_share_their_folders_fate},
        {"an entry round-trips", entry_round_trips},
        {"a serial is recorded once", serial_recorded_once},
        {"delivery supersedes", delivery_supersedes},
        {"deliver_recorded settles", deliver_recorded_settles},
        {"entries filter", entries_filter},
        {"revoke once", revoke_once},
        {"CRL numbers count", crl_numbers_count},
        {"two threads", two_threads},
    };
    for (const auto& [name, scenario] : scenarios) {
        INFO(name);
        scenario(LedgerPlace(server));
    }
}
