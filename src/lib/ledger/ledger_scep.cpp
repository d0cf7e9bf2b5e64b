// SPDX-License-Identifier: Apache-2.0
// The ledger's SCEP tables: challenges and transactions.
#include "ca_ledger_impl.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/text.hpp"

#include <array>
#include <fmt/format.h>

namespace certforge {
namespace {

using ledger::Statement;
using ledger::WriteTransaction;

constexpr std::array<std::pair<ScepTransactionStatus, std::string_view>, 3> kTransactionStatusNames{
    {
        {ScepTransactionStatus::pending, "pending"},
        {ScepTransactionStatus::issued, "issued"},
        {ScepTransactionStatus::rejected, "rejected"},
    }};

constexpr const char* kTransactionColumns =
    "transaction_id, request_sha256, kind, status, profile, challenge, request, "
    "signer_certificate, peer, received_at, decided_at, serial, reason";

ScepTransaction read_transaction(const Statement& row) {
    ScepTransaction t;
    t.transaction_id = row.text(0);
    t.request_sha256 = row.text(1);
    t.renewal = row.text(2) == "renewal";
    t.status = scep_transaction_status_from_name(row.text(3));
    t.profile = row.text(4);
    t.challenge = row.text(5);
    t.request = row.blob(6);
    t.signer_certificate = row.blob(7);
    t.peer = row.text(8);
    t.received_at = row.integer(9);
    t.decided_at = row.optional_integer(10);
    t.serial = row.text(11);
    t.reason = row.text(12);
    return t;
}

std::optional<ScepTransaction> one_transaction(Statement& query) {
    if (!query.step()) {
        return std::nullopt;
    }
    return read_transaction(query);
}

std::optional<ScepTransaction> find_transaction(ledger::Database& db, std::string_view id,
                                                std::string_view request_sha256) {
    Statement query(db, fmt::format("SELECT {} FROM scep_transactions WHERE transaction_id = ?1 "
                                    "AND request_sha256 = ?2",
                                    kTransactionColumns));
    query.bind(1, id).bind(2, request_sha256);
    return one_transaction(query);
}

// True when the challenge had a use left at `now`; that use is spent.
bool spend_challenge(ledger::Database& db, std::string_view secret_sha256, UnixTime now) {
    return Statement(db, "UPDATE scep_challenges SET uses_left = uses_left - 1 WHERE "
                         "secret_sha256 = ?1 AND uses_left > 0 AND expires_at > ?2")
               .bind(1, secret_sha256)
               .bind(2, std::int64_t{now})
               .run() == 1;
}

void insert_transaction(ledger::Database& db, const ScepTransaction& t) {
    Statement insert(db, fmt::format("INSERT INTO scep_transactions ({}) VALUES (?1, ?2, ?3, ?4, "
                                     "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                                     kTransactionColumns));
    insert.bind(1, t.transaction_id)
        .bind(2, t.request_sha256)
        .bind(3, t.renewal ? "renewal" : "enroll")
        .bind(4, to_string(t.status))
        .bind(5, t.profile)
        .bind(6, t.challenge)
        .bind(7, ByteView(t.request))
        .bind(8, ByteView(t.signer_certificate))
        .bind(9, t.peer)
        .bind(10, std::int64_t{t.received_at});
    if (t.decided_at) {
        insert.bind(11, std::int64_t{*t.decided_at});
    } else {
        insert.bind_null(11);
    }
    insert.bind(12, t.serial).bind(13, t.reason).run();
}

void decide_transaction(ledger::Database& db, const ScepTransaction& t) {
    Statement(db, "UPDATE scep_transactions SET status = ?3, decided_at = ?4, serial = ?5, "
                  "reason = ?6 WHERE transaction_id = ?1 AND request_sha256 = ?2")
        .bind(1, t.transaction_id)
        .bind(2, t.request_sha256)
        .bind(3, to_string(t.status))
        .bind(4, std::int64_t{t.decided_at.value_or(0)})
        .bind(5, t.serial)
        .bind(6, t.reason)
        .run();
}

// One decision, inside the caller's transaction and its own savepoint.
ScepCommitResult commit_one(ledger::Database& db, const ScepDecision& decision, UnixTime now) {
    const ScepTransaction& t = decision.transaction;
    const auto existing = find_transaction(db, t.transaction_id, t.request_sha256);
    if (existing && existing->status != ScepTransactionStatus::pending) {
        return {ScepCommitOutcome::already_decided, *existing};
    }
    if (!existing && !decision.challenge_secret_sha256.empty() &&
        !spend_challenge(db, decision.challenge_secret_sha256, now)) {
        return {ScepCommitOutcome::challenge_spent, t};
    }
    if (decision.certificate) {
        ledger::insert_entry(db, *decision.certificate, LedgerStatus::valid);
    }
    if (!decision.supersedes.empty()) {
        Statement(db, "UPDATE certificates SET status = 'superseded' WHERE serial = ?1 AND "
                      "status = 'valid'")
            .bind(1, decision.supersedes)
            .run();
    }
    if (existing) {
        decide_transaction(db, t);
    } else {
        insert_transaction(db, t);
    }
    return {ScepCommitOutcome::committed, t};
}

} // namespace

ScepTransactionStatus scep_transaction_status_from_name(std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& [value, text] : kTransactionStatusNames) {
        if (text == name) {
            return value;
        }
        names.push_back(text);
    }
    throw UsageError(fmt::format("unknown status '{}' (one of: {})", escape_control(name),
                                 fmt::join(names, ", ")));
}

std::string_view to_string(ScepTransactionStatus status) {
    for (const auto& [value, name] : kTransactionStatusNames) {
        if (value == status) {
            return name;
        }
    }
    return "pending";
}

void CaLedger::add_scep_challenge(const ScepChallenge& challenge, std::string_view secret_sha256,
                                  UnixTime now) {
    ledger::Database& db = *impl_->db;
    WriteTransaction transaction(db);
    Statement(db, "DELETE FROM scep_challenges WHERE uses_left = 0 OR expires_at < ?1")
        .bind(1, std::int64_t{now - 86'400})
        .run();
    Statement(db, "INSERT INTO scep_challenges (id, secret_sha256, profile, common_name, "
                  "subject_alt_names, created_at, expires_at, uses_left) VALUES (?1, ?2, ?3, ?4, "
                  "?5, ?6, ?7, ?8)")
        .bind(1, challenge.id)
        .bind(2, secret_sha256)
        .bind(3, challenge.profile)
        .bind(4, challenge.common_name)
        .bind(5, fmt::format("{}", fmt::join(challenge.subject_alt_names, ",")))
        .bind(6, std::int64_t{challenge.created_at})
        .bind(7, std::int64_t{challenge.expires_at})
        .bind(8, challenge.uses_left)
        .run();
    transaction.commit();
}

std::optional<ScepChallenge> CaLedger::find_scep_challenge(std::string_view secret_sha256) const {
    Statement query(*impl_->db,
                    "SELECT id, profile, common_name, subject_alt_names, created_at, expires_at, "
                    "uses_left FROM scep_challenges WHERE secret_sha256 = ?1");
    query.bind(1, secret_sha256);
    if (!query.step()) {
        return std::nullopt;
    }
    ScepChallenge c;
    c.id = query.text(0);
    c.profile = query.text(1);
    c.common_name = query.text(2);
    c.subject_alt_names = split(query.text(3), ',');
    c.created_at = query.integer(4);
    c.expires_at = query.integer(5);
    c.uses_left = query.integer(6);
    return c;
}

std::vector<ScepCommitResult> CaLedger::commit_scep(const std::vector<ScepDecision>& decisions,
                                                    UnixTime now) {
    ledger::Database& db = *impl_->db;
    std::vector<ScepCommitResult> results;
    results.reserve(decisions.size());
    WriteTransaction transaction(db);
    for (const auto& decision : decisions) {
        db.execute("SAVEPOINT decision");
        try {
            results.push_back(commit_one(db, decision, now));
        } catch (...) {
            db.execute("ROLLBACK TO SAVEPOINT decision");
            throw;
        }
        db.execute("RELEASE SAVEPOINT decision");
    }
    transaction.commit();
    return results;
}

std::optional<ScepTransaction>
CaLedger::find_scep_transaction(std::string_view transaction_id,
                                std::string_view request_sha256) const {
    return find_transaction(*impl_->db, transaction_id, request_sha256);
}

std::optional<ScepTransaction>
CaLedger::latest_scep_transaction(std::string_view transaction_id) const {
    Statement query(*impl_->db,
                    fmt::format("SELECT {} FROM scep_transactions WHERE transaction_id = ?1 "
                                "ORDER BY received_at DESC, rowid DESC LIMIT 1",
                                kTransactionColumns));
    query.bind(1, transaction_id);
    return one_transaction(query);
}

std::vector<ScepTransaction>
CaLedger::scep_transactions(std::optional<ScepTransactionStatus> status) const {
    std::string sql = fmt::format("SELECT {} FROM scep_transactions", kTransactionColumns);
    if (status) {
        sql += " WHERE status = ?1";
    }
    sql += " ORDER BY received_at, rowid";
    Statement query(*impl_->db, sql);
    if (status) {
        query.bind(1, to_string(*status));
    }
    std::vector<ScepTransaction> out;
    while (query.step()) {
        out.push_back(read_transaction(query));
    }
    return out;
}

} // namespace certforge
