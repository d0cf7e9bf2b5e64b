// SPDX-License-Identifier: Apache-2.0
#include "sqlite_database.hpp"

#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "sqlite_handles.hpp"
#include "sqlite_schema.hpp"

#include <fmt/format.h>

namespace certforge::ledger {
namespace {

class SqliteStatement final : public StatementBackend {
public:
    SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
        sqlite3_stmt* raw = nullptr;
        sqlite::check(
            db, sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr),
            "cannot prepare a query");
        statement_.reset(raw);
    }

    void bind_text(int index, std::string_view text) override {
        bound(sqlite3_bind_text(statement_.get(), index, text.data(), static_cast<int>(text.size()),
                                SQLITE_TRANSIENT));
    }
    void bind_integer(int index, std::int64_t value) override {
        bound(sqlite3_bind_int64(statement_.get(), index, value));
    }
    void bind_blob(int index, ByteView blob) override {
        // An empty span may have no data pointer, which SQLite would bind as NULL.
        bound(blob.empty() ? sqlite3_bind_zeroblob(statement_.get(), index, 0)
                           : sqlite3_bind_blob(statement_.get(), index, blob.data(),
                                               static_cast<int>(blob.size()), SQLITE_TRANSIENT));
    }
    void bind_null(int index) override { bound(sqlite3_bind_null(statement_.get(), index)); }

    bool step() override {
        const int code = sqlite3_step(statement_.get());
        if (code == SQLITE_ROW) {
            return true;
        }
        sqlite::check(db_, code, "query failed", SQLITE_DONE);
        changes_ = sqlite3_changes(db_);
        return false;
    }
    std::int64_t changes() const override { return changes_; }

    bool is_null(int column) const override {
        return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
    }
    std::string text(int column) const override {
        const auto* data = sqlite3_column_text(statement_.get(), column);
        const int size = sqlite3_column_bytes(statement_.get(), column);
        return data ? std::string(reinterpret_cast<const char*>(data),
                                  static_cast<std::size_t>(size))
                    : std::string();
    }
    std::int64_t integer(int column) const override {
        return sqlite3_column_int64(statement_.get(), column);
    }
    Bytes blob(int column) const override {
        const auto* data =
            static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_.get(), column));
        const int size = sqlite3_column_bytes(statement_.get(), column);
        return data ? Bytes(data, data + size) : Bytes();
    }

private:
    void bound(int code) const { sqlite::check(db_, code, "cannot bind a value"); }

    sqlite3* db_;
    sqlite::StatementPtr statement_;
    std::int64_t changes_ = 0;
};

class SqliteDatabase final : public Database {
public:
    explicit SqliteDatabase(const std::filesystem::path& path) : name_(path_text(path)) {
        sqlite3* raw = nullptr;
        // SQLite takes UTF-8 names on every system.
        const std::u8string file = path.u8string();
        const int code = sqlite3_open_v2(reinterpret_cast<const char*>(file.c_str()), &raw,
                                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        db_.reset(raw);
        if (code != SQLITE_OK) {
            throw InputError(fmt::format("cannot open the CA ledger {}: {}", name_,
                                         raw ? sqlite3_errmsg(raw) : sqlite3_errstr(code)));
        }
        sqlite::check(raw, sqlite3_busy_timeout(raw, 30000), "cannot set a busy timeout");
        prepare_schema(raw, path);
    }

    const std::string& name() const override { return name_; }
    std::unique_ptr<StatementBackend> prepare(std::string_view sql) override {
        return std::make_unique<SqliteStatement>(db_.get(), sql);
    }
    void execute(std::string_view sql) override {
        const std::string text(sql);
        sqlite::execute(db_.get(), text.c_str());
    }
    void begin_write() override { sqlite::execute(db_.get(), "BEGIN IMMEDIATE"); }
    void commit() override { sqlite::execute(db_.get(), "COMMIT"); }
    void rollback() noexcept override {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }

private:
    std::string name_;
    sqlite::DatabasePtr db_;
};

} // namespace

std::unique_ptr<Database> open_sqlite_ledger(const std::filesystem::path& path) {
    return std::make_unique<SqliteDatabase>(path);
}

} // namespace certforge::ledger
