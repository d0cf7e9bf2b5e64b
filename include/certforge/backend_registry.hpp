// SPDX-License-Identifier: Apache-2.0
// The one place that knows which backends this build contains.
#pragma once

#include "certforge/backend.hpp"

#include <memory>
#include <string_view>
#include <vector>

namespace certforge {

// Names of the backends built in, default first.
std::vector<std::string_view> built_backends();

// The backend used when none is named (CERTFORGE_DEFAULT_BACKEND at build time).
std::string_view default_backend_name();

// A new instance of the named backend; an empty name means the default.
// Throws UsageError listing the built backends for an unknown name.
std::unique_ptr<Backend> make_backend(std::string_view name = {});

} // namespace certforge
