// SPDX-License-Identifier: Apache-2.0
// A build without cpp-httplib (the Windows build, or one without OpenSSL)
// has no SCEP server.
#include "certforge/errors.hpp"
#include "certforge/scep_server.hpp"

namespace certforge {

void require_scep_server_support() {
#if CERTFORGE_HAVE_OPENSSL
    throw UsageError("this certforge was built without an HTTP server library (cpp-httplib), "
                     "so it cannot serve SCEP");
#else
    throw UsageError("this certforge was built without OpenSSL, so it has no SCEP (SCEP's "
                     "messages are PKCS#7 on OpenSSL)");
#endif
}

void run_scep_server(ScepService&, const ScepServerOptions&, const std::function<bool()>&,
                     const std::function<void(std::string_view, int)>&,
                     const std::function<void(std::string_view)>&) {
    require_scep_server_support();
}

} // namespace certforge
