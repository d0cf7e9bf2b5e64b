// SPDX-License-Identifier: Apache-2.0
// Internal: the text of an errno value for messages, as strerror gives it,
// without strerror's shared buffer (safe from any thread).
#pragma once

#include <string>

namespace certforge::detail {

// The text of `error` ("No such file or directory").
std::string errno_text(int error);
// The text of errno as it is now.
std::string errno_text();

} // namespace certforge::detail
