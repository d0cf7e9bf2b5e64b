// SPDX-License-Identifier: Apache-2.0
// Internal: the one interface the ledger's SQL runs through, with a backend
// per database (sqlite/, postgresql/). The ledger's queries are written once:
// positional parameters ?1, ?2, ... and SQL both databases take.
//
// A Database is one connection, used by one thread at a time. Errors the
// database or its server reports about itself (a bad file, a lost
// connection, a missing grant) are InputError naming the ledger; a query
// the database rejects as malformed is InternalError.
#pragma once

#include "certforge/bytes.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace certforge::ledger {

// A statement as a backend runs it. step() runs it on the first call and
// then moves row by row; the column readers read the current row.
class StatementBackend {
public:
    virtual ~StatementBackend() = default;
    virtual void bind_text(int index, std::string_view text) = 0;
    virtual void bind_integer(int index, std::int64_t value) = 0;
    virtual void bind_blob(int index, ByteView blob) = 0;
    virtual void bind_null(int index) = 0;
    // True while there is a row to read.
    virtual bool step() = 0;
    // The rows an INSERT, UPDATE or DELETE changed, once it ran.
    virtual std::int64_t changes() const = 0;
    virtual bool is_null(int column) const = 0;
    virtual std::string text(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;
    virtual Bytes blob(int column) const = 0;
};

class Database {
public:
    virtual ~Database() = default;
    // The ledger as errors name it: ca.db's path, or the URL (which never
    // holds a password).
    virtual const std::string& name() const = 0;
    virtual std::unique_ptr<StatementBackend> prepare(std::string_view sql) = 0;
    // Runs SQL without parameters that returns no rows.
    virtual void execute(std::string_view sql) = 0;
    // Starts a transaction holding the ledger's write lock: writers, in this
    // process or on other machines, take turns, so every decision a
    // transaction makes from what it reads stays true until it commits.
    virtual void begin_write() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
};

// A prepared statement: bind by position (from 1), step, read columns.
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, ByteView blob);
    Statement& bind_null(int index);
    bool step();
    // Runs a statement and returns the rows it changed.
    std::int64_t run();

    std::string text(int column) const;
    std::int64_t integer(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const;
    Bytes blob(int column) const;

private:
    std::unique_ptr<StatementBackend> backend_;
};

// begin_write() ... commit(); rolled back when destroyed uncommitted.
class WriteTransaction {
public:
    explicit WriteTransaction(Database& db);
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

} // namespace certforge::ledger
