// SPDX-License-Identifier: Apache-2.0
#include "profile_field.hpp"

namespace certforge::detail {

KeyUsageSet KeyUsageNames::decode(const ProfileValue& v) {
    KeyUsageSet set = 0;
    for (const auto& name : std::get<std::vector<std::string>>(v)) {
        set |= key_usage_flag(*key_usage_from_name(name));
    }
    return set;
}

std::vector<std::string_view> KeyUsageNames::names() {
    std::vector<std::string_view> out;
    for (unsigned i = 0; i < kKeyUsageBitCount; ++i) {
        out.push_back(to_string(static_cast<KeyUsageBit>(i)));
    }
    return out;
}

std::vector<std::string> EkuNames::decode(const ProfileValue& v) {
    std::vector<std::string> oids;
    for (const auto& name : std::get<std::vector<std::string>>(v)) {
        oids.emplace_back(eku_from_name(name)->oid);
    }
    return oids;
}

nlohmann::json EkuNames::encode(const std::vector<std::string>& oids) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& oid : oids) {
        out.push_back(eku_display_name(oid));
    }
    return out;
}

std::vector<std::string_view> EkuNames::names() {
    std::vector<std::string_view> out;
    for (const auto& eku : known_ekus()) {
        out.push_back(eku.name);
    }
    return out;
}

std::vector<std::string> element_texts(const nlohmann::json& array) {
    std::vector<std::string> out;
    for (const auto& item : array) {
        out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    }
    return out;
}

} // namespace certforge::detail
