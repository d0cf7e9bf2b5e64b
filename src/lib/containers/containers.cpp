// SPDX-License-Identifier: Apache-2.0
#include "certforge/containers.hpp"

#include "certforge/errors.hpp"

#if CERTFORGE_HAVE_OPENSSL
#include "openssl_containers.hpp"
#endif

namespace certforge {

std::unique_ptr<ContainerCodec> make_container_codec() {
#if CERTFORGE_HAVE_OPENSSL
    return make_openssl_container_codec();
#else
    throw UsageError("PKCS#12 and PKCS#7 files are written with OpenSSL, and this build has no "
                     "OpenSSL backend (configure with CERTFORGE_WITH_OPENSSL=ON)");
#endif
}

} // namespace certforge
