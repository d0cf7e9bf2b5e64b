// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/batch.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/server_issue.hpp"
#include "certforge/sites.hpp"
#include "lib/common/test_hooks.hpp"
#include "lib/platform/process.hpp"
#include "site_job.hpp"
#include "worker_pool.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fmt/format.h>
#include <map>
#include <set>

namespace certforge {
namespace {

namespace fs = std::filesystem;
using detail::BatchContext;
using detail::PreparedSite;
using detail::SiteJob;
using detail::SiteProfile;
using detail::Worker;

std::unique_ptr<ContainerCodec> try_container_codec() {
    try {
        return make_container_codec();
    } catch (const UsageError&) {
        return nullptr;
    }
}

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
            platform::kill_self();
        }
    }

private:
    unsigned long kill_after_ = 0;
    unsigned long recorded_ = 0;
};

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

std::size_t checked_site_count(const fs::path& sites_file) {
    const SitesCheck check = check_sites_file(sites_file);
    if (!check.problems.empty()) {
        throw SitesFileError(sites_file, check.problems);
    }
    if (check.sites == 0) {
        throw InputError(fmt::format("{} holds no site", path_text(sites_file)));
    }
    return check.sites;
}

// One run: the sites file checked, the CA loaded, the ledger opened and the
// output folder locked when it is made; then each site is inspected here,
// prepared on a worker thread and finished here, in file order.
class BatchRun {
public:
    BatchRun(const BatchOptions& options, BatchObserver& observer)
        : options_(options), observer_(observer), sites_(checked_site_count(options.sites_file)),
          backend_(make_backend(options.backend)),
          ca_(load_ca_folder(options.ca_dir, *backend_, options.token_pin)),
          ca_info_(backend_->parse_certificate(ca_.certificate_der,
                                               path_text(options.ca_dir / kCaCertFile))),
          context_{options, ca_, ca_info_, false} {
        if (!options.dry_run || ca_has_ledger(options.ca_dir)) {
            ledger_.emplace(options.ca_dir);
        }
        if (!options.dry_run) {
            make_folders(options.out_dir, FolderMode::public_folder);
            lock_.emplace(options.out_dir);
        }
        summary_.jobs =
            options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
        context_.with_codec = try_container_codec() != nullptr;
    }

    BatchSummary run() {
        observer_.on_start(sites_, summary_.jobs);
        pool_.emplace(summary_.jobs, [name = std::string(backend_->name())] {
            return Worker{make_backend(name), try_container_codec()};
        });
        // Results are finished in file order; at most `window` sites are in
        // flight, so memory does not grow with the number of sites.
        const std::size_t window = 2 * std::size_t{summary_.jobs} + 2;
        const auto reader = SitesReader::open(options_.sites_file);
        std::deque<std::future<PreparedSite>> in_flight;
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
            PreparedSite prepared = in_flight.front().get();
            in_flight.pop_front();
            finish(std::move(prepared));
        }
        return summary_;
    }

private:
    // What the site's folder and the ledger say before the site is planned.
    // A failure here fails the site, not the batch.
    void inspect(SiteJob& job) {
        job.resolved = profiles_.resolve(job.spec);
        if (!options_.dry_run) {
            repair_interrupted_writes(job.folder);
        }
        if (ledger_) {
            const std::string on_disk = current_sha256(job.folder, *backend_);
            LedgerFilter filter;
            filter.location = ledger_location(job.folder);
            if (!options_.dry_run) {
                job.interrupted =
                    ledger_->reconcile_pending(filter.location, on_disk).abandoned > 0;
            } else {
                filter.status = LedgerStatus::pending;
                for (const auto& entry : ledger_->entries(filter)) {
                    if (!on_disk.empty() && entry.sha256 == on_disk) {
                        job.ledger_sha256 = entry.sha256;
                    } else {
                        job.interrupted = true;
                    }
                }
            }
            filter.status = LedgerStatus::valid;
            const auto valid = ledger_->entries(filter);
            if (!valid.empty() && job.ledger_sha256.empty()) {
                job.ledger_sha256 = valid.back().sha256;
            }
            LedgerFilter devices;
            devices.status = LedgerStatus::valid;
            devices.companions_of = filter.location;
            for (const auto& entry : ledger_->entries(devices)) {
                job.ledger_devices.push_back(
                    device_signature(entry.common_name, entry.subject_alt_names));
            }
        }
    }

    std::future<PreparedSite> dispatch(SiteSpec spec, const std::vector<SitesProblem>& problems) {
        SiteJob job;
        job.spec = std::move(spec);
        job.folder = options_.out_dir / utf8_path(job.spec.id);
        job.now = unix_now();
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
                    fmt::format("cannot inspect {}: {}", path_text(job.folder), e.what());
            }
        }
        return pool_->submit([this, job = std::move(job)](Worker& worker) {
            return detail::prepare_site(context_, job, worker);
        });
    }

    void finish(PreparedSite prepared) {
        SiteResult& result = prepared.result;
        for (const auto& notice : prepared.notices) {
            if (announced_.insert(notice.text).second) {
                observer_.on_notice(notice.text, notice.warning);
            }
        }
        if (prepared.files) {
            try {
                result.files =
                    deliver(*prepared.files, &*ledger_, [this] { fault_.after_record(); });
            } catch (const Error& e) {
                result.status = SiteStatus::failed;
                result.reason = fmt::format("cannot write its files: {}", e.what());
            }
        }
        ++summary_.sites;
        switch (result.status) {
        case SiteStatus::created:
            ++summary_.created;
            break;
        case SiteStatus::renewed:
            ++summary_.renewed;
            break;
        case SiteStatus::skipped:
            ++summary_.skipped;
            break;
        case SiteStatus::failed:
            ++summary_.failed;
            break;
        }
        observer_.on_site(result);
    }

    const BatchOptions& options_;
    BatchObserver& observer_;
    const std::size_t sites_;
    const std::unique_ptr<Backend> backend_;
    const CaFolder ca_;
    const CertInfo ca_info_;
    BatchContext context_;
    std::optional<CaLedger> ledger_;
    std::optional<FolderLock> lock_;
    BatchSummary summary_;
    ProfileCache profiles_;
    std::set<std::string> announced_;
    FaultInjection fault_;
    // Last: its threads stop before what they read goes.
    std::optional<detail::WorkerPool<Worker, PreparedSite>> pool_;
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
    return BatchRun(options, observer).run();
}

} // namespace certforge
