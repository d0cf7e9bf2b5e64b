#include "certforge/profile_json.hpp"

#include <nlohmann/json.hpp>

namespace certforge {
namespace {

template <class T> nlohmann::json names(const std::vector<T>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : values) {
        out.push_back(std::string(to_string(v)));
    }
    return out;
}

nlohmann::json eku_names(const std::vector<std::string>& oids) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& oid : oids) {
        out.push_back(eku_display_name(oid));
    }
    return out;
}

} // namespace

nlohmann::json to_json(const Profile& p) {
    return {
        {"id", p.id},
        {"name", p.name},
        {"kind", std::string(to_string(p.kind))},
        {"vendor", p.vendor},
        {"models", p.models},
        {"notes", p.notes},
        {"sources", p.sources},
        {"legacy", p.legacy},
        {"file", p.file.string()},
        {"extends_chain", p.extends_chain},
        {"key",
         {{"algorithms", names(p.key.algorithms)},
          {"rsa_bits", p.key.rsa_bits},
          {"default_rsa_bits", p.key.default_rsa_bits}}},
        {"signature",
         {{"hashes", names(p.signature.hashes)},
          {"default_hash", std::string(to_string(p.signature.default_hash))}}},
        {"validity",
         {{"default_days", p.validity.default_days},
          {"max_days", p.validity.max_days},
          {"backdate_minutes", p.validity.backdate_minutes}}},
        {"subject",
         {{"require_san", p.subject.require_san},
          {"cn_in_san", p.subject.cn_in_san},
          {"require_ip_san", p.subject.require_ip_san},
          {"dn_encoding", std::string(to_string(p.subject.dn_encoding))}}},
        {"extensions",
         {{"key_usage", key_usage_names(p.extensions.key_usage)},
          {"key_usage_critical", p.extensions.key_usage_critical},
          {"extended_key_usage", eku_names(p.extensions.extended_key_usage)},
          {"extended_key_usage_critical", p.extensions.extended_key_usage_critical},
          {"basic_constraints", p.extensions.basic_constraints},
          {"basic_constraints_critical", p.extensions.basic_constraints_critical},
          {"subject_key_id", p.extensions.subject_key_id},
          {"authority_key_id", p.extensions.authority_key_id}}},
        {"serial", {{"bytes", p.serial.bytes}, {"min_bytes", p.serial.min_bytes}}},
        {"certificate",
         {{"version", p.certificate.version},
          {"max_chain_length", p.certificate.max_chain_length}}},
        {"ca",
         {{"days", p.ca.days},
          {"max_days", p.ca.max_days},
          {"path_length", p.ca.path_length},
          {"key_usage", key_usage_names(p.ca.key_usage)}}},
        {"import",
         {{"ca_format", std::string(to_string(p.import.ca_format))},
          {"identity_pkcs12", p.import.identity_pkcs12},
          {"pkcs12_encryption", names(p.import.pkcs12_encryption)},
          {"empty_password", p.import.empty_password},
          {"steps", p.import.steps}}},
        {"host",
         {{"os", p.host.os},
          {"dh_kbs", p.host.dh_kbs},
          {"sha512_tls12_kbs", p.host.sha512_tls12_kbs}}},
        {"tls",
         {{"versions", p.tls.versions},
          {"dh_min_bits", p.tls.dh_min_bits},
          {"dhe_broken", p.tls.dhe_broken},
          {"tls13_broken", p.tls.tls13_broken}}},
    };
}

} // namespace certforge
