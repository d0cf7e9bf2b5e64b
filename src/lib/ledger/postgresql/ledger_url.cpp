// SPDX-License-Identifier: Apache-2.0
#include "certforge/ca_ledger.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "libpq_handles.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

struct OptionsFreer {
    void operator()(PQconninfoOption* options) const noexcept { PQconninfoFree(options); }
};

} // namespace

void check_ledger_url(std::string_view url) {
    if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
        throw UsageError(fmt::format("--ledger '{}' is not a PostgreSQL URL "
                                     "(postgresql://USER@HOST:PORT/DATABASE)",
                                     excerpt(url)));
    }
    const std::string text(url);
    char* error = nullptr;
    const std::unique_ptr<PQconninfoOption, OptionsFreer> options(
        PQconninfoParse(text.c_str(), &error));
    if (!options) {
        const std::string message = error ? postgresql::one_line(error) : "out of memory";
        PQfreemem(error);
        throw UsageError(fmt::format("--ledger: {}", message));
    }
    for (const auto* option = options.get(); option->keyword != nullptr; ++option) {
        if (std::string_view(option->keyword) == "password" && option->val != nullptr) {
            throw UsageError("--ledger: the URL holds a password, which would be stored in "
                             "ca.json; give it through PGPASSFILE, PGPASSWORD or "
                             "CERTFORGE_LEDGER_PASSWORD_FILE instead");
        }
    }
}

} // namespace certforge
