// SPDX-License-Identifier: Apache-2.0
#include "site_job.hpp"

#include "certforge/errors.hpp"
#include "certforge/export_formats.hpp"
#include "certforge/output_set.hpp"
#include "certforge/passwords.hpp"
#include "certforge/server_files.hpp"
#include "site_planner.hpp"

#include <fmt/format.h>

namespace certforge::detail {
namespace {

void fill_certificate(SiteResult& result, const CertInfo& info) {
    result.serial = serial_hex(info);
    result.sha256 = sha256_hex(info);
    result.not_after = info.not_after;
}

constexpr const char* kDeviceHint =
    "To get one, list the device in the site's devices in the sites file (devices = "
    "[\"NAME=ip:ADDRESS\"]) and run the batch again.";

// A batch user edits a sites file, not command line options.
std::string sites_file_hint(const RefusedError& refused) {
    switch (refused.hint()) {
    case FixHint::common_name:
        return "correct the site's cn";
    case FixHint::names:
        return "correct the site's sans (dns:NAME or ip:ADDRESS)";
    case FixHint::ip_san:
        return "add the address devices use to the site's sans (ip:ADDRESS)";
    case FixHint::subject:
        return "correct the site's organization, organizational_unit, locality, state or country";
    case FixHint::days:
        return fmt::format("set the site's days within what profile '{}' allows",
                           refused.profile());
    case FixHint::key:
    case FixHint::hash:
        return fmt::format("choose profiles that share a key size and hash ('{}' sets them)",
                           refused.profile());
    case FixHint::password:
        return "give a non-empty password in password_env or password_file, or neither to have "
               "one generated";
    case FixHint::ca_for_profile:
        return fmt::format("issue this site from a CA made for it (certforge ca init --profile "
                           "{}) in a batch of its own",
                           refused.profile());
    case FixHint::ca_renewal:
        return "make a new CA (certforge ca init) and run the batch with it";
    case FixHint::device_names:
        return "remove the site's devices: this profile's devices import only the CA";
    case FixHint::device_entry:
        return "correct the site's devices entry (NAME or NAME=dns:NAME,ip:ADDRESS)";
    case FixHint::request:
    case FixHint::none:
        break;
    }
    return fmt::format("see certforge profiles show {}", refused.profile());
}

} // namespace

PreparedSite prepare_site(const BatchContext& context, const SiteJob& job, Worker& worker) {
    PreparedSite out;
    SiteResult& result = out.result;
    result.id = job.spec.id;
    result.line = job.spec.line;
    result.folder = job.folder;
    result.dry_run = context.options.dry_run;
    try {
        if (!job.setup_error.empty()) {
            throw InputError(job.setup_error);
        }
        const IssueTarget& target = *job.resolved.target;
        const Profile& profile = target.effective;
        result.profile = profile.id;
        CertificateIssuer issuer(*worker.backend, target, &context.ca, job.now);
        require_devices_allowed(profile, !job.spec.devices.empty());
        const CertRequest request = site_request(job.spec, profile);
        const ServerFormats formats(job.spec.formats);
        const bool devices_in_bundle = formats.has(ExportFormat::import_bundle) &&
                                       context.with_codec && profile.import.identity_pkcs12 &&
                                       !job.spec.devices.empty();
        const bool will_generate =
            server_files_need_password(formats, context.with_codec, devices_in_bundle) &&
            job.spec.password_env.empty() && job.spec.password_file.empty();
        const SitePlan plan = plan_site(
            {.site = job.spec,
             .request = request,
             .target = target,
             .ca = context.ca_info,
             .folder = job.folder,
             .expected_files = server_file_names(formats, true, context.with_codec, will_generate),
             .ledger_sha256 = job.ledger_sha256,
             .ledger_devices = job.ledger_devices,
             .devices_in_bundle = devices_in_bundle,
             .interrupted = job.interrupted,
             .now = job.now,
             .renew_within = context.options.renew_within},
            *worker.backend);
        result.reason = plan.reason;
        if (plan.current) {
            fill_certificate(result, *plan.current);
        }
        if (plan.action == SiteAction::skip) {
            result.status = SiteStatus::skipped;
            return out;
        }
        result.status =
            plan.action == SiteAction::create ? SiteStatus::created : SiteStatus::renewed;
        ServerOrder order;
        order.request = request;
        for (const auto& device : job.spec.devices) {
            order.devices.push_back(parse_device_entry(device));
        }
        order.formats = formats;
        order.server_encryption = job.resolved.encryption;
        order.password = PasswordSource{job.spec.password_file, job.spec.password_env, {}};
        order.device_hint = kDeviceHint;
        order.source = "batch";
        order.site = job.spec.id;
        if (context.options.dry_run) {
            static_cast<void>(check_server_order(issuer, worker.codec.get(), order));
            OutputSet::refuse_existing(job.folder, {}, true, FolderLink::refuse);
            return out;
        }
        out.files = prepare_server_files(issuer, worker.codec.get(), std::move(order), job.folder,
                                         true, FolderLink::refuse);
        out.notices = issuer.take_notices();
        fill_certificate(result, out.files->certificate);
    } catch (const RefusedError& e) {
        result.status = SiteStatus::failed;
        result.reason = e.with_fix(sites_file_hint(e));
        out.files.reset();
    } catch (const Error& e) {
        result.status = SiteStatus::failed;
        result.reason = e.what();
        out.files.reset();
    } catch (const std::exception& e) {
        result.status = SiteStatus::failed;
        result.reason = fmt::format("internal error: {}", e.what());
        out.files.reset();
    }
    return out;
}

} // namespace certforge::detail
