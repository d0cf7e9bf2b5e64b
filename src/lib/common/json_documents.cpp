// SPDX-License-Identifier: Apache-2.0
#include "certforge/json_documents.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {

nlohmann::json certificate_json(const CertInfo& info) {
    nlohmann::json sans = nlohmann::json::array();
    for (const auto& san : info.subject_alt_names) {
        sans.push_back(to_string(san));
    }
    return {{"subject", info.subject.to_string()},
            {"issuer", info.issuer.to_string()},
            {"serial", serial_hex(info)},
            {"sha256", sha256_hex(info)},
            {"not_before", format_utc(info.not_before)},
            {"not_after", format_utc(info.not_after)},
            {"signature_hash", std::string(to_string(info.signature_hash))},
            {"key", fmt::format("{} {}", to_string(info.key_algorithm), info.key_bits)},
            {"subject_alt_names", sans}};
}

} // namespace certforge
