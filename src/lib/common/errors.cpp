// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"

#include <fmt/format.h>

namespace certforge {

ProfileError::ProfileError(std::string path, long line, long column, const std::string& message)
    : InputError(fmt::format("{}:{}:{}: {}", path, line, column, message)), path_(std::move(path)),
      line_(line), column_(column) {}

ProfileError::ProfileError(std::string path, const std::string& message)
    : InputError(fmt::format("{}: {}", path, message)), path_(std::move(path)) {}

RefusedError::RefusedError(std::string rule, std::string profile, const std::string& message,
                           FixHint hint)
    : InputError(message), rule_(std::move(rule)), profile_(std::move(profile)), hint_(hint) {}

std::string RefusedError::with_fix(std::string_view fix) const {
    return fmt::format("{} (profile {}, rule {}); fix: {}", what(), profile_, rule_, fix);
}

} // namespace certforge
