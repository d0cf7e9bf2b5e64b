#include "certforge/ca_ledger.hpp"

#include "certforge/ca_folder.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/text.hpp"
#include "ledger_schema.hpp"
#include "sqlite_handles.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

namespace certforge {
namespace {

namespace fs = std::filesystem;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::array<std::pair<LedgerStatus, std::string_view>, 5> kStatusNames{{
    {LedgerStatus::pending, "pending"},
    {LedgerStatus::valid, "valid"},
    {LedgerStatus::superseded, "superseded"},
    {LedgerStatus::revoked, "revoked"},
    {LedgerStatus::abandoned, "abandoned"},
}};

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

std::string join_names(const std::vector<std::string>& names) {
    return fmt::format("{}", fmt::join(names, ","));
}

} // namespace

std::string_view to_string(LedgerStatus status) {
    for (const auto& [value, name] : kStatusNames) {
        if (value == status) {
            return name;
        }
    }
    return "pending";
}

LedgerStatus ledger_status_from_name(std::string_view name) {
    std::vector<std::string_view> names;
    for (const auto& [value, text] : kStatusNames) {
        if (text == name) {
            return value;
        }
        names.push_back(text);
    }
    throw UsageError(fmt::format("unknown status '{}' (one of: {})", name, fmt::join(names, ", ")));
}

std::string ledger_location(const fs::path& path) {
    return fs::weakly_canonical(fs::absolute(path)).string();
}

std::string normalize_serial(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == ':') {
            continue;
        }
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            throw UsageError(fmt::format("'{}' is not a serial number in hex", text));
        }
        out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    const auto first = out.find_first_not_of('0');
    out = first == std::string::npos ? std::string("0") : out.substr(first);
    if (out.size() % 2 != 0) {
        out.insert(out.begin(), '0');
    }
    return out;
}

LedgerEntry make_ledger_entry(const CertInfo& info, std::string profile, std::string source,
                              std::string site, std::string location, UnixTime issued_at) {
    LedgerEntry entry;
    entry.serial = normalize_serial(to_hex(info.serial));
    entry.subject = info.subject.to_string();
    entry.common_name = info.subject.common_name().value_or("");
    for (const auto& san : info.subject_alt_names) {
        entry.subject_alt_names.push_back(to_string(san));
    }
    entry.site = std::move(site);
    entry.profile = std::move(profile);
    entry.source = std::move(source);
    entry.location = std::move(location);
    entry.not_before = info.not_before;
    entry.not_after = info.not_after;
    entry.issued_at = issued_at;
    entry.sha256 = to_hex(info.sha256_fingerprint);
    entry.certificate_der = info.der;
    return entry;
}

struct CaLedger::Impl {
    fs::path path;
    sqlite::DatabasePtr db;

    // Only a pending entry changes: a revocation that came in between stays.
    void settle(std::string_view serial, LedgerStatus status) {
        Statement(db.get(),
                  "UPDATE certificates SET status = ?1 WHERE serial = ?2 AND status = 'pending'")
            .bind(1, to_string(status))
            .bind(2, serial)
            .run();
    }

    std::int64_t insert_pending(const LedgerEntry& entry);

    std::string location_of(std::string_view serial) {
        Statement query(db.get(), "SELECT location FROM certificates WHERE serial = ?1");
        query.bind(1, serial);
        return query.step() ? query.text(0) : std::string();
    }

    // A folder's new certificate supersedes the folder's older one and the
    // companions that came with it (its files were all replaced).
    void deliver(std::string_view serial) {
        Statement(db.get(), "UPDATE certificates SET status = 'superseded' WHERE status = 'valid' "
                            "AND serial <> ?1 AND location = (SELECT location FROM certificates "
                            "WHERE serial = ?1)")
            .bind(1, serial)
            .run();
        Statement(db.get(), "UPDATE certificates SET status = 'superseded' WHERE status = 'valid' "
                            "AND serial <> ?1 AND substr(location, 1, length(?2) + 19) = ?2 || "
                            "'#import-bundle.zip/'")
            .bind(1, serial)
            .bind(2, location_of(serial))
            .run();
        settle(serial, LedgerStatus::valid);
    }
};

