// SPDX-License-Identifier: Apache-2.0
#include "postgres_database.hpp"

#include "certforge/errors.hpp"
#include "certforge/passwords.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/process.hpp"
#include "libpq_handles.hpp"
#include "postgres_schema.hpp"

#include <charconv>
#include <fmt/format.h>
#include <vector>

namespace certforge::ledger {
namespace {

using postgresql::check;
using postgresql::ResultPtr;

// libpq's type numbers (pg_type.h), given with every parameter so that the
// server never has to guess one.
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;

// Writers take turns on this transaction-scoped advisory lock ("certforg").
constexpr const char* kBeginWrite = "BEGIN; SELECT pg_advisory_xact_lock(7161680953474781799)";

// "?N" as PostgreSQL spells a parameter: "$N". The ledger's SQL has no
// question mark inside a string literal, and quoted text is left alone.
std::string postgres_parameters(std::string_view sql) {
    std::string out;
    out.reserve(sql.size());
    bool quoted = false;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (c == '\'') {
            quoted = !quoted;
        }
        const bool digit_follows = i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9';
        out.push_back(!quoted && c == '?' && digit_follows ? '$' : c);
    }
    return out;
}

class PostgresStatement final : public StatementBackend {
public:
    PostgresStatement(PGconn* connection, const std::string& name, std::string_view sql)
        : connection_(connection), name_(name), sql_(postgres_parameters(sql)) {}

    void bind_text(int index, std::string_view text) override {
        set(index, kTextOid, std::string(text), 0);
    }
    void bind_integer(int index, std::int64_t value) override {
        set(index, kInt8Oid, std::to_string(value), 0);
    }
    void bind_blob(int index, ByteView blob) override {
        set(index, kByteaOid, std::string(blob.begin(), blob.end()), 1);
    }
    // Unknown type: the server takes the column's.
    void bind_null(int index) override { set(index, 0, std::nullopt, 0); }

    bool step() override {
        if (!result_) {
            run();
            return row_ < PQntuples(result_.get());
        }
        ++row_;
        return row_ < PQntuples(result_.get());
    }
    std::int64_t changes() const override {
        const char* count = result_ ? PQcmdTuples(result_.get()) : "";
        std::int64_t value = 0;
        std::from_chars(count, count + std::char_traits<char>::length(count), value);
        return value;
    }

    bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column); }
    std::string text(int column) const override {
        return std::string(PQgetvalue(result_.get(), row_, column),
                           static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
    }
    std::int64_t integer(int column) const override {
        const char* value = PQgetvalue(result_.get(), row_, column);
        std::int64_t out = 0;
        std::from_chars(value, value + PQgetlength(result_.get(), row_, column), out);
        return out;
    }
    Bytes blob(int column) const override {
        std::size_t size = 0;
        unsigned char* raw = PQunescapeBytea(
            reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row_, column)), &size);
        if (raw == nullptr) {
            throw InternalError("CA ledger: cannot decode a bytea value");
        }
        Bytes out(raw, raw + size);
        PQfreemem(raw);
        return out;
    }

private:
    // A parameter the query does not use (an unset filter) is a text NULL:
    // the server refuses one of a type it cannot tell.
    void set(int index, Oid type, std::optional<std::string> value, int format) {
        const auto at = static_cast<std::size_t>(index - 1);
        if (values_.size() <= at) {
            values_.resize(at + 1);
            types_.resize(at + 1, kTextOid);
            formats_.resize(at + 1, 0);
        }
        values_[at] = std::move(value);
        types_[at] = type;
        formats_[at] = format;
    }

    void run() {
        std::vector<const char*> values;
        std::vector<int> lengths;
        for (const auto& value : values_) {
            values.push_back(value ? value->data() : nullptr);
            lengths.push_back(value ? static_cast<int>(value->size()) : 0);
        }
        result_.reset(PQexecParams(connection_, sql_.c_str(), static_cast<int>(values.size()),
                                   types_.data(), values.data(), lengths.data(), formats_.data(),
                                   0));
        const auto status = result_ ? PQresultStatus(result_.get()) : PGRES_FATAL_ERROR;
        check(connection_, result_.get(),
              status == PGRES_TUPLES_OK ? PGRES_TUPLES_OK : PGRES_COMMAND_OK, name_,
              "query failed");
    }

    PGconn* connection_;
    const std::string& name_;
    std::string sql_;
    std::vector<std::optional<std::string>> values_;
    std::vector<Oid> types_;
    std::vector<int> formats_;
    ResultPtr result_;
    int row_ = 0;
};

