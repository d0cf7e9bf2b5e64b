// SPDX-License-Identifier: Apache-2.0
#include "ca_ledger_impl.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

namespace fs = std::filesystem;
using ledger::Statement;
using ledger::WriteTransaction;

// Only a pending entry changes: a revocation that came in between stays.
void settle(ledger::Database& db, std::string_view serial, LedgerStatus status) {
    Statement(db, "UPDATE certificates SET status = ?1 WHERE serial = ?2 AND status = 'pending'")
        .bind(1, to_string(status))
        .bind(2, serial)
        .run();
}

std::string location_of(ledger::Database& db, std::string_view serial) {
    Statement query(db, "SELECT location FROM certificates WHERE serial = ?1");
    query.bind(1, serial);
    return query.step() ? query.text(0) : std::string();
}

// A folder's new certificate supersedes the folder's older one and the
// companions that came with it (its files were all replaced).
void deliver(ledger::Database& db, std::string_view serial) {
    Statement(db, "UPDATE certificates SET status = 'superseded' WHERE status = 'valid' "
                  "AND serial <> ?1 AND location = (SELECT location FROM certificates "
                  "WHERE serial = ?1)")
        .bind(1, serial)
        .run();
    Statement(db, "UPDATE certificates SET status = 'superseded' WHERE status = 'valid' "
                  "AND serial <> ?1 AND substr(location, 1, length(?2) + 19) = ?2 || "
                  "'#import-bundle.zip/'")
        .bind(1, serial)
        .bind(2, location_of(db, serial))
        .run();
    settle(db, serial, LedgerStatus::valid);
}

} // namespace

namespace ledger {

std::int64_t insert_entry(ledger::Database& db, const LedgerEntry& entry, LedgerStatus status) {
    Statement existing(db, "SELECT sequence FROM certificates WHERE serial = ?1");
    existing.bind(1, entry.serial);
    if (existing.step()) {
        throw InputError(fmt::format("serial {} is in the CA ledger already", entry.serial));
    }
    // The sequence is counted here, not by the database, so that it has no
    // gaps on either: the write lock makes MAX + 1 safe.
    Statement insert(db, "INSERT INTO certificates (sequence, serial, subject, common_name, "
                         "subject_alt_names, site, profile, source, location, not_before, "
                         "not_after, issued_at, sha256, status, certificate) VALUES ((SELECT "
                         "COALESCE(MAX(sequence), 0) + 1 FROM certificates), ?1, ?2, ?3, ?4, ?5, "
                         "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?14, ?13) RETURNING sequence");
    insert.bind(1, entry.serial)
        .bind(2, entry.subject)
        .bind(3, entry.common_name)
        .bind(4, fmt::format("{}", fmt::join(entry.subject_alt_names, ",")))
        .bind(5, entry.site)
        .bind(6, entry.profile)
        .bind(7, entry.source)
        .bind(8, entry.location)
        .bind(9, std::int64_t{entry.not_before})
        .bind(10, std::int64_t{entry.not_after})
        .bind(11, std::int64_t{entry.issued_at})
        .bind(12, entry.sha256)
        .bind(13, ByteView(entry.certificate_der))
        .bind(14, to_string(status));
    insert.step();
    const std::int64_t sequence = insert.integer(0);
    insert.run();
    return sequence;
}

} // namespace ledger

std::int64_t CaLedger::record_pending(const LedgerEntry& entry) {
    WriteTransaction transaction(*impl_->db);
    const std::int64_t sequence = ledger::insert_entry(*impl_->db, entry, LedgerStatus::pending);
    transaction.commit();
    return sequence;
}

void CaLedger::record_pending(const std::vector<LedgerEntry>& entries) {
    WriteTransaction transaction(*impl_->db);
    for (const auto& entry : entries) {
        ledger::insert_entry(*impl_->db, entry, LedgerStatus::pending);
    }
    transaction.commit();
}

void CaLedger::mark_delivered(std::string_view serial) {
    mark_delivered(std::vector<std::string>{std::string(serial)});
}

void CaLedger::mark_delivered(const std::vector<std::string>& serials) {
    WriteTransaction transaction(*impl_->db);
    for (const auto& serial : serials) {
        deliver(*impl_->db, serial);
    }
    transaction.commit();
}

void CaLedger::mark_abandoned(std::string_view serial) {
    mark_abandoned(std::vector<std::string>{std::string(serial)});
}

void CaLedger::mark_abandoned(const std::vector<std::string>& serials) {
    WriteTransaction transaction(*impl_->db);
    for (const auto& serial : serials) {
        settle(*impl_->db, serial, LedgerStatus::abandoned);
    }
    transaction.commit();
}

ReconcileResult CaLedger::reconcile_pending(const std::string& location,
                                            std::string_view current_sha256) {
    ledger::Database& db = *impl_->db;
    WriteTransaction transaction(db);
    Statement pending(db, "SELECT serial, sha256, issued_at FROM certificates WHERE location = ?1 "
                          "AND status = 'pending' ORDER BY sequence");
    pending.bind(1, location);
    struct Found {
        std::string serial;
        std::string sha256;
        std::int64_t issued_at;
    };
    std::vector<Found> found;
    while (pending.step()) {
        found.push_back({pending.text(0), pending.text(1), pending.integer(2)});
    }
    // Certificates recorded with the folder's server certificate (the
    // devices' own, inside the bundle) share its fate: they were in the
    // same set of files.
    const auto companions = [&](std::int64_t issued_at) {
        Statement query(db, "SELECT serial FROM certificates WHERE status = 'pending' AND "
                            "issued_at = ?2 AND substr(location, 1, length(?1) + 19) = ?1 || "
                            "'#import-bundle.zip/'");
        query.bind(1, location).bind(2, issued_at);
        std::vector<std::string> serials;
        while (query.step()) {
            serials.push_back(query.text(0));
        }
        return serials;
    };
    ReconcileResult result;
    for (const auto& entry : found) {
        const bool landed = !current_sha256.empty() && entry.sha256 == current_sha256;
        // The server certificate first: delivering it supersedes the
        // folder's older companions, not these (they are still pending).
        const auto serials = companions(entry.issued_at);
        if (landed) {
            deliver(db, entry.serial);
            ++result.delivered;
        } else {
            settle(db, entry.serial, LedgerStatus::abandoned);
            ++result.abandoned;
        }
        for (const auto& serial : serials) {
            if (landed) {
                deliver(db, serial);
            } else {
                settle(db, serial, LedgerStatus::abandoned);
            }
        }
    }
    transaction.commit();
    return result;
}

std::vector<fs::path> deliver_recorded(CaLedger& ledger, const LedgerEntry& entry,
                                       OutputSet& output,
                                       const std::function<void()>& after_record) {
    return deliver_recorded(ledger, std::vector<LedgerEntry>{entry}, output, after_record);
}

std::vector<fs::path> deliver_recorded(CaLedger& ledger, const std::vector<LedgerEntry>& entries,
                                       OutputSet& output,
                                       const std::function<void()>& after_record) {
    std::vector<std::string> serials;
    for (const auto& entry : entries) {
        serials.push_back(entry.serial);
    }
    ledger.record_pending(entries);
    if (after_record) {
        after_record();
    }
    std::vector<fs::path> written;
    try {
        written = output.commit();
    } catch (...) {
        ledger.mark_abandoned(serials);
        throw;
    }
    ledger.mark_delivered(serials);
    return written;
}

} // namespace certforge
