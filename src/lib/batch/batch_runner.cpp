#include "certforge/algorithms.hpp"
#include "certforge/backend_registry.hpp"
#include "certforge/batch.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/output_set.hpp"
#include "certforge/passwords.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_merge.hpp"
#include "certforge/server_files.hpp"
#include "certforge/server_issue.hpp"
#include "certforge/sites.hpp"
#include "certforge/verify.hpp"
#include "lib/common/test_hooks.hpp"
#include "site_planner.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <set>

namespace certforge {
namespace {

namespace fs = std::filesystem;
using detail::SiteAction;

struct Worker {
    std::unique_ptr<Backend> backend;
    std::unique_ptr<ContainerCodec> codec;
};

std::unique_ptr<ContainerCodec> try_container_codec() {
    try {
        return make_container_codec();
    } catch (const UsageError&) {
        return nullptr;
    }
}

// The profiles (and their common ground) and PFX encryption of a site.
struct SiteProfile {
    std::shared_ptr<const IssueTarget> target;
    Pkcs12Encryption encryption = Pkcs12Encryption::triple_des;
};

struct SiteJob {
    SiteSpec spec;
    fs::path folder;
    SiteProfile resolved;
    std::string setup_error;
    std::string ledger_sha256;
    std::vector<std::string> ledger_devices;
    bool interrupted = false; // an earlier write of the folder was killed
    UnixTime now = 0;
};

struct Prepared {
    SiteResult result;
    std::optional<PreparedServerFiles> files;
    std::vector<IssueNotice> notices;
};

// What every job reads and nobody changes while the pool runs.
struct BatchContext {
    const BatchOptions& options;
    const CaFolder& ca;
    const CertInfo& ca_info;
    bool with_codec = false;
};

// Test hook (test_hooks.hpp): CERTFORGE_FAULT_KILL_AFTER_RECORD=N kills the process with
// SIGKILL right after the N-th ledger entry is committed and before its
// files are renamed into place, the worst moment for a crash.
class FaultInjection {
public:
    FaultInjection() {
        if (const char* value = detail::test_hook("CERTFORGE_FAULT_KILL_AFTER_RECORD")) {
            kill_after_ = std::strtoul(value, nullptr, 10);
        }
    }
    void after_record() {
        if (kill_after_ != 0 && ++recorded_ == kill_after_) {
            std::raise(SIGKILL);
        }
    }

private:
    unsigned long kill_after_ = 0;
    unsigned long recorded_ = 0;
};

void fill_certificate(SiteResult& result, const CertInfo& info) {
    result.serial = normalize_serial(to_hex(info.serial));
    result.sha256 = to_hex(info.sha256_fingerprint);
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

Prepared prepare(const BatchContext& context, const SiteJob& job, Worker& worker) {
    Prepared out;
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
        const CertRequest request = detail::site_request(job.spec, profile);
        const ServerFormats formats(job.spec.formats);
        const bool devices_in_bundle = formats.has(ExportFormat::import_bundle) &&
                                       context.with_codec && profile.import.identity_pkcs12 &&
                                       !job.spec.devices.empty();
        const bool will_generate =
            server_files_need_password(formats, context.with_codec, devices_in_bundle) &&
            job.spec.password_env.empty() && job.spec.password_file.empty();
        const detail::SitePlan plan = detail::plan_site(
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

// The SHA-256 of the certificate in a site's folder, or "" when there is
// none that can be read.
std::string current_sha256(const fs::path& folder, const Backend& backend) {
    const fs::path crt = folder / "server.crt";
    std::error_code ec;
    if (!fs::exists(crt, ec)) {
        return {};
    }
    try {
        return to_hex(backend.digest(HashAlgorithm::sha256, read_certificate_file(crt).front()));
    } catch (const Error&) {
        return {};
    }
}

// Each set of profiles is loaded (and merged) once per run.
class ProfileCache {
public:
    SiteProfile resolve(const SiteSpec& site) {
        const std::string key =
            fmt::format("{}|{}|{}", fmt::join(site.profiles, ","), site.server_os, site.pkcs12);
        if (const auto found = cache_.find(key); found != cache_.end()) {
            return found->second;
        }
        std::vector<Profile> loaded;
        for (const auto& name : site.profiles) {
            loaded.push_back(catalog_.load(name));
        }
        SiteProfile resolved;
        resolved.target = std::make_shared<const IssueTarget>(IssueTarget::of(std::move(loaded)));
        resolved.encryption = server_pfx_encryption(catalog_, site.server_os, site.pkcs12);
        cache_.emplace(key, resolved);
        return resolved;
    }

private:
    ProfileCatalog catalog_ = ProfileCatalog::from_environment();
    std::map<std::string, SiteProfile> cache_;
};

} // namespace

std::string_view to_string(SiteStatus status) {
    switch (status) {
    case SiteStatus::created:
        return "created";
    case SiteStatus::renewed:
        return "renewed";
    case SiteStatus::skipped:
        return "skipped";
    case SiteStatus::failed:
        break;
    }
    return "failed";
}

BatchSummary run_batch(const BatchOptions& options, BatchObserver& observer) {
    const SitesCheck check = check_sites_file(options.sites_file);
    if (!check.problems.empty()) {
        throw SitesFileError(options.sites_file, check.problems);
    }
    if (check.sites == 0) {
        throw InputError(fmt::format("{} holds no site", options.sites_file.string()));
    }
    const auto backend = make_backend(options.backend);
    const CaFolder ca = load_ca_folder(options.ca_dir, *backend);
    const CertInfo ca_info =
        backend->parse_certificate(ca.certificate_der, (options.ca_dir / kCaCertFile).string());
    std::optional<CaLedger> ledger;
    if (!options.dry_run || fs::exists(options.ca_dir / kCaLedgerFile)) {
        ledger.emplace(options.ca_dir);
    }
    std::optional<FolderLock> lock;
    if (!options.dry_run) {
        make_folders(options.out_dir, FolderMode::public_folder);
        lock.emplace(options.out_dir);
    }

    BatchSummary summary;
    summary.jobs =
        options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
    const BatchContext context{options, ca, ca_info, try_container_codec() != nullptr};
    ProfileCache profiles;
    std::set<std::string> announced;
    FaultInjection fault;
    observer.on_start(check.sites, summary.jobs);

    const std::string backend_name(backend->name());
    detail::WorkerPool<Worker, Prepared> pool(summary.jobs, [&backend_name] {
        return Worker{make_backend(backend_name), try_container_codec()};
    });

    // What the site's folder and the ledger say before the site is planned.
    // A failure here fails the site, not the batch.
    const auto inspect = [&](SiteJob& job) {
        job.resolved = profiles.resolve(job.spec);
        if (!options.dry_run) {
            repair_interrupted_writes(job.folder);
        }
        if (ledger) {
            const std::string on_disk = current_sha256(job.folder, *backend);
            LedgerFilter filter;
            filter.location = ledger_location(job.folder);
            if (!options.dry_run) {
                job.interrupted = ledger->reconcile_pending(filter.location, on_disk).abandoned > 0;
            } else {
                filter.status = LedgerStatus::pending;
                for (const auto& entry : ledger->entries(filter)) {
                    if (!on_disk.empty() && entry.sha256 == on_disk) {
                        job.ledger_sha256 = entry.sha256;
                    } else {
                        job.interrupted = true;
                    }
                }
            }
            filter.status = LedgerStatus::valid;
            const auto valid = ledger->entries(filter);
            if (!valid.empty() && job.ledger_sha256.empty()) {
                job.ledger_sha256 = valid.back().sha256;
            }
            LedgerFilter devices;
            devices.status = LedgerStatus::valid;
            devices.companions_of = filter.location;
            for (const auto& entry : ledger->entries(devices)) {
                job.ledger_devices.push_back(
                    device_signature(entry.common_name, entry.subject_alt_names));
            }
        }
    };

    const auto dispatch = [&](SiteSpec spec, const std::vector<SitesProblem>& problems) {
        SiteJob job;
        job.spec = std::move(spec);
        job.folder = options.out_dir / job.spec.id;
        job.now = static_cast<UnixTime>(std::time(nullptr));
        if (!problems.empty()) {
            // The file changed since it was checked.
            job.setup_error =
                fmt::format("line {}: {}", problems.front().line, problems.front().message);
        } else {
            try {
                inspect(job);
            } catch (const Error& e) {
                job.setup_error = e.what();
            } catch (const std::exception& e) {
                job.setup_error =
                    fmt::format("cannot inspect {}: {}", job.folder.string(), e.what());
            }
        }
        return pool.submit([&context, job = std::move(job)](Worker& worker) {
            return prepare(context, job, worker);
        });
    };

    const auto finish = [&](Prepared prepared) {
        SiteResult& result = prepared.result;
        for (const auto& notice : prepared.notices) {
            if (announced.insert(notice.text).second) {
                observer.on_notice(notice.text, notice.warning);
            }
        }
        if (prepared.files) {
            try {
                result.files =
                    deliver(*prepared.files, &*ledger, [&fault] { fault.after_record(); });
            } catch (const Error& e) {
                result.status = SiteStatus::failed;
                result.reason = fmt::format("cannot write its files: {}", e.what());
            }
        }
        ++summary.sites;
        switch (result.status) {
        case SiteStatus::created:
            ++summary.created;
            break;
        case SiteStatus::renewed:
            ++summary.renewed;
            break;
        case SiteStatus::skipped:
            ++summary.skipped;
            break;
        case SiteStatus::failed:
            ++summary.failed;
            break;
        }
        observer.on_site(result);
    };

    // Results are finished in file order; at most `window` sites are in
    // flight, so memory does not grow with the number of sites.
    const std::size_t window = 2 * std::size_t{summary.jobs} + 2;
    const auto reader = SitesReader::open(options.sites_file);
    std::deque<std::future<Prepared>> in_flight;
    bool more = true;
    while (true) {
        while (more && in_flight.size() < window) {
            SiteSpec spec;
            std::vector<SitesProblem> problems;
            more = reader->next(spec, problems);
            if (more) {
                in_flight.push_back(dispatch(std::move(spec), problems));
            }
        }
        if (in_flight.empty()) {
            break;
        }
        Prepared prepared = in_flight.front().get();
        in_flight.pop_front();
        finish(std::move(prepared));
    }
    return summary;
}

} // namespace certforge
