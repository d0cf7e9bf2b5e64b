// SPDX-License-Identifier: Apache-2.0
#include "site_planner.hpp"

#include "certforge/certificate_builder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"
#include "certforge/server_issue.hpp"
#include "certforge/verify.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace certforge::detail {
namespace {

namespace fs = std::filesystem;

std::set<std::string> san_texts(const std::vector<SubjectAltName>& sans) {
    std::set<std::string> out;
    for (const auto& san : sans) {
        out.insert(to_string(san));
    }
    return out;
}

std::string join(const std::set<std::string>& names) {
    return names.empty() ? std::string("none") : fmt::format("{}", fmt::join(names, " "));
}

SitePlan renew(std::string reason, std::optional<CertInfo> current = std::nullopt) {
    return {SiteAction::renew, std::move(reason), std::move(current)};
}

} // namespace

CertRequest site_request(const SiteSpec& site, const Profile& profile) {
    CertRequest request;
    request.subject = site.subject;
    request.subject.common_name = site.cn;
    for (const auto& san : site.sans) {
        request.subject_alt_names.push_back(parse_san(san));
    }
    request.days = site.days;
    validate_request(profile, request);
    return request;
}

SitePlan plan_site(const PlanInput& input, const Backend& backend) {
    const fs::path crt = input.folder / "server.crt";
    if (!fs::exists(crt)) {
        return {SiteAction::create,
                fs::exists(input.folder) ? "no server.crt in its folder" : "new site",
                std::nullopt};
    }
    if (input.interrupted) {
        return renew("an earlier run was killed while writing its files");
    }
    CertInfo current;
    try {
        current = backend.parse_certificate(read_certificate_file(crt).front(), path_text(crt));
    } catch (const Error& e) {
        return renew(fmt::format("server.crt cannot be read: {}", e.what()));
    }
    try {
        const PrivateKey key = read_private_key_file(input.folder / "server.key");
        if (!backend.key_matches_certificate(key, current.der)) {
            return renew("server.key does not belong to server.crt", current);
        }
    } catch (const Error& e) {
        return renew(fmt::format("server.key cannot be read: {}", e.what()), current);
    }
    if (current.issuer != input.ca.subject || current.authority_key_id != input.ca.subject_key_id) {
        return renew("server.crt was not issued by this CA", current);
    }
    if (sha256_hex(current) != input.ledger_sha256) {
        return renew("server.crt is not the site's certificate in the CA ledger", current);
    }
    const auto expected = leaf_template(input.target.effective, input.request, Bytes{1}, input.now);
    const std::string current_cn = current.subject.common_name().value_or("");
    const auto wanted_sans = san_texts(expected.subject_alt_names);
    const auto current_sans = san_texts(current.subject_alt_names);
    if (current_cn != input.request.subject.common_name || wanted_sans != current_sans) {
        return renew(fmt::format("names changed: CN {} SAN {} -> CN {} SAN {}", current_cn,
                                 join(current_sans), input.request.subject.common_name,
                                 join(wanted_sans)),
                     current);
    }
    std::set<std::string> wanted_devices;
    for (const auto& device : input.site.devices) {
        const CertRequest request = device_request(input.request, parse_device_entry(device));
        const auto sans =
            leaf_template(input.target.effective, request, Bytes{1}, input.now).subject_alt_names;
        std::vector<std::string> texts;
        for (const auto& san : sans) {
            texts.push_back(to_string(san));
        }
        wanted_devices.insert(device_signature(request.subject.common_name, texts));
    }
    const std::set<std::string> current_devices(input.ledger_devices.begin(),
                                                input.ledger_devices.end());
    if (input.devices_in_bundle && wanted_devices != current_devices) {
        const auto listed = [](const std::set<std::string>& devices) {
            return devices.empty() ? std::string("none")
                                   : fmt::format("{}", fmt::join(devices, "; "));
        };
        return renew(fmt::format("devices changed: {} -> {}", listed(current_devices),
                                 listed(wanted_devices)),
                     current);
    }
    for (const auto& profile : input.target.profiles) {
        const Report report = verify_chain({current, input.ca}, profile, input.now,
                                           {CertificateRole::leaf, &backend});
        if (const auto error = first_error(report)) {
            return renew(fmt::format("does not pass profile {} with its CA: {}: {}", profile.id,
                                     error->rule, error->message),
                         current);
        }
    }
    if (current.not_after >= input.ca.not_after) {
        return {SiteAction::skip,
                fmt::format("valid until {}, when its CA ends: a new CA (certforge ca init) "
                            "takes it further",
                            format_utc(current.not_after)),
                current};
    }
    if (current.not_after - input.now <= input.renew_within) {
        return renew(
            fmt::format("expires {}, within the renewal window", format_utc(current.not_after)),
            current);
    }
    for (const auto& name : input.expected_files) {
        if (!fs::exists(input.folder / utf8_path(name))) {
            return renew(fmt::format("{} is missing", name), current);
        }
    }
    return {SiteAction::skip, fmt::format("valid until {}", format_utc(current.not_after)),
            current};
}

} // namespace certforge::detail
