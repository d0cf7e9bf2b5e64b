// SPDX-License-Identifier: Apache-2.0
#include "database.hpp"

namespace certforge::ledger {

Statement::Statement(Database& db, std::string_view sql) : backend_(db.prepare(sql)) {}

Statement& Statement::bind(int index, std::string_view text) {
    backend_->bind_text(index, text);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    backend_->bind_integer(index, value);
    return *this;
}

Statement& Statement::bind(int index, ByteView blob) {
    backend_->bind_blob(index, blob);
    return *this;
}

Statement& Statement::bind_null(int index) {
    backend_->bind_null(index);
    return *this;
}

bool Statement::step() {
    return backend_->step();
}

std::int64_t Statement::run() {
    while (backend_->step()) {
    }
    return backend_->changes();
}

std::string Statement::text(int column) const {
    return backend_->text(column);
}

std::int64_t Statement::integer(int column) const {
    return backend_->integer(column);
}

std::optional<std::int64_t> Statement::optional_integer(int column) const {
    if (backend_->is_null(column)) {
        return std::nullopt;
    }
    return backend_->integer(column);
}

Bytes Statement::blob(int column) const {
    return backend_->blob(column);
}

WriteTransaction::WriteTransaction(Database& db) : db_(db) {
    db_.begin_write();
}

WriteTransaction::~WriteTransaction() {
    if (!done_) {
        db_.rollback();
    }
}

void WriteTransaction::commit() {
    db_.commit();
    done_ = true;
}

} // namespace certforge::ledger
