// SPDX-License-Identifier: Apache-2.0
#include "certforge/ca_ledger.hpp"

#include "ca_ledger_impl.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "ledger_schema.hpp"

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

CaLedger::CaLedger(const fs::path& ca_dir) : impl_(std::make_unique<Impl>()) {
    if (!fs::exists(ca_dir / kCaCertFile)) {
        throw InputError(fmt::format("{} is not a CA folder (no {}); make one with 'certforge ca "
                                     "init'",
                                     path_text(ca_dir), kCaCertFile));
    }
    impl_->path = ca_dir / kCaLedgerFile;
    sqlite3* raw = nullptr;
    // SQLite takes UTF-8 names on every system.
    const std::u8string file = impl_->path.u8string();
    const int code = sqlite3_open_v2(reinterpret_cast<const char*>(file.c_str()), &raw,
                                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    impl_->db.reset(raw);
    if (code != SQLITE_OK) {
        throw InputError(fmt::format("cannot open the CA ledger {}: {}", path_text(impl_->path),
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

} // namespace certforge
