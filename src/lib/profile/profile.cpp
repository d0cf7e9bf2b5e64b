#include "certforge/profile.hpp"

#include "certforge/errors.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {

std::string_view to_string(ProfileKind kind) {
    return kind == ProfileKind::host ? "host" : "device";
}

std::string_view to_string(DnEncoding encoding) {
    return encoding == DnEncoding::printable ? "printable" : "utf8";
}

std::string_view to_string(Pkcs12Encryption encryption) {
    switch (encryption) {
    case Pkcs12Encryption::aes:
        return "aes";
    case Pkcs12Encryption::triple_des:
        return "3des";
    case Pkcs12Encryption::rc2:
        break;
    }
    return "rc2";
}

Pkcs12Encryption pkcs12_encryption_from_name(std::string_view name) {
    for (auto e : {Pkcs12Encryption::aes, Pkcs12Encryption::triple_des, Pkcs12Encryption::rc2}) {
        if (to_string(e) == name) {
            return e;
        }
    }
    throw UsageError(fmt::format("'{}' is not a PKCS#12 encryption: use aes, 3des or rc2", name));
}

std::string_view to_string(CaCertFormat format) {
    return format == CaCertFormat::der ? "der" : "pem";
}

bool Profile::allows_weak_crypto() const {
    return std::any_of(signature.hashes.begin(), signature.hashes.end(), is_weak) ||
           std::any_of(key.rsa_bits.begin(), key.rsa_bits.end(),
                       [](unsigned bits) { return bits < kMinimumModernRsaBits; });
}

std::string legacy_warning(const Profile& profile) {
    return fmt::format("profile '{}' is a legacy profile: it allows weak crypto (SHA-1, RSA below "
                       "2048 bits) for devices that need it; use it only for them",
                       profile.id);
}

} // namespace certforge
