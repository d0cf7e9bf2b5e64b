// SPDX-License-Identifier: Apache-2.0
#include "certforge/certificate_builder.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {
namespace {

constexpr UnixTime kSecondsPerDay = 86400;

bool is_printable_string(std::string_view value) {
    return std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               std::string_view(" '()+,-./:=?").find(c) != std::string_view::npos;
    });
}

void check_subject(const Profile& profile, const SubjectFields& subject) {
    if (!subject.country.empty()) {
        const bool two_letters = subject.country.size() == 2 &&
                                 std::all_of(subject.country.begin(), subject.country.end(),
                                             [](char c) { return c >= 'A' && c <= 'Z'; });
        if (!two_letters) {
            throw RefusedError(
                "subject.country", profile.id,
                fmt::format("country '{}' must be a two-letter upper-case ISO 3166 code (e.g. DE)",
                            subject.country),
                FixHint::subject);
        }
    }
    const std::pair<const char*, const std::string*> fields[] = {
        {"CN", &subject.common_name},
        {"O", &subject.organization},
        {"OU", &subject.organizational_unit},
        {"L", &subject.locality},
        {"ST", &subject.state},
    };
    for (const auto& [label, value] : fields) {
        const FixHint hint =
            value == &subject.common_name ? FixHint::common_name : FixHint::subject;
        if (std::any_of(value->begin(), value->end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
            throw RefusedError(
                "names.characters", profile.id,
                fmt::format("{} '{}' has control characters", label, escape_control(*value)), hint);
        }
        if (value->size() > 64) {
            throw RefusedError(
                "subject.length", profile.id,
                fmt::format("{} '{}' is longer than 64 characters (RFC 5280)", label, *value),
                hint);
        }
        if (profile.subject.dn_encoding == DnEncoding::printable && !is_printable_string(*value)) {
            throw RefusedError(
                "subject.dn_encoding", profile.id,
                fmt::format("{} '{}' has characters outside PrintableString, which profile '{}' "
                            "requires (subject.dn_encoding = \"printable\")",
                            label, *value, profile.id),
                hint);
        }
    }
}

template <class Request> HashAlgorithm chosen_hash(const Profile& profile, const Request& request) {
    const HashAlgorithm hash = request.hash.value_or(profile.signature.default_hash);
    if (std::find(profile.signature.hashes.begin(), profile.signature.hashes.end(), hash) ==
        profile.signature.hashes.end()) {
        std::vector<std::string_view> names;
        for (auto h : profile.signature.hashes) {
            names.push_back(to_string(h));
        }
        throw RefusedError("signature.hash", profile.id,
                           fmt::format("hash {} is not allowed by profile '{}' (allowed: {})",
                                       to_string(hash), profile.id, fmt::join(names, ", ")),
                           FixHint::hash);
    }
    return hash;
}

DistinguishedName make_dn(const Profile& profile, const SubjectFields& subject) {
    const DnStringType text_type = profile.subject.dn_encoding == DnEncoding::printable
                                       ? DnStringType::printable
                                       : DnStringType::utf8;
    DistinguishedName dn;
    if (!subject.country.empty()) {
        dn.attributes.push_back({"C", subject.country, DnStringType::printable});
    }
    const std::pair<const char*, const std::string*> fields[] = {
        {"ST", &subject.state},       {"L", &subject.locality},
        {"O", &subject.organization}, {"OU", &subject.organizational_unit},
        {"CN", &subject.common_name},
    };
    for (const auto& [type, value] : fields) {
        if (!value->empty()) {
            dn.attributes.push_back({type, *value, text_type});
        }
    }
    return dn;
}

std::vector<SubjectAltName> collect_sans(const Profile& profile, const CertRequest& request) {
    std::vector<SubjectAltName> sans;
    if (profile.subject.cn_in_san) {
        sans.push_back(san_for_common_name(request.subject.common_name));
    }
    for (const auto& san : request.subject_alt_names) {
        if (std::find(sans.begin(), sans.end(), san) == sans.end()) {
            sans.push_back(san);
        }
    }
    return sans;
}

void set_validity(CertificateTemplate& tmpl, const Profile& profile, unsigned days, UnixTime now) {
    tmpl.not_before = now - static_cast<UnixTime>(profile.validity.backdate_minutes) * 60;
    tmpl.not_after = tmpl.not_before + static_cast<UnixTime>(days) * kSecondsPerDay;
}

} // namespace

unsigned chosen_rsa_bits(const Profile& profile, std::optional<unsigned> requested) {
    const unsigned bits = requested.value_or(profile.key.default_rsa_bits);
    if (std::find(profile.key.rsa_bits.begin(), profile.key.rsa_bits.end(), bits) ==
        profile.key.rsa_bits.end()) {
        throw RefusedError("key.size", profile.id,
                           fmt::format("RSA {} bits is not allowed by profile '{}' (allowed: {})",
                                       bits, profile.id, fmt::join(profile.key.rsa_bits, ", ")),
                           FixHint::key);
    }
    return bits;
}

