// SPDX-License-Identifier: Apache-2.0
// The only thing the registry sees of the OpenSSL backend.
#pragma once

#include "certforge/backend.hpp"

#include <memory>

namespace certforge {

std::unique_ptr<Backend> make_openssl_backend();

} // namespace certforge
