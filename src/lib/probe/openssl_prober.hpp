// SPDX-License-Identifier: Apache-2.0
// Internal: the prober's one implementation, OpenSSL's TLS client at
// security level 0 (built only with the OpenSSL backend; prober.cpp chooses
// it).
#pragma once

#include "certforge/probe.hpp"

#include <memory>

namespace certforge {

std::unique_ptr<TlsProber> make_openssl_prober();

} // namespace certforge
