// SPDX-License-Identifier: Apache-2.0
// PKIOperation: enrollment (PKCSReq), renewal (RenewalReq, or a PKCSReq
// signed with a current certificate) and polling (CertPoll).
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/subject_alt_name.hpp"
#include "scep_service_impl.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>

namespace certforge {
namespace {

// Names as the ledger and challenges spell them ("dns:NAME"), in one order,
// so that two lists compare equal whatever order they came in.
std::string sorted_names(std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    return fmt::format("{}", fmt::join(names, ","));
}

std::string sorted_names(const std::vector<SubjectAltName>& names) {
    std::vector<std::string> text;
    for (const auto& name : names) {
        text.push_back(to_string(name));
    }
    return sorted_names(std::move(text));
}

ScepReply failure(ScepFailInfo info) {
    return {ScepStatus::failure, info, {}};
}

// Why the capabilities rule out the request's digest or cipher; nullopt when they allow both.
std::optional<std::string> refused_algorithm(const ScepCapabilities& caps,
                                             const ScepRequest& request) {
    const bool sha1 = request.digest == HashAlgorithm::sha1;
    if ((sha1 && !caps.sha1) || (!sha1 && !caps.sha256)) {
        return fmt::format("digest {} is off", to_string(request.digest));
    }
    const bool des3 = request.cipher == ScepCipher::des3_cbc;
    if ((des3 && !caps.des3) || (!des3 && !caps.aes)) {
        return fmt::format("cipher {} is off", to_string(request.cipher));
    }
    return std::nullopt;
}

class Operation {
public:
    Operation(ScepService::Impl& impl, const ScepRequest& request, const ScepHttpRequest& http)
        : impl_(impl), request_(request), worker_(impl), now_(unix_now()),
          who_(fmt::format("{} PKIOperation {} tx {}", http.peer, to_string(request.type),
                           request.transaction_id)),
          peer_(http.peer) {}

    ScepHttpResponse enroll();
    ScepHttpResponse poll();
    ScepHttpResponse fail(ScepFailInfo info, std::string_view why) {
        return scep_reply(*impl_.codec, request_, failure(info),
                          fmt::format("{}: {} ({})", who_, to_string(info), why));
    }

private:
    ScepHttpResponse answer(const ScepTransaction& transaction, std::string_view how);
    // The ledger entry of the certificate that signed a renewal, when the
    // CA issued it; throws nothing.
    std::optional<LedgerEntry> signer_entry(bool signed_by_ca, std::string& why);
    ScepHttpResponse issue(const CsrInfo& csr, ScepDecision decision, const std::string& names);
    // Records the request as rejected, then answers badRequest. The request
    // and its signer are kept only when `keep_request` (a request the
    // profile refused); a refusal anyone can cause is a small row.
    ScepHttpResponse refuse(ScepDecision decision, std::string why, bool keep_request = false);

