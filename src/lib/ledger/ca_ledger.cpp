// SPDX-License-Identifier: Apache-2.0
#include "certforge/ca_ledger.hpp"

#include "ca_ledger_impl.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "postgresql/postgres_database.hpp"
#include "sqlite/sqlite_database.hpp"

#include <array>
#include <cctype>
#include <fmt/format.h>

namespace certforge {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::pair<LedgerStatus, std::string_view>, 5> kStatusNames{{
    {LedgerStatus::pending, "pending"},
    {LedgerStatus::valid, "valid"},
    {LedgerStatus::superseded, "superseded"},
    {LedgerStatus::revoked, "revoked"},
    {LedgerStatus::abandoned, "abandoned"},
}};

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
    return path_text(fs::weakly_canonical(fs::absolute(path)));
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
    entry.serial = serial_hex(info);
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
    entry.sha256 = sha256_hex(info);
    entry.certificate_der = info.der;
    return entry;
}

std::string ledger_bundle_location(const fs::path& folder, std::string_view member) {
    return fmt::format("{}#import-bundle.zip/{}", ledger_location(folder), member);
}

namespace {

constexpr const char* kCaProperty = "ca_certificate_sha256";

void require_ca_folder(const fs::path& ca_dir) {
    if (!fs::exists(ca_dir / kCaCertFile)) {
        throw InputError(fmt::format("{} is not a CA folder (no {}); make one with 'certforge ca "
                                     "init'",
                                     path_text(ca_dir), kCaCertFile));
    }
}

std::optional<CaMetadata> read_metadata(const fs::path& ca_dir) {
    const fs::path file = ca_dir / kCaMetadataFile;
    if (!fs::exists(file)) {
        return std::nullopt;
    }
    return metadata_from_json(read_file(file), path_text(file));
}

std::unique_ptr<ledger::Database> open_database(const fs::path& ca_dir, const std::string& url) {
    if (url.empty()) {
        return ledger::open_sqlite_ledger(ca_dir / kCaLedgerFile);
    }
    check_ledger_url(url);
    return ledger::open_postgresql_ledger(url);
}

std::optional<std::string> bound_ca(ledger::Database& db) {
    ledger::Statement query(db, "SELECT value FROM properties WHERE name = ?1");
    query.bind(1, kCaProperty);
    if (!query.step()) {
        return std::nullopt;
    }
    return query.text(0);
}

} // namespace

std::string ca_ledger_url(const fs::path& ca_dir) {
    require_ca_folder(ca_dir);
    const auto metadata = read_metadata(ca_dir);
    return metadata ? metadata->ledger : std::string();
}

bool ca_has_ledger(const fs::path& ca_dir) {
    return !ca_ledger_url(ca_dir).empty() || fs::exists(ca_dir / kCaLedgerFile);
}

CaLedger::CaLedger(const fs::path& ca_dir) : impl_(std::make_unique<Impl>()) {
    require_ca_folder(ca_dir);
    const auto metadata = read_metadata(ca_dir);
    impl_->db = open_database(ca_dir, metadata ? metadata->ledger : std::string());
    if (!metadata || metadata->certificate_sha256.empty()) {
        return;
    }
    const auto bound = bound_ca(*impl_->db);
    if (!bound) {
        bind_ca(metadata->certificate_sha256);
    } else if (*bound != metadata->certificate_sha256) {
        throw InputError(fmt::format("the CA ledger {} belongs to another CA (certificate sha256 "
                                     "{}), not to {} ({})",
                                     impl_->db->name(), excerpt(*bound, 16), path_text(ca_dir),
                                     excerpt(metadata->certificate_sha256, 16)));
    }
}

CaLedger::CaLedger(const fs::path& ca_dir, const std::string& url)
    : impl_(std::make_unique<Impl>()) {
    impl_->db = open_database(ca_dir, url);
}

CaLedger::~CaLedger() = default;

const std::string& CaLedger::name() const noexcept {
    return impl_->db->name();
}

void CaLedger::bind_ca(std::string_view certificate_sha256) {
    ledger::WriteTransaction transaction(*impl_->db);
    ledger::Statement(*impl_->db, "INSERT INTO properties (name, value) VALUES (?1, ?2) ON "
                                  "CONFLICT (name) DO UPDATE SET value = ?2")
        .bind(1, kCaProperty)
        .bind(2, certificate_sha256)
        .run();
    transaction.commit();
}

} // namespace certforge
