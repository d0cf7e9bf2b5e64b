// SPDX-License-Identifier: Apache-2.0
// A build without OpenSSL has no SCEP message layer.
#include "certforge/errors.hpp"
#include "certforge/scep_message.hpp"

namespace certforge {

std::unique_ptr<ScepCodec> make_scep_codec(ByteView, const PrivateKey&, ByteView) {
    throw UsageError("this certforge was built without OpenSSL, so it has no SCEP (SCEP's "
                     "messages are PKCS#7 on OpenSSL)");
}

} // namespace certforge
