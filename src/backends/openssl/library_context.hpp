// SPDX-License-Identifier: Apache-2.0
// Every OpenSSL library context certforge works in (backend, containers,
// prober) comes from new_library_context(), so that process-wide settings
// reach all of them in one place.
#pragma once

#include "openssl_handles.hpp"

namespace certforge::openssl {

// A fresh OSSL_LIB_CTX; throws CryptoError when OpenSSL cannot make one.
// In a test build with CERTFORGE_TEST_FIXED_RANDOM set (lib/common/
// test_hooks.hpp) every OpenSSL random number of the process becomes a fixed
// sequence derived from that seed, from the first context on.
LibCtxPtr new_library_context();

} // namespace certforge::openssl
