// SPDX-License-Identifier: Apache-2.0
// One site of a batch: what the runner learns about it on its own thread
// (SiteJob), and what a worker thread makes of it (prepare_site): the plan,
// then, unless the site is skipped or the run is dry, its files and ledger
// entries, checked but not yet on disk.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/batch.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/containers.hpp"
#include "certforge/issue.hpp"
#include "certforge/server_issue.hpp"
#include "certforge/sites.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge::detail {

// A worker thread's own backend and codec (neither is shared between threads).
struct Worker {
    std::unique_ptr<Backend> backend;
    std::unique_ptr<ContainerCodec> codec; // null in a build without OpenSSL
};

// The profiles (and their common ground) and PFX encryption of a site.
struct SiteProfile {
    std::shared_ptr<const IssueTarget> target;
    Pkcs12Encryption encryption = Pkcs12Encryption::triple_des;
};

struct SiteJob {
    SiteSpec spec;
    std::filesystem::path folder;
    SiteProfile resolved;
    std::string setup_error; // the site fails with this before it is planned
    std::string ledger_sha256;
    std::vector<std::string> ledger_devices;
    bool interrupted = false; // an earlier write of the folder was killed
    UnixTime now = 0;
};

struct PreparedSite {
    SiteResult result;
    std::optional<PreparedServerFiles> files; // to deliver: created or renewed
    std::vector<IssueNotice> notices;
};

// What every job reads and nobody changes while the pool runs.
struct BatchContext {
    const BatchOptions& options;
    const CaFolder& ca;
    const CertInfo& ca_info;
    bool with_codec = false;
};

// Plans the site and, when it is to be created or renewed (and the run is
// not dry), makes its files. Never throws: a failure is the result's
// status and reason, with the fix said in sites-file words.
PreparedSite prepare_site(const BatchContext& context, const SiteJob& job, Worker& worker);

} // namespace certforge::detail