void validate_request(const Profile& profile, const CertRequest& request) {
    if (request.subject.common_name.empty()) {
        throw RefusedError("subject.cn", profile.id, "a common name is required",
                           FixHint::common_name);
    }
    try {
        san_for_common_name(request.subject.common_name);
    } catch (const InputError& e) {
        throw RefusedError("subject.cn", profile.id, e.what(), FixHint::common_name);
    }
    check_subject(profile, request.subject);
    for (const auto& san : request.subject_alt_names) {
        if (san.type == SanType::dns) {
            if (auto problem = hostname_problem(san.value)) {
                throw RefusedError(
                    "san.syntax", profile.id,
                    fmt::format("SAN 'dns:{}' is not valid: {}", san.value, *problem),
                    FixHint::names);
            }
        } else if (!parse_ip_address(san.value)) {
            throw RefusedError("san.syntax", profile.id,
                               fmt::format("SAN 'ip:{}' is not a valid address", san.value),
                               FixHint::names);
        }
    }
    const auto sans = collect_sans(profile, request);
    if (profile.subject.require_san && sans.empty()) {
        throw RefusedError("san.present", profile.id,
                           fmt::format("profile '{}' requires a subjectAltName (a DNS name or an "
                                       "IP address)",
                                       profile.id),
                           FixHint::names);
    }
    if (profile.subject.require_ip_san &&
        std::none_of(sans.begin(), sans.end(),
                     [](const SubjectAltName& s) { return s.type == SanType::ip; })) {
        throw RefusedError("san.ip", profile.id,
                           fmt::format("profile '{}' requires an IP address SAN", profile.id),
                           FixHint::ip_san);
    }
    const unsigned days = request.days.value_or(profile.validity.default_days);
    if (days == 0 || days > profile.validity.max_days) {
        throw RefusedError("validity.length", profile.id,
                           fmt::format("{} days is outside what profile '{}' allows (1..{})", days,
                                       profile.id, profile.validity.max_days),
                           FixHint::days);
    }
    chosen_rsa_bits(profile, request.rsa_bits);
    chosen_hash(profile, request);
}

CertificateTemplate leaf_template(const Profile& profile, const CertRequest& request, Bytes serial,
                                  UnixTime now) {
    validate_request(profile, request);
    CertificateTemplate tmpl;
    tmpl.subject = make_dn(profile, request.subject);
    tmpl.subject_alt_names = collect_sans(profile, request);
    tmpl.serial = std::move(serial);
    set_validity(tmpl, profile, request.days.value_or(profile.validity.default_days), now);
    tmpl.signature_hash = chosen_hash(profile, request);
    const auto& ext = profile.extensions;
    if (ext.basic_constraints) {
        tmpl.basic_constraints =
            BasicConstraints{false, std::nullopt, ext.basic_constraints_critical};
    }
    if (ext.key_usage != 0) {
        tmpl.key_usage = KeyUsageExtension{ext.key_usage, ext.key_usage_critical};
    }
    if (!ext.extended_key_usage.empty()) {
        tmpl.extended_key_usage =
            ExtendedKeyUsageExtension{ext.extended_key_usage, ext.extended_key_usage_critical};
    }
    tmpl.subject_key_id = ext.subject_key_id;
    tmpl.authority_key_id = ext.authority_key_id;
    return tmpl;
}

CertificateTemplate ca_template(const Profile& profile, const CaRequest& request, Bytes serial,
                                UnixTime now) {
    if (request.subject.common_name.empty()) {
        throw RefusedError("subject.cn", profile.id, "a CA name is required", FixHint::common_name);
    }
    check_subject(profile, request.subject);
    const unsigned days = request.days.value_or(profile.ca.days);
    if (days < kMinimumCaDaysLeft) {
        throw RefusedError("validity.length", profile.id,
                           fmt::format("a CA of {} days could never issue: a CA needs at least "
                                       "{} days left to issue",
                                       days, kMinimumCaDaysLeft),
                           FixHint::days);
    }
    if (days == 0 || days > profile.ca.max_days) {
        throw RefusedError(
            "validity.length", profile.id,
            fmt::format("{} days is outside what profile '{}' allows for a CA (1..{})", days,
                        profile.id, profile.ca.max_days),
            FixHint::days);
    }
    CertificateTemplate tmpl;
    tmpl.subject = make_dn(profile, request.subject);
    tmpl.serial = std::move(serial);
    set_validity(tmpl, profile, days, now);
    tmpl.signature_hash = chosen_hash(profile, request);
    tmpl.basic_constraints = BasicConstraints{true, profile.ca.path_length, true};
    tmpl.key_usage = KeyUsageExtension{profile.ca.key_usage, true};
    tmpl.subject_key_id = true;
    tmpl.authority_key_id = profile.extensions.authority_key_id;
    return tmpl;
}

Bytes random_serial(Backend& backend, unsigned bytes) {
    Bytes serial = backend.random_bytes(bytes);
    serial[0] = static_cast<std::uint8_t>((serial[0] & 0x7f) | 0x40);
    return serial;
}

