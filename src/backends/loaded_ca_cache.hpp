// SPDX-License-Identifier: Apache-2.0
// The CA a backend signed with last, loaded once: a batch signs every site
// with the same CA, so its key and certificate are parsed once per backend
// instead of once per certificate.
#pragma once

#include "certforge/backend.hpp"

#include <algorithm>
#include <optional>

namespace certforge::detail {

template <class Loaded> class LoadedCaCache {
public:
    // The issuer `load(credentials)` gives, loaded again only when the
    // credentials differ from the last ones.
    template <class Load> const Loaded& get(const CaCredentials& credentials, Load&& load) {
        const ByteView key = credentials.key.pkcs8_der();
        const bool same =
            loaded_ &&
            std::equal(certificate_der_.begin(), certificate_der_.end(),
                       credentials.certificate_der.begin(), credentials.certificate_der.end()) &&
            std::equal(key_der_.begin(), key_der_.end(), key.begin(), key.end()) &&
            external_ == credentials.key.external();
        if (!same) {
            loaded_.reset();
            loaded_.emplace(load(credentials));
            certificate_der_.assign(credentials.certificate_der.begin(),
                                    credentials.certificate_der.end());
            key_der_.assign(key.begin(), key.end());
            external_ = credentials.key.external();
        }
        return *loaded_;
    }

private:
    Bytes certificate_der_;
    SecureBytes key_der_;
    std::shared_ptr<const ExternalKey> external_;
    std::optional<Loaded> loaded_;
};

} // namespace certforge::detail
