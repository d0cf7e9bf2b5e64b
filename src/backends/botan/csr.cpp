// SPDX-License-Identifier: Apache-2.0
#include "botan_backend.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/general_names.hpp"
#include "certforge/oids.hpp"

#include <botan/pkcs10.h>
#include <botan/x509_ext.h>
#include <fmt/format.h>
#include <optional>

namespace certforge::botan {

Bytes sign_csr(Botan::RandomNumberGenerator& rng, const CertificateTemplate& tmpl,
               const PrivateKey& key) {
    const auto loaded = load_private_key(key);
    try {
        Botan::Extensions extensions;
        if (!tmpl.subject_alt_names.empty()) {
            add_subject_alt_names(extensions, tmpl.subject_alt_names, false);
        }
        const Botan::PKCS10_Request request = Botan::PKCS10_Request::create(
            *loaded, x509_dn(tmpl.subject), extensions, botan_hash_name(tmpl.signature_hash), rng);
        return request.BER_encode();
    } catch (const Botan::Exception& e) {
        throw CryptoError(fmt::format("signing the request with {} failed: Botan: {}",
                                      to_string(tmpl.signature_hash), e.what()));
    }
}

CsrInfo parse_csr(ByteView der, std::string_view source) {
    check_names_before_decoding(der, NamePolicy::request, source);
    std::optional<Botan::PKCS10_Request> request;
    try {
        if (der.empty()) {
            throw Botan::Decoding_Error("no data");
        }
        request.emplace(std::vector<uint8_t>(der.begin(), der.end()));
    } catch (const Botan::Exception& e) {
        // Botan 2 checks the self-signature while decoding a request.
        if (std::string_view(e.what()).find("Bad signature") != std::string_view::npos) {
            throw InputError(fmt::format("{}: the request's signature does not verify: it is "
                                         "damaged or was not signed by its own key",
                                         source));
        }
        throw InputError(
            fmt::format("{}: not a PKCS#10 certificate request (Botan: {})", source, e.what()));
    }
    try {
        CsrInfo info;
        info.der.assign(der.begin(), der.end());
        info.subject = read_x509_dn(request->subject_dn(), NamePolicy::request, source, "subject");
        set_signature_algorithm(info, request->signature_algorithm().get_oid().to_string());
        const std::unique_ptr<Botan::Public_Key> key(request->subject_public_key());
        info.key_algorithm = key->algo_name() == "RSA"     ? KeyAlgorithm::rsa
                             : key->algo_name() == "ECDSA" ? KeyAlgorithm::ec
                                                           : KeyAlgorithm::unknown;
        info.key_bits = static_cast<unsigned>(key->key_length());
        info.public_key_info = key->subject_public_key();
        info.signature_valid = request->check_signature(*key);
        const auto raw = request->extensions().extensions_raw();
        if (const auto san = raw.find(Botan::OID::from_string("2.5.29.17")); san != raw.end()) {
            GeneralNames names = read_general_names(san->second.first, NamePolicy::request, source);
            info.subject_alt_names = std::move(names.names);
            info.other_subject_alt_names = names.others;
        }
        return info;
    } catch (const Botan::Exception& e) {
        throw InputError(
            fmt::format("{}: the request cannot be read (Botan: {})", source, e.what()));
    }
}

} // namespace certforge::botan
