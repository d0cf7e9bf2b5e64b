// SPDX-License-Identifier: Apache-2.0
// `certforge batch`: a certificate per site for deployment pipelines.
// Sites are read as a stream; each is planned (skip, create, renew) and
// built on a pool of worker threads (key generation is the cost), then
// written and recorded in the CA ledger one at a time in file order, so the
// output and the ledger are the same whatever the thread timing.
#pragma once

#include "certforge/cert_info.hpp"
#include "certforge/token_key.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct BatchOptions {
    std::filesystem::path sites_file;
    std::filesystem::path ca_dir;
    std::filesystem::path out_dir;          // one folder per site, named by its id
    std::string backend;                    // empty: the default backend
    unsigned jobs = 0;                      // worker threads; 0: every core
    std::int64_t renew_within = 30 * 86400; // seconds before notAfter
    bool dry_run = false;                   // plan only: no key, no file, no ledger entry
    TokenPin token_pin;                     // a CA key on a token: its PIN, when asked
};

enum class SiteStatus { created, renewed, skipped, failed };

std::string_view to_string(SiteStatus status);

struct SiteResult {
    std::string id;
    std::size_t line = 0;
    SiteStatus status = SiteStatus::failed;
    bool dry_run = false; // created/renewed mean "would be"
    std::string reason;   // why renewed, skipped or failed
    std::string profile;  // the profile (or common ground) it was checked against
    std::filesystem::path folder;
    std::vector<std::filesystem::path> files; // written (created, renewed)
    std::string serial;                       // the site's certificate after the run
    std::string sha256;
    std::optional<UnixTime> not_after;
};

struct BatchSummary {
    std::size_t sites = 0;
    std::size_t created = 0;
    std::size_t renewed = 0;
    std::size_t skipped = 0;
    std::size_t failed = 0;
    unsigned jobs = 0;
};

// Receives results in sites-file order, from the thread that called
// run_batch.
class BatchObserver {
public:
    virtual ~BatchObserver() = default;
    // Before the first site; `sites` is the number in the file.
    virtual void on_start(std::size_t sites, unsigned jobs) = 0;
    virtual void on_site(const SiteResult& result) = 0;
    // A notice for stderr: a warning (weak crypto used) or a note (a
    // certificate cut back to its CA's end), each said once per run.
    virtual void on_notice(std::string_view message, bool warning) = 0;
};

// Runs the batch. Throws InputError when the sites file has problems
// (every one listed with its line, before any site is touched), when the
// CA cannot be loaded or another batch holds the output folder. A site that
// fails is a result, not an exception.
BatchSummary run_batch(const BatchOptions& options, BatchObserver& observer);

} // namespace certforge
