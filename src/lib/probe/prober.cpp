// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/probe.hpp"

#if CERTFORGE_HAVE_OPENSSL
#include "openssl_prober.hpp"
#endif

namespace certforge {

std::unique_ptr<TlsProber> make_tls_prober() {
#if CERTFORGE_HAVE_OPENSSL
    return make_openssl_prober();
#else
    throw UsageError("the probe is OpenSSL's TLS client, and this build has no OpenSSL backend "
                     "(configure with CERTFORGE_WITH_OPENSSL=ON)");
#endif
}

} // namespace certforge
