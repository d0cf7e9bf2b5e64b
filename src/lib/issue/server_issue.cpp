// SPDX-License-Identifier: Apache-2.0
#include "certforge/server_issue.hpp"

#include "certforge/errors.hpp"
#include "certforge/import_bundle.hpp"
#include "certforge/signal_guard.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace certforge {
CertRequest device_request(const CertRequest& server, const CertRequest& device) {
    CertRequest request = server;
    request.subject.common_name = device.subject.common_name;
    request.subject_alt_names = device.subject_alt_names;
    request.rsa_bits.reset();
    return request;
}

void require_devices_allowed(const Profile& profile, bool devices_named) {
    if (devices_named && !profile.import.identity_pkcs12) {
        throw RefusedError("import.identity_pkcs12", profile.id,
                           fmt::format("profile '{}' says its devices import only the CA "
                                       "certificate, not a key and certificate of their own",
                                       profile.id),
                           FixHint::device_names);
    }
}

std::string device_signature(std::string_view common_name, std::vector<std::string> sans) {
    std::sort(sans.begin(), sans.end());
    return fmt::format("{} {}", common_name, fmt::join(sans, ","));
}

std::string device_pkcs12_name(const CertRequest& device, std::size_t count) {
    if (count == 1) {
        return "device.p12";
    }
    std::string name;
    for (const char c : device.subject.common_name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '.' || c == '-';
        name += plain ? c : '_';
    }
    return fmt::format("device-{}.p12", name);
}

CheckedServerOrder check_server_order(CertificateIssuer& issuer, const ContainerCodec* codec,
                                      const ServerOrder& order) {
    const Profile& profile = issuer.target().effective;
    CheckedServerOrder checked;
    checked.server_plan = issuer.plan(order.request);
    checked.with_devices = order.formats.has(ExportFormat::import_bundle) && codec != nullptr &&
                           !order.devices.empty();
    require_devices_allowed(profile, !order.devices.empty());
    if (!order.devices.empty() && issuer.ca() == nullptr) {
        throw RefusedError("import.identity_pkcs12", profile.id,
                           "a device's own certificate is signed by the CA its bundle makes the "
                           "device trust, and there is none: the server certificate is "
                           "self-signed",
                           FixHint::ca_for_profile);
    }
    std::set<std::string> names;
    for (const auto& device : order.devices) {
        const std::string& name = device.subject.common_name;
        if (!names.insert(name).second) {
            throw RefusedError("import.identity_pkcs12", profile.id,
                               fmt::format("device '{}' is named twice", name),
                               FixHint::device_entry);
        }
        checked.devices.push_back(device_request(order.request, device));
        try {
            checked.device_plans.push_back(issuer.plan(checked.devices.back()));
        } catch (const RefusedError& e) {
            throw RefusedError(e.rule(), e.profile(),
                               fmt::format("device '{}': {}", name, e.what()),
                               FixHint::device_entry);
        }
    }
    if (server_files_need_password(order.formats, codec != nullptr, checked.with_devices)) {
        checked.password =
            new_password(order.password, issuer.backend(), checked.password_generated);
        if (checked.password.empty() && !profile.import.empty_password) {
            throw RefusedError("import.empty_password", profile.id,
                               fmt::format("an empty password is allowed only for devices that "
                                           "need one, and profile '{}' does not say so "
                                           "(import.empty_password)",
                                           profile.id),
                               FixHint::password);
        }
    }
    return checked;
}

PreparedServerFiles prepare_server_files(CertificateIssuer& issuer, ContainerCodec* codec,
                                         ServerOrder order, const std::filesystem::path& folder,
                                         bool force, FolderLink folder_link) {
    const Profile& profile = issuer.target().effective;
    CheckedServerOrder checked = check_server_order(issuer, codec, order);
    const std::vector<CertRequest>& devices = checked.devices;
    PreparedServerFiles prepared;
    prepared.password_generated = checked.password_generated;

    Backend& backend = issuer.backend();
    const IssuedCertificate issued =
        issuer.issue(order.request, checked.server_plan, std::move(order.existing_key));
    prepared.certificate = backend.parse_certificate(issued.certificate_der, "the new certificate");

    ServerFilesInput files{profile, issued};
    files.ca_certificate = issuer.ca() ? &issuer.ca()->certificate_der : nullptr;
    files.codec = codec;
    files.password = std::move(checked.password);
    files.password_generated = prepared.password_generated;
    files.server_encryption = order.server_encryption;
    files.device_hint = order.device_hint;
    files.formats = order.formats;
    files.now = issuer.now();
    if (checked.with_devices) {
        for (std::size_t i = 0; i < devices.size(); ++i) {
            const CertRequest& device = devices[i];
            files.devices.push_back({device.subject.common_name,
                                     device_pkcs12_name(device, devices.size()),
                                     issuer.issue(device, checked.device_plans[i])});
            prepared.device_certificates.push_back(backend.parse_certificate(
                files.devices.back().issued.certificate_der, "the new device certificate"));
        }
    }
    prepared.output = std::make_unique<OutputSet>(folder, force, folder_link);
    add_server_files(*prepared.output, files, backend);

    if (issuer.ca() != nullptr) {
        prepared.ledger_entries.push_back(make_ledger_entry(prepared.certificate, profile.id,
                                                            order.source, order.site,
                                                            ledger_location(folder), issuer.now()));
        for (std::size_t i = 0; i < files.devices.size(); ++i) {
            prepared.ledger_entries.push_back(make_ledger_entry(
                prepared.device_certificates[i], profile.id, order.source, order.site,
                ledger_bundle_location(folder, files.devices[i].file_name), issuer.now()));
        }
    }
    return prepared;
}

std::vector<std::filesystem::path> deliver(PreparedServerFiles& prepared, CaLedger* ledger,
                                           const std::function<void()>& after_record) {
    const SignalGuard guard;
    if (ledger == nullptr || prepared.ledger_entries.empty()) {
        return prepared.output->commit();
    }
    return deliver_recorded(*ledger, prepared.ledger_entries, *prepared.output, after_record);
}

} // namespace certforge