// The password of CERTFORGE_LEDGER_PASSWORD_FILE, when it is set.
std::optional<SecureString> password_from_file() {
    const auto file = platform::environment_variable("CERTFORGE_LEDGER_PASSWORD_FILE");
    if (!file || file->empty()) {
        return std::nullopt;
    }
    return read_password_file(utf8_path(*file));
}

class PostgresDatabase final : public Database {
public:
    explicit PostgresDatabase(const std::string& url) : name_(url) {
        const auto password = password_from_file();
        // Later keywords win: the URL may set its own connect_timeout or
        // application_name, never the encoding.
        std::vector<const char*> keywords{"connect_timeout", "application_name", "dbname",
                                          "client_encoding"};
        std::vector<const char*> values{"10", "certforge", url.c_str(), "UTF8"};
        if (password) {
            keywords.push_back("password");
            values.push_back(password->c_str());
        }
        keywords.push_back(nullptr);
        values.push_back(nullptr);
        connection_.reset(PQconnectdbParams(keywords.data(), values.data(), 1));
        if (connection_ == nullptr) {
            throw InternalError("CA ledger: libpq cannot allocate a connection");
        }
        if (PQstatus(connection_.get()) != CONNECTION_OK) {
            throw InputError(fmt::format("cannot open the CA ledger {}: {}", name_,
                                         postgresql::one_line(PQerrorMessage(connection_.get()))));
        }
        // libpq prints the server's notices (a WARNING when the server shuts
        // down) on stderr, which must hold only certforge's own lines.
        PQsetNoticeProcessor(
            connection_.get(), [](void*, const char*) {}, nullptr);
        if (PQserverVersion(connection_.get()) < 100000) {
            throw InputError(fmt::format("the CA ledger {} is on PostgreSQL {}; it needs 10 or "
                                         "newer",
                                         name_,
                                         PQparameterStatus(connection_.get(), "server_version")));
        }
        execute("SET lock_timeout = '30s'; SET statement_timeout = '60s'; "
                "SET idle_in_transaction_session_timeout = '60s'");
        prepare_postgres_schema(*this);
    }

    const std::string& name() const override { return name_; }
    std::unique_ptr<StatementBackend> prepare(std::string_view sql) override {
        return std::make_unique<PostgresStatement>(connection_.get(), name_, sql);
    }
    void execute(std::string_view sql) override {
        const std::string text(sql);
        const ResultPtr result(PQexec(connection_.get(), text.c_str()));
        check(connection_.get(), result.get(), PGRES_COMMAND_OK, name_, text);
    }
    void begin_write() override {
        const ResultPtr result(PQexec(connection_.get(), kBeginWrite));
        check(connection_.get(), result.get(), PGRES_TUPLES_OK, name_, "cannot begin a write");
    }
    void commit() override { execute("COMMIT"); }
    void rollback() noexcept override {
        if (PQstatus(connection_.get()) == CONNECTION_OK) {
            PQclear(PQexec(connection_.get(), "ROLLBACK"));
        }
    }

private:
    std::string name_;
    postgresql::ConnectionPtr connection_;
};

} // namespace

std::unique_ptr<Database> open_postgresql_ledger(const std::string& url) {
    return std::make_unique<PostgresDatabase>(url);
}

} // namespace certforge::ledger
