// The only thing the registry sees of the OpenSSL backend.
#pragma once

#include "certforge/backend.hpp"

#include <memory>

namespace certforge {

std::unique_ptr<Backend> make_openssl_backend();

class ContainerCodec;
std::unique_ptr<ContainerCodec> make_openssl_container_codec();

class TlsProber;
std::unique_ptr<TlsProber> make_openssl_prober();

} // namespace certforge