void require_existing_key_fits(const Profile& profile, const KeyDescription& key,
                               std::string_view whose) {
    const auto& allowed = profile.key.rsa_bits;
    if (key.algorithm != KeyAlgorithm::rsa ||
        std::find(allowed.begin(), allowed.end(), key.bits) == allowed.end()) {
        throw RefusedError("key.size", profile.id,
                           fmt::format("{} ({} {}) does not fit profile '{}' (RSA {})", whose,
                                       to_string(key.algorithm), key.bits, profile.id,
                                       fmt::join(allowed, ", ")),
                           FixHint::key);
    }
}

PrivateKey CertificateBuilder::key_for(unsigned requested_bits,
                                       std::optional<PrivateKey> existing_key) {
    if (!existing_key) {
        return backend_.generate_key({KeyAlgorithm::rsa, requested_bits});
    }
    require_existing_key_fits(profile_, backend_.describe_key(*existing_key), "the given key");
    return std::move(*existing_key);
}

IssuedCertificate CertificateBuilder::sign_template(const CertificateTemplate& tmpl,
                                                    const CertRequest& request,
                                                    const std::optional<CaCredentials>& issuer,
                                                    std::optional<PrivateKey> existing_key) {
    PrivateKey key = key_for(chosen_rsa_bits(profile_, request.rsa_bits), std::move(existing_key));
    Bytes der = backend_.sign_certificate(tmpl, key, issuer);
    return {std::move(key), std::move(der)};
}

IssuedCertificate CertificateBuilder::issue_leaf(const CertRequest& request,
                                                 const std::optional<CaCredentials>& issuer,
                                                 std::optional<PrivateKey> existing_key) {
    const UnixTime now = unix_now();
    const CertificateTemplate tmpl =
        leaf_template(profile_, request, random_serial(backend_, profile_.serial.bytes), now);
    return sign_template(tmpl, request, issuer, std::move(existing_key));
}

CertRequest request_from_csr(const Profile& profile, const CsrInfo& csr) {
    if (!csr.signature_valid) {
        throw RefusedError("request.signature", profile.id,
                           "the request's signature does not verify: it is damaged or was not "
                           "signed by its own key",
                           FixHint::request);
    }
    require_existing_key_fits(profile, {csr.key_algorithm, csr.key_bits}, "the request's key");
    CertRequest request;
    bool have_cn = false;
    for (const auto& attribute : csr.subject.attributes) {
        if (attribute.type == "CN") {
            if (have_cn) {
                throw RefusedError("subject.cn", profile.id,
                                   "the request's subject has more than one CN; certforge issues "
                                   "a certificate for exactly one name in the CN",
                                   FixHint::request);
            }
            have_cn = true;
        }
        std::string* field = attribute.type == "CN"   ? &request.subject.common_name
                             : attribute.type == "O"  ? &request.subject.organization
                             : attribute.type == "OU" ? &request.subject.organizational_unit
                             : attribute.type == "L"  ? &request.subject.locality
                             : attribute.type == "ST" ? &request.subject.state
                             : attribute.type == "C"  ? &request.subject.country
                                                      : nullptr;
        if (field == nullptr) {
            throw RefusedError("subject.attributes", profile.id,
                               fmt::format("the request's subject has a {} attribute, which "
                                           "certforge does not issue (CN, O, OU, L, ST, C)",
                                           attribute.type),
                               FixHint::request);
        }
        if (!field->empty()) {
            throw RefusedError(
                "subject.attributes", profile.id,
                fmt::format("the request's subject has more than one {}", attribute.type),
                FixHint::request);
        }
        *field = attribute.value;
    }
    if (csr.other_subject_alt_names > 0) {
        throw RefusedError("san.kinds", profile.id,
                           "the request asks for subjectAltNames other than DNS names and IP "
                           "addresses",
                           FixHint::request);
    }
    request.subject_alt_names = csr.subject_alt_names;
    request.rsa_bits = csr.key_bits;
    validate_request(profile, request);
    return request;
}

IssuedRequest CertificateBuilder::make_csr(const CertRequest& request,
                                           std::optional<PrivateKey> existing_key) {
    const CertificateTemplate tmpl = leaf_template(profile_, request, {}, unix_now());
    PrivateKey key = key_for(chosen_rsa_bits(profile_, request.rsa_bits), std::move(existing_key));
    Bytes der = backend_.sign_csr(tmpl, key);
    return {std::move(key), std::move(der)};
}

IssuedCertificate CertificateBuilder::issue_ca(const CaRequest& request,
                                               const KeySource& key_source) {
    const UnixTime now = unix_now();
    CertificateTemplate tmpl =
        ca_template(profile_, request, random_serial(backend_, profile_.serial.bytes), now);
    const unsigned bits = chosen_rsa_bits(profile_, request.rsa_bits);
    PrivateKey key =
        key_for(bits, key_source ? std::optional<PrivateKey>(key_source(bits)) : std::nullopt);
    Bytes der = backend_.sign_certificate(tmpl, key, std::nullopt);
    return {std::move(key), std::move(der)};
}

} // namespace certforge
