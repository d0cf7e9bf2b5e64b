// SPDX-License-Identifier: Apache-2.0
// The names of SCEP's enumerations, as RFC 8894 spells them.
#include "certforge/scep_message.hpp"

namespace certforge {

std::string_view to_string(ScepMessageType type) {
    switch (type) {
    case ScepMessageType::cert_rep:
        return "CertRep";
    case ScepMessageType::renewal_req:
        return "RenewalReq";
    case ScepMessageType::pkcs_req:
        return "PKCSReq";
    case ScepMessageType::cert_poll:
        return "CertPoll";
    case ScepMessageType::get_cert:
        return "GetCert";
    case ScepMessageType::get_crl:
        return "GetCRL";
    }
    return "unknown";
}

std::string_view to_string(ScepStatus status) {
    switch (status) {
    case ScepStatus::success:
        return "SUCCESS";
    case ScepStatus::failure:
        return "FAILURE";
    case ScepStatus::pending:
        return "PENDING";
    }
    return "unknown";
}

std::string_view to_string(ScepFailInfo info) {
    switch (info) {
    case ScepFailInfo::bad_alg:
        return "badAlg";
    case ScepFailInfo::bad_message_check:
        return "badMessageCheck";
    case ScepFailInfo::bad_request:
        return "badRequest";
    case ScepFailInfo::bad_time:
        return "badTime";
    case ScepFailInfo::bad_cert_id:
        return "badCertId";
    }
    return "unknown";
}

std::string_view to_string(ScepCipher cipher) {
    switch (cipher) {
    case ScepCipher::des3_cbc:
        return "des3";
    case ScepCipher::aes128_cbc:
        return "aes128";
    case ScepCipher::aes192_cbc:
        return "aes192";
    case ScepCipher::aes256_cbc:
        return "aes256";
    }
    return "unknown";
}

} // namespace certforge
