// SPDX-License-Identifier: Apache-2.0
// Internal: what a ScepService holds, shared by scep_service.cpp (setup,
// routing, the challenge page) and scep_pki_operation.cpp (PKIOperation).
#pragma once

#include "certforge/backend.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/issue.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/scep_message.hpp"
#include "certforge/scep_service.hpp"
#include "ledger_committer.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace certforge {

// What one request thread works with: its own backend (backends are not
// shared between threads) and its own connection to the ledger for reads.
struct ScepWorker {
    std::unique_ptr<Backend> backend;
    std::unique_ptr<CaLedger> ledger;
};

struct ScepService::Impl {
    // Loads the CA and its RA (making it when needed), opens the ledger.
    explicit Impl(ScepServiceOptions service_options);

    ScepServiceOptions options;
    ProfileCatalog catalog;
    std::unique_ptr<Backend> backend; // setup only
    CaFolder ca;
    CertInfo ca_info;
    ScepRa ra;
    std::unique_ptr<ScepCodec> codec;
    Bytes ca_certificates;
    std::unique_ptr<scep::LedgerCommitter> committer;

    std::mutex mutex; // guards the two below
    std::vector<std::unique_ptr<ScepWorker>> idle_workers;
    std::map<std::string, std::shared_ptr<const IssueTarget>, std::less<>> targets;

    // A worker for the length of one request.
    class WorkerLease {
    public:
        explicit WorkerLease(Impl& impl);
        ~WorkerLease();
        WorkerLease(const WorkerLease&) = delete;
        WorkerLease& operator=(const WorkerLease&) = delete;
        ScepWorker* operator->() const noexcept { return worker_.get(); }

    private:
        Impl& impl_;
        std::unique_ptr<ScepWorker> worker_;
    };

    // The target of a profile id, loaded once. Throws InputError when the
    // profile cannot be loaded.
    std::shared_ptr<const IssueTarget> target(const std::string& profile);

    ScepHttpResponse pki_operation(ByteView message, const ScepHttpRequest& http);
};

// Bytes as the body of a response.
inline std::string body_of(ByteView bytes) {
    return std::string(bytes.begin(), bytes.end());
}

// The CertRep, or HTTP 500 when it cannot be made; `log` is its log line.
ScepHttpResponse scep_reply(const ScepCodec& codec, const ScepRequest& request,
                            const ScepReply& reply, std::string log);

} // namespace certforge
