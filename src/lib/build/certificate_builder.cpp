#include "certforge/builder.hpp"
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
            throw InputError(
                fmt::format("country '{}' must be a two-letter upper-case ISO 3166 code (e.g. DE)",
                            subject.country));
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
        if (value->size() > 64) {
            throw InputError(
                fmt::format("{} '{}' is longer than 64 characters (RFC 5280)", label, *value));
        }
        if (profile.subject.dn_encoding == DnEncoding::printable && !is_printable_string(*value)) {
            throw InputError(fmt::format(
                "{} '{}' has characters outside PrintableString, which profile '{}' requires "
                "(subject.dn_encoding = \"printable\")",
                label, *value, profile.id));
        }
    }
}

template <class Request> unsigned chosen_bits(const Profile& profile, const Request& request) {
    const unsigned bits = request.rsa_bits.value_or(profile.key.default_rsa_bits);
    if (std::find(profile.key.rsa_bits.begin(), profile.key.rsa_bits.end(), bits) ==
        profile.key.rsa_bits.end()) {
        throw InputError(fmt::format("RSA {} bits is not allowed by profile '{}' (allowed: {})",
                                     bits, profile.id, fmt::join(profile.key.rsa_bits, ", ")));
    }
    return bits;
}

template <class Request> HashAlgorithm chosen_hash(const Profile& profile, const Request& request) {
    const HashAlgorithm hash = request.hash.value_or(profile.signature.default_hash);
    if (std::find(profile.signature.hashes.begin(), profile.signature.hashes.end(), hash) ==
        profile.signature.hashes.end()) {
        std::vector<std::string_view> names;
        for (auto h : profile.signature.hashes) {
            names.push_back(to_string(h));
        }
        throw InputError(fmt::format("hash {} is not allowed by profile '{}' (allowed: {})",
                                     to_string(hash), profile.id, fmt::join(names, ", ")));
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

void validate_request(const Profile& profile, const CertRequest& request) {
    if (request.subject.common_name.empty()) {
        throw InputError("a common name is required (--cn)");
    }
    san_for_common_name(request.subject.common_name);
    check_subject(profile, request.subject);
    for (const auto& san : request.subject_alt_names) {
        if (san.type == SanType::dns) {
            if (auto problem = hostname_problem(san.value)) {
                throw InputError(fmt::format("SAN 'dns:{}' is not valid: {}", san.value, *problem));
            }
        } else if (!parse_ip_address(san.value)) {
            throw InputError(fmt::format("SAN 'ip:{}' is not a valid address", san.value));
        }
    }
    const auto sans = collect_sans(profile, request);
    if (profile.subject.require_san && sans.empty()) {
        throw InputError(fmt::format(
            "profile '{}' requires a subjectAltName: add --san dns:NAME or --san ip:ADDRESS",
            profile.id));
    }
    if (profile.subject.require_ip_san &&
        std::none_of(sans.begin(), sans.end(),
                     [](const SubjectAltName& s) { return s.type == SanType::ip; })) {
        throw InputError(fmt::format(
            "profile '{}' requires an IP address SAN: add --san ip:ADDRESS", profile.id));
    }
    const unsigned days = request.days.value_or(profile.validity.default_days);
    if (days == 0 || days > profile.validity.max_days) {
        throw InputError(fmt::format("{} days is outside what profile '{}' allows (1..{})", days,
                                     profile.id, profile.validity.max_days));
    }
    chosen_bits(profile, request);
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
        throw InputError("a CA name is required (--name)");
    }
    check_subject(profile, request.subject);
    const unsigned days = request.days.value_or(profile.ca.days);
    if (days == 0 || days > profile.ca.max_days) {
        throw InputError(fmt::format("{} days is outside what profile '{}' allows for a CA (1..{})",
                                     days, profile.id, profile.ca.max_days));
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

PrivateKey CertificateBuilder::key_for(std::optional<unsigned> requested_bits,
                                       std::optional<PrivateKey> existing_key) {
    if (!existing_key) {
        return backend_.generate_key({KeyAlgorithm::rsa, *requested_bits});
    }
    const KeyDescription description = backend_.describe_key(*existing_key);
    const auto& allowed = profile_.key.rsa_bits;
    if (description.algorithm != KeyAlgorithm::rsa ||
        std::find(allowed.begin(), allowed.end(), description.bits) == allowed.end()) {
        throw InputError(fmt::format("the given key ({} {}) does not fit profile '{}' (RSA {})",
                                     to_string(description.algorithm), description.bits,
                                     profile_.id, fmt::join(allowed, ", ")));
    }
    return std::move(*existing_key);
}

IssuedCertificate CertificateBuilder::issue_leaf(const CertRequest& request,
                                                 const std::optional<IssuerCredentials>& issuer,
                                                 std::optional<PrivateKey> existing_key) {
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    CertificateTemplate tmpl =
        leaf_template(profile_, request, random_serial(backend_, profile_.serial.bytes), now);
    PrivateKey key = key_for(chosen_bits(profile_, request), std::move(existing_key));
    Bytes der = backend_.sign_certificate(tmpl, key, issuer);
    return {std::move(key), std::move(der)};
}

CertRequest request_from_csr(const Profile& profile, const CsrInfo& csr) {
    if (!csr.signature_valid) {
        throw InputError("the request's signature does not verify: it is damaged or was not "
                         "signed by its own key");
    }
    const auto& allowed = profile.key.rsa_bits;
    if (csr.key_algorithm != KeyAlgorithm::rsa ||
        std::find(allowed.begin(), allowed.end(), csr.key_bits) == allowed.end()) {
        throw InputError(fmt::format("the request's key ({} {}) does not fit profile '{}' (RSA {})",
                                     to_string(csr.key_algorithm), csr.key_bits, profile.id,
                                     fmt::join(allowed, ", ")));
    }
    CertRequest request;
    for (const auto& attribute : csr.subject.attributes) {
        std::string* field = attribute.type == "CN"   ? &request.subject.common_name
                             : attribute.type == "O"  ? &request.subject.organization
                             : attribute.type == "OU" ? &request.subject.organizational_unit
                             : attribute.type == "L"  ? &request.subject.locality
                             : attribute.type == "ST" ? &request.subject.state
                             : attribute.type == "C"  ? &request.subject.country
                                                      : nullptr;
        if (field == nullptr) {
            throw InputError(fmt::format("the request's subject has a {} attribute, which "
                                         "certforge does not issue (CN, O, OU, L, ST, C)",
                                         attribute.type));
        }
        *field = attribute.value;
    }
    if (csr.other_subject_alt_names > 0) {
        throw InputError("the request asks for subjectAltNames other than DNS names and IP "
                         "addresses");
    }
    request.subject_alt_names = csr.subject_alt_names;
    validate_request(profile, request);
    request.rsa_bits = csr.key_bits;
    return request;
}

Bytes CertificateBuilder::issue_for_csr(const CsrInfo& csr, const IssuerCredentials& issuer) {
    const CertRequest request = request_from_csr(profile_, csr);
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    const CertificateTemplate tmpl =
        leaf_template(profile_, request, random_serial(backend_, profile_.serial.bytes), now);
    return backend_.sign_public_key(tmpl, csr.public_key_info, issuer);
}

IssuedRequest CertificateBuilder::make_csr(const CertRequest& request,
                                           std::optional<PrivateKey> existing_key) {
    const CertificateTemplate tmpl =
        leaf_template(profile_, request, {}, static_cast<UnixTime>(std::time(nullptr)));
    PrivateKey key = key_for(chosen_bits(profile_, request), std::move(existing_key));
    Bytes der = backend_.create_csr(tmpl, key);
    return {std::move(key), std::move(der)};
}

IssuedCertificate CertificateBuilder::issue_ca(const CaRequest& request) {
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    CertificateTemplate tmpl =
        ca_template(profile_, request, random_serial(backend_, profile_.serial.bytes), now);
    PrivateKey key = key_for(chosen_bits(profile_, request), std::nullopt);
    Bytes der = backend_.sign_certificate(tmpl, key, std::nullopt);
    return {std::move(key), std::move(der)};
}

} // namespace certforge
