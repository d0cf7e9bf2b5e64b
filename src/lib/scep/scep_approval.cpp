// SPDX-License-Identifier: Apache-2.0
// Deciding pending SCEP requests by hand.
#include "certforge/backend.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/scep_service.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

ScepTransaction pending_request(CaLedger& ledger, std::string_view id) {
    if (id.size() < 8 || id.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        throw UsageError(
            fmt::format("'{}' is not a request id (8 or more hex digits, as 'certforge "
                        "scep requests' shows them)",
                        id.substr(0, 80)));
    }
    std::string wanted(id);
    for (char& c : wanted) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::vector<ScepTransaction> found;
    for (auto& t : ledger.scep_transactions(ScepTransactionStatus::pending)) {
        if (t.request_sha256.starts_with(wanted)) {
            found.push_back(std::move(t));
        }
    }
    if (found.empty()) {
        throw InputError(fmt::format("no pending SCEP request has id {}", wanted));
    }
    if (found.size() > 1) {
        throw InputError(fmt::format("{} pending SCEP requests have ids starting {}; give more "
                                     "digits",
                                     found.size(), wanted));
    }
    return std::move(found.front());
}

ScepTransaction commit_decision(CaLedger& ledger, ScepDecision decision, UnixTime now) {
    const auto result = ledger.commit_scep({decision}, now).front();
    if (result.outcome != ScepCommitOutcome::committed) {
        throw InputError(fmt::format("SCEP request {} was decided meanwhile ({})",
                                     decision.transaction.request_sha256.substr(0, 8),
                                     to_string(result.transaction.status)));
    }
    return result.transaction;
}

} // namespace

ScepTransaction approve_scep_request(const CaFolder& ca, Backend& backend, CaLedger& ledger,
                                     std::string_view id, UnixTime now) {
    ScepDecision decision;
    decision.transaction = pending_request(ledger, id);
    ScepTransaction& t = decision.transaction;
    const IssueTarget target =
        IssueTarget::of({ProfileCatalog::from_environment().load(t.profile)});
    const CsrInfo csr = backend.parse_csr(t.request, "the pending request");
    t.decided_at = now;
    Bytes der;
    try {
        CertificateIssuer issuer(backend, target, &ca, now);
        der = issuer.issue_for_csr(csr);
    } catch (const RefusedError& e) {
        t.status = ScepTransactionStatus::rejected;
        t.reason = e.what();
        commit_decision(ledger, decision, now);
        throw;
    }
    const CertInfo info = backend.parse_certificate(der, "the new certificate");
    decision.certificate = make_ledger_entry(info, t.profile, "scep", "", "scep:" + t.peer, now);
    t.status = ScepTransactionStatus::issued;
    t.serial = decision.certificate->serial;
    return commit_decision(ledger, decision, now);
}

ScepTransaction reject_scep_request(CaLedger& ledger, std::string_view id, std::string reason,
                                    UnixTime now) {
    ScepDecision decision;
    decision.transaction = pending_request(ledger, id);
    decision.transaction.status = ScepTransactionStatus::rejected;
    decision.transaction.decided_at = now;
    decision.transaction.reason = std::move(reason);
    return commit_decision(ledger, decision, now);
}

} // namespace certforge
