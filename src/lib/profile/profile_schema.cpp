#include "profile_schema.hpp"

#include <algorithm>

namespace certforge::detail {
namespace {

const std::string& text(const ProfileValue& v) {
    return std::get<std::string>(v);
}
unsigned number(const ProfileValue& v) {
    return static_cast<unsigned>(std::get<std::int64_t>(v));
}
bool flag(const ProfileValue& v) {
    return std::get<bool>(v);
}
const std::vector<std::string>& texts(const ProfileValue& v) {
    return std::get<std::vector<std::string>>(v);
}
std::vector<unsigned> numbers(const ProfileValue& v) {
    std::vector<unsigned> out;
    for (auto n : std::get<std::vector<std::int64_t>>(v)) {
        out.push_back(static_cast<unsigned>(n));
    }
    return out;
}

KeyUsageSet key_usage_set(const ProfileValue& v) {
    KeyUsageSet set = 0;
    for (const auto& name : texts(v)) {
        set |= key_usage_flag(*key_usage_from_name(name));
    }
    return set;
}

std::vector<std::string_view> key_usage_choices() {
    std::vector<std::string_view> out;
    for (unsigned i = 0; i < kKeyUsageBitCount; ++i) {
        out.push_back(to_string(static_cast<KeyUsageBit>(i)));
    }
    return out;
}

std::vector<std::string_view> eku_choices() {
    std::vector<std::string_view> out;
    for (const auto& eku : known_ekus()) {
        out.push_back(eku.name);
    }
    return out;
}

const std::vector<std::string_view> kHashChoices{"md5",    "sha1",   "sha224",
                                                 "sha256", "sha384", "sha512"};

std::vector<KeyRule> make_schema() {
    using K = ValueKind;
    return {
        // identity
        {"id",
         K::string,
         0,
         0,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.id = text(v);
         }},
        {"name",
         K::string,
         0,
         0,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.name = text(v);
         }},
        {"kind",
         K::string,
         0,
         0,
         {"device", "host"},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.kind = text(v) == "host" ? ProfileKind::host : ProfileKind::device;
         }},
        {"vendor",
         K::string,
         0,
         0,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.vendor = text(v);
         }},
        {"models",
         K::string_array,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.models = texts(v);
         }},
        {"notes",
         K::string,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.notes = text(v);
         }},
        {"sources",
         K::string_array,
         0,
         0,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.sources = texts(v);
         }},
        {"legacy",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.legacy = flag(v);
         }},
        {"extends",
         K::string,
         0,
         0,
         {},
         true,
         [](Profile&, const ProfileValue&) {
         }},

        // [key]
        {"key.algorithms",
         K::string_array,
         0,
         0,
         {"rsa"},
         true,
         [](Profile& p, const ProfileValue&) {
             p.key.algorithms = {KeyAlgorithm::rsa};
         }},
        {"key.rsa_bits",
         K::integer_array,
         1024,
         16384,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.key.rsa_bits = numbers(v);
         }},
        {"key.default_rsa_bits",
         K::integer,
         1024,
         16384,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.key.default_rsa_bits = number(v);
         }},

        // [signature]
        {"signature.hashes", K::string_array, 0, 0, kHashChoices, true,
         [](Profile& p, const ProfileValue& v) {
             p.signature.hashes.clear();
             for (const auto& name : texts(v)) {
                 p.signature.hashes.push_back(*hash_from_name(name));
             }
         }},
        {"signature.default_hash", K::string, 0, 0, kHashChoices, true,
         [](Profile& p, const ProfileValue& v) {
             p.signature.default_hash = *hash_from_name(text(v));
         }},

        // [validity]
        {"validity.default_days",
         K::integer,
         1,
         36500,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.validity.default_days = number(v);
         }},
        {"validity.max_days",
         K::integer,
         1,
         36500,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.validity.max_days = number(v);
         }},
        {"validity.backdate_minutes",
         K::integer,
         0,
         10080,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.validity.backdate_minutes = number(v);
         }},

        // [subject]
        {"subject.require_san",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.subject.require_san = flag(v);
         }},
        {"subject.cn_in_san",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.subject.cn_in_san = flag(v);
         }},
        {"subject.require_ip_san",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.subject.require_ip_san = flag(v);
         }},
        {"subject.dn_encoding",
         K::string,
         0,
         0,
         {"utf8", "printable"},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.subject.dn_encoding =
                 text(v) == "printable" ? DnEncoding::printable : DnEncoding::utf8;
         }},

        // [extensions]
        {"extensions.key_usage", K::string_array, 0, 0, key_usage_choices(), true,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.key_usage = key_usage_set(v);
         }},
        {"extensions.key_usage_critical",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.key_usage_critical = flag(v);
         }},
        {"extensions.extended_key_usage", K::string_array, 0, 0, eku_choices(), false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.extended_key_usage.clear();
             for (const auto& name : texts(v)) {
                 p.extensions.extended_key_usage.emplace_back(eku_from_name(name)->oid);
             }
         }},
        {"extensions.extended_key_usage_critical",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.extended_key_usage_critical = flag(v);
         }},
        {"extensions.basic_constraints",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.basic_constraints = flag(v);
         }},
        {"extensions.basic_constraints_critical",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.basic_constraints_critical = flag(v);
         }},
        {"extensions.subject_key_id",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.subject_key_id = flag(v);
         }},
        {"extensions.authority_key_id",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.extensions.authority_key_id = flag(v);
         }},

        // [serial]
        {"serial.bytes",
         K::integer,
         9,
         20,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.serial.bytes = number(v);
         }},
        {"serial.min_bytes",
         K::integer,
         1,
         20,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.serial.min_bytes = number(v);
         }},

        // [certificate]
        {"certificate.version",
         K::integer,
         3,
         3,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.certificate.version = number(v);
         }},
        {"certificate.max_chain_length",
         K::integer,
         1,
         10,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.certificate.max_chain_length = number(v);
         }},

        // [ca]
        {"ca.days",
         K::integer,
         1,
         36500,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.ca.days = number(v);
         }},
        {"ca.max_days",
         K::integer,
         1,
         36500,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.ca.max_days = number(v);
         }},
        {"ca.path_length",
         K::integer,
         0,
         10,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.ca.path_length = number(v);
         }},
        {"ca.key_usage", K::string_array, 0, 0, key_usage_choices(), true,
         [](Profile& p, const ProfileValue& v) {
             p.ca.key_usage = key_usage_set(v);
         }},

        // [import]
        {"import.ca_format",
         K::string,
         0,
         0,
         {"pem", "der"},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.import.ca_format = text(v) == "der" ? CaCertFormat::der : CaCertFormat::pem;
         }},
        {"import.identity_pkcs12",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.import.identity_pkcs12 = flag(v);
         }},
        {"import.pkcs12_encryption",
         K::string_array,
         0,
         0,
         {"aes", "3des", "rc2"},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.import.pkcs12_encryption.clear();
             for (const auto& name : texts(v)) {
                 p.import.pkcs12_encryption.push_back(pkcs12_encryption_from_name(name));
             }
         }},
        {"import.empty_password",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.import.empty_password = flag(v);
         }},
        {"import.steps",
         K::string_array,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.import.steps = texts(v);
         }},

        // [host]
        {"host.os",
         K::string,
         0,
         0,
         {},
         true,
         [](Profile& p, const ProfileValue& v) {
             p.host.os = text(v);
         }},
        {"host.dh_kbs",
         K::string_array,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.host.dh_kbs = texts(v);
         }},
        {"host.sha512_tls12_kbs",
         K::string_array,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.host.sha512_tls12_kbs = texts(v);
         }},

        // [tls]
        {"tls.versions",
         K::string_array,
         0,
         0,
         {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.tls.versions = texts(v);
         }},
        {"tls.dh_min_bits",
         K::integer,
         0,
         8192,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.tls.dh_min_bits = number(v);
         }},
        {"tls.dhe_broken",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.tls.dhe_broken = flag(v);
         }},
        {"tls.tls13_broken",
         K::boolean,
         0,
         0,
         {},
         false,
         [](Profile& p, const ProfileValue& v) {
             p.tls.tls13_broken = flag(v);
         }},
    };
}

} // namespace

std::string_view describe(ValueKind kind) {
    switch (kind) {
    case ValueKind::string:
        return "a string";
    case ValueKind::integer:
        return "an integer";
    case ValueKind::boolean:
        return "a boolean";
    case ValueKind::string_array:
        return "an array of strings";
    case ValueKind::integer_array:
        return "an array of integers";
    }
    return "a value";
}

const std::vector<KeyRule>& profile_schema() {
    static const std::vector<KeyRule> schema = make_schema();
    return schema;
}

const KeyRule* find_rule(std::string_view path) {
    for (const auto& rule : profile_schema()) {
        if (rule.path == path) {
            return &rule;
        }
    }
    return nullptr;
}

std::vector<std::string> schema_sections() {
    std::vector<std::string> sections;
    for (const auto& rule : profile_schema()) {
        const auto dot = rule.path.find('.');
        if (dot == std::string_view::npos) {
            continue;
        }
        std::string section(rule.path.substr(0, dot));
        if (std::find(sections.begin(), sections.end(), section) == sections.end()) {
            sections.push_back(std::move(section));
        }
    }
    return sections;
}

} // namespace certforge::detail
