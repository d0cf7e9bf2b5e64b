// SPDX-License-Identifier: Apache-2.0
// The container codec's class and PKCS#7; PKCS#12 is in pkcs12_*.cpp.
#include "openssl_containers.hpp"

#include "backends/openssl/library_context.hpp"
#include "backends/openssl/openssl_backend.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "certforge/der_framing.hpp"
#include "certforge/errors.hpp"

#include <fmt/format.h>

namespace certforge {
namespace openssl {
namespace {

class OpenSslContainerCodec final : public ContainerCodec {
public:
    OpenSslContainerCodec() : ctx_(new_library_context()) {
        default_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
        check(default_ != nullptr, "cannot load OpenSSL's default provider");
        legacy_.reset(OSSL_PROVIDER_load(ctx_.get(), "legacy"));
        ERR_clear_error();
    }

    Bytes write_pkcs12(const KeyAndChain& contents, const SecureString& password,
                       const Pkcs12Options& options) override {
        return openssl::write_pkcs12(ctx_.get(), legacy_ != nullptr, contents, password, options);
    }
    KeyAndChain read_pkcs12(ByteView der, const std::function<SecureString()>& password,
                            std::string_view source, Pkcs12Protection* protection) override {
        return openssl::read_pkcs12(ctx_.get(), der, password, source, protection);
    }
    Bytes write_pkcs7(const std::vector<Bytes>& certificates) override;
    std::vector<Bytes> read_pkcs7(ByteView der, std::string_view source) override;

private:
    LibCtxPtr ctx_;
    ProviderPtr default_;
    ProviderPtr legacy_;
};

} // namespace

Bytes certificate_der(X509* cert) {
    return to_der(cert, i2d_X509, "a certificate");
}

Bytes OpenSslContainerCodec::write_pkcs7(const std::vector<Bytes>& certificates) {
    ERR_clear_error();
    const Pkcs7Ptr p7(PKCS7_new_ex(ctx_.get(), nullptr));
    check(p7 != nullptr && PKCS7_set_type(p7.get(), NID_pkcs7_signed) == 1 &&
              PKCS7_content_new(p7.get(), NID_pkcs7_data) == 1,
          "cannot create the PKCS#7 structure");
    for (const auto& der : certificates) {
        const X509Ptr cert = load_certificate(ctx_.get(), der, "certificate");
        check(PKCS7_add_certificate(p7.get(), cert.get()) == 1, "cannot add a certificate");
    }
    return to_der(p7.get(), i2d_PKCS7, "the PKCS#7 structure");
}

std::vector<Bytes> OpenSslContainerCodec::read_pkcs7(ByteView der, std::string_view source) {
    ERR_clear_error();
    require_one_der_object(der, DerRule::no_trailing, "the PKCS#7 bundle", source);
    const unsigned char* p = der.data();
    const Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, static_cast<long>(der.size())));
    if (p7 == nullptr || der.empty() || OBJ_obj2nid(p7->type) != NID_pkcs7_signed) {
        drain_error_queue();
        throw InputError(fmt::format("{}: not a PKCS#7 certificate bundle (.p7b)", source));
    }
    std::vector<Bytes> out;
    const STACK_OF(X509)* certs = p7->d.sign->cert;
    for (int i = 0; certs != nullptr && i < sk_X509_num(certs); ++i) {
        out.push_back(certificate_der(sk_X509_value(certs, i)));
    }
    if (out.empty()) {
        throw InputError(fmt::format("{}: the PKCS#7 bundle holds no certificate", source));
    }
    return out;
}

} // namespace openssl

std::unique_ptr<ContainerCodec> make_openssl_container_codec() {
    return std::make_unique<openssl::OpenSslContainerCodec>();
}

} // namespace certforge
