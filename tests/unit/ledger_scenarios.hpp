// SPDX-License-Identifier: Apache-2.0
// The CA ledger's behaviour, written once and run on each database: the
// SQLite cases in ledger_test.cpp, the PostgreSQL ones in
// ledger_postgresql_test.cpp. Each takes a fresh LedgerPlace.
#pragma once

#include "certforge/ca_ledger.hpp"
#include "support/ledger_place.hpp"

#include <functional>
#include <string>
#include <vector>

namespace certforge::test {

// An entry with only what the scenarios look at.
LedgerEntry entry(const std::string& serial, const std::string& location, const std::string& sha256,
                  UnixTime issued_at);
// An entry with every field set.
LedgerEntry full_entry(const std::string& serial, const std::string& site,
                       const std::string& location, UnixTime not_after);
std::string status_of(const CaLedger& ledger, const std::string& serial);
std::vector<std::string> serials_of(const std::vector<LedgerEntry>& entries);
// The message of what `action` throws (without its type), or "no error".
std::string message_of(const std::function<void()>& action);

void companions_share_their_folders_fate(const LedgerPlace& place);
void entry_round_trips(const LedgerPlace& place);
void serial_recorded_once(const LedgerPlace& place);
void delivery_supersedes(const LedgerPlace& place);
void deliver_recorded_settles(const LedgerPlace& place);
void entries_filter(const LedgerPlace& place);
void revoke_once(const LedgerPlace& place);
void crl_numbers_count(const LedgerPlace& place);
void two_threads(const LedgerPlace& place);

} // namespace certforge::test
