// SPDX-License-Identifier: Apache-2.0
// A build without cpp-httplib (the Windows build) has no SCEP server.
#include "certforge/errors.hpp"
#include "certforge/scep_server.hpp"

namespace certforge {

void run_scep_server(ScepService&, const ScepServerOptions&, const std::function<bool()>&,
                     const std::function<void(std::string_view, int)>&,
                     const std::function<void(std::string_view)>&) {
    throw UsageError("this certforge was built without an HTTP server library (cpp-httplib), "
                     "so it cannot serve SCEP");
}

} // namespace certforge
