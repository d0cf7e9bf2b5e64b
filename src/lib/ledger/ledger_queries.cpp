// SPDX-License-Identifier: Apache-2.0
#include "ca_ledger_impl.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/text.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

using ledger::Statement;

constexpr const char* kColumns =
    "sequence, serial, subject, common_name, subject_alt_names, site, profile, source, location, "
    "not_before, not_after, issued_at, sha256, status, revoked_at, revocation_reason, certificate";

LedgerEntry read_entry(const Statement& row) {
    LedgerEntry entry;
    entry.sequence = row.integer(0);
    entry.serial = row.text(1);
    entry.subject = row.text(2);
    entry.common_name = row.text(3);
    entry.subject_alt_names = split(row.text(4), ',');
    entry.site = row.text(5);
    entry.profile = row.text(6);
    entry.source = row.text(7);
    entry.location = row.text(8);
    entry.not_before = row.integer(9);
    entry.not_after = row.integer(10);
    entry.issued_at = row.integer(11);
    entry.sha256 = row.text(12);
    entry.status = ledger_status_from_name(row.text(13));
    entry.revoked_at = row.optional_integer(14);
    entry.revocation_reason = static_cast<RevocationReason>(row.optional_integer(15).value_or(0));
    entry.certificate_der = row.blob(16);
    return entry;
}

} // namespace

std::vector<LedgerEntry> CaLedger::entries(const LedgerFilter& filter) const {
    std::string sql = fmt::format("SELECT {} FROM certificates WHERE TRUE", kColumns);
    if (filter.status) {
        sql += " AND status = ?1";
    }
    if (filter.not_after_before) {
        sql += " AND not_after <= ?2";
    }
    if (!filter.site.empty()) {
        sql += " AND site = ?3";
    }
    if (!filter.location.empty()) {
        sql += " AND location = ?4";
    }
    if (!filter.companions_of.empty()) {
        sql += " AND substr(location, 1, length(?5) + 19) = ?5 || '#import-bundle.zip/'";
    }
    sql += " ORDER BY sequence";
    Statement query(*impl_->db, sql);
    if (filter.status) {
        query.bind(1, to_string(*filter.status));
    }
    if (filter.not_after_before) {
        query.bind(2, std::int64_t{*filter.not_after_before});
    }
    if (!filter.site.empty()) {
        query.bind(3, filter.site);
    }
    if (!filter.location.empty()) {
        query.bind(4, filter.location);
    }
    if (!filter.companions_of.empty()) {
        query.bind(5, filter.companions_of);
    }
    std::vector<LedgerEntry> out;
    while (query.step()) {
        out.push_back(read_entry(query));
    }
    return out;
}

std::optional<LedgerEntry> CaLedger::find(std::string_view serial) const {
    Statement query(*impl_->db,
                    fmt::format("SELECT {} FROM certificates WHERE serial = ?1", kColumns));
    query.bind(1, normalize_serial(serial));
    if (!query.step()) {
        return std::nullopt;
    }
    return read_entry(query);
}

} // namespace certforge
