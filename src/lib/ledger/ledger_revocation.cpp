// SPDX-License-Identifier: Apache-2.0
#include "ca_ledger_impl.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {

using ledger::Statement;
using ledger::WriteTransaction;

LedgerEntry CaLedger::revoke(std::string_view serial, RevocationReason reason, UnixTime when) {
    ledger::Database& db = *impl_->db;
    WriteTransaction transaction(db);
    const auto entry = find(serial);
    if (!entry) {
        throw InputError(fmt::format("no certificate with serial {} in {}",
                                     normalize_serial(serial), impl_->db->name()));
    }
    if (entry->status == LedgerStatus::revoked) {
        throw InputError(fmt::format("certificate {} was revoked already on {} ({})", entry->serial,
                                     format_utc(entry->revoked_at.value_or(0)),
                                     to_string(entry->revocation_reason)));
    }
    Statement(db, "UPDATE certificates SET status = 'revoked', revoked_at = ?1, "
                  "revocation_reason = ?2 WHERE serial = ?3")
        .bind(1, std::int64_t{when})
        .bind(2, static_cast<std::int64_t>(reason))
        .bind(3, entry->serial)
        .run();
    transaction.commit();
    return *entry;
}

std::uint64_t CaLedger::next_crl_number() {
    ledger::Database& db = *impl_->db;
    WriteTransaction transaction(db);
    Statement(db, "INSERT INTO counters (name, value) VALUES ('crl_number', 1) "
                  "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1")
        .run();
    Statement read(db, "SELECT value FROM counters WHERE name = 'crl_number'");
    read.step();
    const auto number = static_cast<std::uint64_t>(read.integer(0));
    transaction.commit();
    return number;
}

CrlTemplate make_crl_template(const std::vector<LedgerEntry>& revoked, std::uint64_t number,
                              HashAlgorithm hash, UnixTime now, unsigned days) {
    CrlTemplate crl;
    crl.this_update = now;
    crl.next_update = now + static_cast<UnixTime>(days) * 86400;
    crl.signature_hash = hash;
    for (int shift = 56; shift >= 0; shift -= 8) {
        const auto byte = static_cast<std::uint8_t>(number >> shift);
        if (byte != 0 || !crl.crl_number.empty()) {
            crl.crl_number.push_back(byte);
        }
    }
    if (crl.crl_number.empty()) {
        crl.crl_number.push_back(0);
    }
    for (const auto& entry : revoked) {
        RevokedCertificate out;
        for (std::size_t i = 0; i + 1 < entry.serial.size(); i += 2) {
            out.serial.push_back(
                static_cast<std::uint8_t>(std::stoul(entry.serial.substr(i, 2), nullptr, 16)));
        }
        out.revoked_at = entry.revoked_at.value_or(now);
        out.reason = entry.revocation_reason;
        crl.revoked.push_back(std::move(out));
    }
    std::sort(crl.revoked.begin(), crl.revoked.end(), [](const auto& a, const auto& b) {
        auto significant = [](const Bytes& bytes) {
            const auto first =
                std::find_if(bytes.begin(), bytes.end(), [](auto octet) { return octet != 0; });
            return std::vector<std::uint8_t>(first, bytes.end());
        };
        const Bytes x = significant(a.serial);
        const Bytes y = significant(b.serial);
        return x.size() != y.size() ? x.size() < y.size() : x < y;
    });
    return crl;
}

} // namespace certforge
