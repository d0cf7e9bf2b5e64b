// SPDX-License-Identifier: Apache-2.0
#include "profile_schema.hpp"

#include "profile_field.hpp"

namespace certforge::detail {
namespace {

using P = Profile;
using M = Merge;

constexpr std::string_view kRsaOnly[] = {"rsa"};
constexpr std::string_view kTlsVersions[] = {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};

// One row per key. A new key is one row here and its member in Profile;
// profiles/README.md documents it.
constexpr KeyRule kSchema[] = {
    // identity
    {.path = "id", .field = at<&P::id>(), .non_empty = true, .merge = M::derived},
    {.path = "name", .field = at<&P::name>(), .non_empty = true, .merge = M::derived},
    {.path = "kind", .field = at<&P::kind>(), .non_empty = true},
    {.path = "vendor", .field = at<&P::vendor>(), .non_empty = true},
    {.path = "models", .field = at<&P::models>()},
    {.path = "notes", .field = at<&P::notes>()},
    {.path = "sources", .field = at<&P::sources>(), .non_empty = true, .merge = M::unite},
    {.path = "legacy", .field = at<&P::legacy>(), .merge = M::any},
    {.path = "extends", .field = loader_only(ValueKind::string), .non_empty = true},

    // [key]
    {.path = "key.algorithms",
     .field = at<&P::key, &P::Key::algorithms>(),
     .choices = kRsaOnly,
     .non_empty = true},
    {.path = "key.rsa_bits",
     .field = at<&P::key, &P::Key::rsa_bits>(),
     .min = 1024,
     .max = 16384,
     .non_empty = true,
     .merge = {M::intersect, "RSA key size", "RSA {}"}},
    {.path = "key.default_rsa_bits",
     .field = at<&P::key, &P::Key::default_rsa_bits>(),
     .min = 1024,
     .max = 16384,
     .merge = M::derived},

    // [signature]
    {.path = "signature.hashes",
     .field = at<&P::signature, &P::Signature::hashes>(),
     .non_empty = true,
     .merge = {M::intersect, "signature hash"}},
    {.path = "signature.default_hash",
     .field = at<&P::signature, &P::Signature::default_hash>(),
     .non_empty = true,
     .merge = M::derived},

    // [validity]
    {.path = "validity.default_days",
     .field = at<&P::validity, &P::Validity::default_days>(),
     .min = 1,
     .max = 36500,
     .merge = M::min},
    {.path = "validity.max_days",
     .field = at<&P::validity, &P::Validity::max_days>(),
     .min = 1,
     .max = 36500,
     .merge = M::min},
    {.path = "validity.backdate_minutes",
     .field = at<&P::validity, &P::Validity::backdate_minutes>(),
     .max = 10080,
     .merge = M::max},

    // [subject]
    {.path = "subject.require_san",
     .field = at<&P::subject, &P::Subject::require_san>(),
     .merge = M::any},
    {.path = "subject.cn_in_san",
     .field = at<&P::subject, &P::Subject::cn_in_san>(),
     .merge = M::any},
    {.path = "subject.require_ip_san",
     .field = at<&P::subject, &P::Subject::require_ip_san>(),
     .merge = M::any},
    {.path = "subject.dn_encoding",
     .field = at<&P::subject, &P::Subject::dn_encoding>(),
     .non_empty = true,
     .merge = M::max}, // printable when any profile needs it

    // [extensions]
    {.path = "extensions.key_usage",
     .field = at<KeyUsageNames, &P::extensions, &P::Extensions::key_usage>(),
     .non_empty = true,
     .merge = M::unite},
    {.path = "extensions.key_usage_critical",
     .field = at<&P::extensions, &P::Extensions::key_usage_critical>()},
    {.path = "extensions.extended_key_usage",
     .field = at<EkuNames, &P::extensions, &P::Extensions::extended_key_usage>(),
     .merge = M::unite},
    {.path = "extensions.extended_key_usage_critical",
     .field = at<&P::extensions, &P::Extensions::extended_key_usage_critical>()},
    {.path = "extensions.basic_constraints",
     .field = at<&P::extensions, &P::Extensions::basic_constraints>(),
     .merge = M::any},
    {.path = "extensions.basic_constraints_critical",
     .field = at<&P::extensions, &P::Extensions::basic_constraints_critical>()},
    {.path = "extensions.subject_key_id",
     .field = at<&P::extensions, &P::Extensions::subject_key_id>()},
    {.path = "extensions.authority_key_id",
     .field = at<&P::extensions, &P::Extensions::authority_key_id>()},

    // [serial]
    {.path = "serial.bytes", .field = at<&P::serial, &P::Serial::bytes>(), .min = 9, .max = 20},
    {.path = "serial.min_bytes",
     .field = at<&P::serial, &P::Serial::min_bytes>(),
     .min = 1,
     .max = 20,
     .merge = M::max},

    // [certificate]
    {.path = "certificate.version",
     .field = at<&P::certificate, &P::Certificate::version>(),
     .min = 3,
     .max = 3},
    {.path = "certificate.max_chain_length",
     .field = at<&P::certificate, &P::Certificate::max_chain_length>(),
     .min = 1,
     .max = 10,
     .merge = M::min},

    // [ca]
    {.path = "ca.days",
     .field = at<&P::ca, &P::Ca::days>(),
     .min = 1,
     .max = 36500,
     .merge = M::min},
    {.path = "ca.max_days",
     .field = at<&P::ca, &P::Ca::max_days>(),
     .min = 1,
     .max = 36500,
     .merge = M::min},
    {.path = "ca.path_length",
     .field = at<&P::ca, &P::Ca::path_length>(),
     .max = 10,
     .merge = M::min},
    {.path = "ca.key_usage",
     .field = at<KeyUsageNames, &P::ca, &P::Ca::key_usage>(),
     .non_empty = true},

    // [import]
    {.path = "import.ca_format",
     .field = at<&P::import, &P::Import::ca_format>(),
     .non_empty = true},
    {.path = "import.identity_pkcs12", .field = at<&P::import, &P::Import::identity_pkcs12>()},
    {.path = "import.pkcs12_encryption",
     .field = at<&P::import, &P::Import::pkcs12_encryption>(),
     .non_empty = true},
    {.path = "import.empty_password", .field = at<&P::import, &P::Import::empty_password>()},
    {.path = "import.steps", .field = at<&P::import, &P::Import::steps>()},

    // [host]
    {.path = "host.os", .field = at<&P::host, &P::Host::os>(), .non_empty = true, .in_text = false},
    {.path = "host.dh_kbs", .field = at<&P::host, &P::Host::dh_kbs>(), .in_text = false},
    {.path = "host.sha512_tls12_kbs",
     .field = at<&P::host, &P::Host::sha512_tls12_kbs>(),
     .in_text = false},

    // [tls]
    {.path = "tls.versions", .field = at<&P::tls, &P::Tls::versions>(), .choices = kTlsVersions},
    {.path = "tls.dh_min_bits", .field = at<&P::tls, &P::Tls::dh_min_bits>(), .max = 8192},
    {.path = "tls.dhe_broken", .field = at<&P::tls, &P::Tls::dhe_broken>()},
    {.path = "tls.tls13_broken", .field = at<&P::tls, &P::Tls::tls13_broken>()},
};

constexpr bool merge_rules_suit() {
    return std::all_of(std::begin(kSchema), std::end(kSchema),
                       [](const KeyRule& row) { return row.field.suits(row.merge.how); });
}
static_assert(merge_rules_suit(), "a row's merge rule does not fit its member's type");

} // namespace

std::vector<std::string_view> KeyRule::allowed() const {
    if (!choices.empty() || field.names == nullptr) {
        return {choices.begin(), choices.end()};
    }
    return field.names();
}

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

std::span<const KeyRule> profile_schema() {
    return kSchema;
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