    ScepService::Impl& impl_;
    const ScepRequest& request_;
    ScepService::Impl::WorkerLease worker_;
    UnixTime now_;
    std::string who_;
    std::string peer_;
};

ScepHttpResponse Operation::answer(const ScepTransaction& transaction, std::string_view how) {
    switch (transaction.status) {
    case ScepTransactionStatus::pending:
        return scep_reply(*impl_.codec, request_, {ScepStatus::pending, {}, {}},
                          fmt::format("{}: pending{}", who_, how));
    case ScepTransactionStatus::rejected:
        return fail(ScepFailInfo::bad_request,
                    fmt::format("rejected{}: {}", how, transaction.reason));
    case ScepTransactionStatus::issued:
        break;
    }
    const auto entry = worker_->ledger->find(transaction.serial);
    if (!entry) {
        return fail(ScepFailInfo::bad_cert_id,
                    fmt::format("serial {} is not in the ledger", transaction.serial));
    }
    return scep_reply(*impl_.codec, request_, {ScepStatus::success, {}, {entry->certificate_der}},
                      fmt::format("{}: issued {}{}", who_, transaction.serial, how));
}

std::optional<LedgerEntry> Operation::signer_entry(bool signed_by_ca, std::string& why) try {
    Backend& backend = *worker_->backend;
    if (!signed_by_ca) {
        why = "signed by a certificate this CA did not issue";
        return std::nullopt;
    }
    const CertInfo signer = backend.parse_certificate(request_.signer_certificate, "the signer");
    auto entry = worker_->ledger->find(serial_hex(signer));
    if (!entry || entry->sha256 != sha256_hex(signer)) {
        why = "signed by a certificate that is not in the ledger";
        return std::nullopt;
    }
    if (entry->status != LedgerStatus::valid) {
        why = fmt::format("signed by a certificate that is {}", to_string(entry->status));
        return std::nullopt;
    }
    if (entry->not_after <= now_ || entry->source == "scep ra") {
        why = "signed by a certificate that has expired or is the RA's";
        return std::nullopt;
    }
    return entry;
} catch (const InputError& e) {
    why = fmt::format("signed by a certificate that cannot be read ({})", e.what());
    return std::nullopt;
}

ScepHttpResponse Operation::enroll() {
    Backend& backend = *worker_->backend;
    // A request is the CSR and who signed it: a certificate of this CA (a
    // renewal, another request than the enrollment of the same CSR), or a
    // self-signed one. Clients make a new self-signed certificate as they
    // please (certmonger's changes with the day), so any of them is the
    // same request: a resend after PENDING is a poll.
    const bool signed_by_ca = request_.signer_issued_by_ca;
    Bytes signed_request = request_.csr;
    const ByteView signer =
        signed_by_ca ? ByteView(request_.signer_certificate) : as_bytes("self-signed");
    signed_request.insert(signed_request.end(), signer.begin(), signer.end());
    const std::string request_sha256 =
        to_hex(backend.digest(HashAlgorithm::sha256, signed_request));
    if (const auto known =
            worker_->ledger->find_scep_transaction(request_.transaction_id, request_sha256)) {
        return answer(*known, " (a repeated request)");
    }
    ScepDecision decision;
    ScepTransaction& t = decision.transaction;
    t.transaction_id = request_.transaction_id;
    t.request_sha256 = request_sha256;
    t.request = request_.csr;
    t.signer_certificate = request_.signer_certificate;
    t.peer = peer_;
    t.received_at = now_;
    CsrInfo csr;
    try {
        csr = backend.parse_csr(request_.csr, "the request");
    } catch (const InputError& e) {
        return refuse(std::move(decision), e.what());
    }
    const std::string names =
        fmt::format("{} [{}]", csr.subject.to_string(), sorted_names(csr.subject_alt_names));

    std::string why_not_renewal;
    const auto renewed = signer_entry(signed_by_ca, why_not_renewal);
    if (renewed) {
        t.renewal = true;
        t.profile = renewed->profile;
        if (!impl_.options.capabilities.renewal) {
            return refuse(std::move(decision), "renewal is off");
        }
        const std::string csr_cn = csr.subject.common_name().value_or("");
        if (csr_cn != renewed->common_name ||
            sorted_names(csr.subject_alt_names) != sorted_names(renewed->subject_alt_names)) {
            return refuse(std::move(decision),
                          fmt::format("a renewal of {} asks for other names: {}", renewed->serial,
                                      escape_control(names)));
        }
        decision.supersedes = renewed->serial;
        return issue(csr, std::move(decision), names);
    }
    if (request_.type == ScepMessageType::renewal_req) {
        return refuse(std::move(decision), fmt::format("RenewalReq {}", why_not_renewal));
    }
    if (request_.challenge.empty()) {
        return refuse(std::move(decision), "no challengePassword in the request");
    }
    const std::string secret_sha256 = scep_secret_sha256(
        backend, std::string_view(request_.challenge.data(), request_.challenge.size()));
    const auto challenge = worker_->ledger->find_scep_challenge(secret_sha256);
    if (!challenge || challenge->uses_left < 1 || challenge->expires_at <= now_) {
        return refuse(std::move(decision), !challenge ? "wrong challenge"
                                           : challenge->expires_at <= now_
                                               ? "challenge " + challenge->id + " expired"
                                               : "challenge " + challenge->id + " used up");
    }
    if ((!challenge->common_name.empty() &&
         csr.subject.common_name().value_or("") != challenge->common_name) ||
        (!challenge->subject_alt_names.empty() &&
         sorted_names(csr.subject_alt_names) != sorted_names(challenge->subject_alt_names))) {
        t.profile = challenge->profile;
        t.challenge = challenge->id;
        return refuse(std::move(decision), fmt::format("challenge {} is for other names than {}",
                                                       challenge->id, escape_control(names)));
    }
    t.profile = challenge->profile;
    t.challenge = challenge->id;
    decision.challenge_secret_sha256 = secret_sha256;
    if (impl_.options.manual_approval) {
        t.status = ScepTransactionStatus::pending;
        const auto result = impl_.committer->commit(decision);
        if (result.outcome == ScepCommitOutcome::challenge_spent) {
            return fail(ScepFailInfo::bad_request, "challenge " + challenge->id + " used up");
        }
        return answer(result.transaction,
                      fmt::format(" for {}, waiting for approval", escape_control(names)));
    }
    return issue(csr, std::move(decision), names);
}

ScepHttpResponse Operation::issue(const CsrInfo& csr, ScepDecision decision,
                                  const std::string& names) {
    Backend& backend = *worker_->backend;
    ScepTransaction& t = decision.transaction;
    std::shared_ptr<const IssueTarget> target;
    try {
        target = impl_.target(t.profile);
    } catch (const InputError& e) {
        return fail(ScepFailInfo::bad_request,
                    fmt::format("profile '{}' cannot be loaded: {}", t.profile, e.what()));
    }
    Bytes der;
    CertInfo info;
    std::string notes;
    try {
        CertificateIssuer issuer(backend, *target, &impl_.ca, now_, &impl_.ca_info);
        der = issuer.issue_for_csr(csr, &info);
        for (const auto& notice : issuer.take_notices()) {
            notes += fmt::format("; {}: {}", notice.warning ? "warning" : "note", notice.text);
        }
    } catch (const RefusedError& e) {
        return refuse(std::move(decision),
                      fmt::format("{} refused: {}", escape_control(names), e.what()), true);
    }
    decision.certificate = make_ledger_entry(info, t.profile, "scep", "", "scep:" + peer_, now_);
    t.status = ScepTransactionStatus::issued;
    t.decided_at = now_;
    t.serial = decision.certificate->serial;
    const std::string renewal_of = decision.supersedes;
    const auto result = impl_.committer->commit(decision);
    switch (result.outcome) {
    case ScepCommitOutcome::challenge_spent:
        return fail(ScepFailInfo::bad_request, "challenge " + t.challenge + " used up meanwhile");
    case ScepCommitOutcome::already_decided:
        return answer(result.transaction, " (decided meanwhile)");
    case ScepCommitOutcome::committed:
        break;
    }
    return scep_reply(*impl_.codec, request_, {ScepStatus::success, {}, {der}},
                      fmt::format("{}: issued {} for {} (profile {}{}){}", who_, t.serial,
                                  escape_control(names), t.profile,
                                  renewal_of.empty() ? "" : ", renewal of " + renewal_of, notes));
}

ScepHttpResponse Operation::refuse(ScepDecision decision, std::string why, bool keep_request) {
    ScepTransaction& t = decision.transaction;
    t.status = ScepTransactionStatus::rejected;
    t.decided_at = now_;
    t.reason = why;
    if (!keep_request) {
        t.request.clear();
        t.signer_certificate.clear();
    }
    decision.certificate.reset();
    decision.challenge_secret_sha256.clear();
    decision.supersedes.clear();
    impl_.committer->commit(std::move(decision));
    return fail(ScepFailInfo::bad_request, why);
}

ScepHttpResponse Operation::poll() {
    const auto known = worker_->ledger->latest_scep_transaction(request_.transaction_id);
    if (!known) {
        return fail(ScepFailInfo::bad_cert_id, "no such transaction");
    }
    return answer(*known, " (poll)");
}

} // namespace

ScepHttpResponse ScepService::Impl::pki_operation(ByteView message, const ScepHttpRequest& http) {
    ScepRequest request;
    try {
        request = codec->decode(message);
    } catch (const InputError& e) {
        return {400, "text/plain", "not a SCEP message this server can read\n",
                fmt::format("{} PKIOperation: refused: {}", http.peer, e.what())};
    }
    Operation operation(*this, request, http);
    if (request.failure) {
        return operation.fail(*request.failure, request.failure_detail);
    }
    if (const auto refused = refused_algorithm(options.capabilities, request)) {
        return operation.fail(ScepFailInfo::bad_alg, *refused);
    }
    if (request.type == ScepMessageType::cert_poll) {
        return operation.poll();
    }
    return operation.enroll();
}

} // namespace certforge