CaLedger::CaLedger(const fs::path& ca_dir) : impl_(std::make_unique<Impl>()) {
    if (!fs::exists(ca_dir / kCaCertFile)) {
        throw InputError(fmt::format("{} is not a CA folder (no {}); make one with 'certforge ca "
                                     "init'",
                                     ca_dir.string(), kCaCertFile));
    }
    impl_->path = ca_dir / kCaLedgerFile;
    sqlite3* raw = nullptr;
    const int code = sqlite3_open_v2(impl_->path.c_str(), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    impl_->db.reset(raw);
    if (code != SQLITE_OK) {
        throw InputError(fmt::format("cannot open the CA ledger {}: {}", impl_->path.string(),
                                     raw ? sqlite3_errmsg(raw) : sqlite3_errstr(code)));
    }
    sqlite3* db = impl_->db.get();
    sqlite::check(db, sqlite3_busy_timeout(db, 30000), "cannot set a busy timeout");
    ledger::prepare_schema(db, impl_->path);
}

CaLedger::~CaLedger() = default;

const fs::path& CaLedger::path() const noexcept {
    return impl_->path;
}

std::int64_t CaLedger::record_pending(const LedgerEntry& entry) {
    Transaction transaction(impl_->db.get());
    const std::int64_t sequence = impl_->insert_pending(entry);
    transaction.commit();
    return sequence;
}

void CaLedger::record_pending(const std::vector<LedgerEntry>& entries) {
    Transaction transaction(impl_->db.get());
    for (const auto& entry : entries) {
        impl_->insert_pending(entry);
    }
    transaction.commit();
}

std::int64_t CaLedger::Impl::insert_pending(const LedgerEntry& entry) {
    sqlite3* const handle = db.get();
    Statement existing(handle, "SELECT sequence FROM certificates WHERE serial = ?1");
    existing.bind(1, entry.serial);
    if (existing.step()) {
        throw InputError(fmt::format("serial {} is in the CA ledger already", entry.serial));
    }
    Statement insert(handle,
                     "INSERT INTO certificates (serial, subject, common_name, "
                     "subject_alt_names, site, profile, source, location, not_before, "
                     "not_after, issued_at, sha256, status, certificate) VALUES (?1, ?2, ?3, "
                     "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?13)");
    insert.bind(1, entry.serial)
        .bind(2, entry.subject)
        .bind(3, entry.common_name)
        .bind(4, join_names(entry.subject_alt_names))
        .bind(5, entry.site)
        .bind(6, entry.profile)
        .bind(7, entry.source)
        .bind(8, entry.location)
        .bind(9, std::int64_t{entry.not_before})
        .bind(10, std::int64_t{entry.not_after})
        .bind(11, std::int64_t{entry.issued_at})
        .bind(12, entry.sha256)
        .bind(13, ByteView(entry.certificate_der))
        .run();
    return sqlite3_last_insert_rowid(handle);
}

void CaLedger::mark_delivered(std::string_view serial) {
    mark_delivered(std::vector<std::string>{std::string(serial)});
}

void CaLedger::mark_delivered(const std::vector<std::string>& serials) {
    Transaction transaction(impl_->db.get());
    for (const auto& serial : serials) {
        impl_->deliver(serial);
    }
    transaction.commit();
}

void CaLedger::mark_abandoned(std::string_view serial) {
    mark_abandoned(std::vector<std::string>{std::string(serial)});
}

void CaLedger::mark_abandoned(const std::vector<std::string>& serials) {
    Transaction transaction(impl_->db.get());
    for (const auto& serial : serials) {
        impl_->settle(serial, LedgerStatus::abandoned);
    }
    transaction.commit();
}

ReconcileResult CaLedger::reconcile_pending(const std::string& location,
                                            std::string_view current_sha256) {
    sqlite3* db = impl_->db.get();
    Transaction transaction(db);
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
            impl_->deliver(entry.serial);
            ++result.delivered;
        } else {
            impl_->settle(entry.serial, LedgerStatus::abandoned);
            ++result.abandoned;
        }
        for (const auto& serial : serials) {
            if (landed) {
                impl_->deliver(serial);
            } else {
                impl_->settle(serial, LedgerStatus::abandoned);
            }
        }
    }
    transaction.commit();
    return result;
}

std::vector<LedgerEntry> CaLedger::entries(const LedgerFilter& filter) const {
    std::string sql = fmt::format("SELECT {} FROM certificates WHERE 1", kColumns);
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
    Statement query(impl_->db.get(), sql);
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
    Statement query(impl_->db.get(),
                    fmt::format("SELECT {} FROM certificates WHERE serial = ?1", kColumns));
    query.bind(1, normalize_serial(serial));
    if (!query.step()) {
        return std::nullopt;
    }
    return read_entry(query);
}

LedgerEntry CaLedger::revoke(std::string_view serial, RevocationReason reason, UnixTime when) {
    sqlite3* db = impl_->db.get();
    Transaction transaction(db);
    const auto entry = find(serial);
    if (!entry) {
        throw InputError(fmt::format("no certificate with serial {} in {}",
                                     normalize_serial(serial), impl_->path.string()));
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
    sqlite3* db = impl_->db.get();
    Transaction transaction(db);
    Statement(db, "INSERT INTO counters (name, value) VALUES ('crl_number', 1) "
                  "ON CONFLICT (name) DO UPDATE SET value = value + 1")
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

std::string ledger_bundle_location(const fs::path& folder, std::string_view member) {
    return fmt::format("{}#import-bundle.zip/{}", ledger_location(folder), member);
}

} // namespace certforge
