// SPDX-License-Identifier: Apache-2.0
// The SCEP service: setup, the routes, GetCACaps, GetCACert and the
// NDES-style challenge page. PKIOperation is in scep_pki_operation.cpp.
#include "certforge/backend_registry.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "certforge/scep_server.hpp"
#include "scep_service_impl.hpp"

#include <algorithm>
#include <ctime>
#include <fmt/format.h>

namespace certforge {
namespace {

constexpr UnixTime kAdminChallengeSeconds = 60 * 60;

bool scep_path(std::string_view path) {
    for (const std::string_view prefix : {"/certsrv/mscep/mscep.dll", "/scep"}) {
        if (path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() &&
                               path[prefix.size()] == '/')) {
            return true;
        }
    }
    return false;
}

bool admin_path(std::string_view path) {
    return path == "/certsrv/mscep_admin" || path == "/certsrv/mscep_admin/";
}

ScepHttpResponse plain(int status, std::string body, std::string log) {
    return {status, "text/plain", std::move(body), std::move(log)};
}

bool same_secret(std::string_view a, std::string_view b) {
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    }
    return difference == 0;
}

// The token from "Bearer TOKEN" or "Basic base64(USER:TOKEN)".
bool token_matches(std::string_view authorization, const SecureString& token) {
    if (token.empty()) {
        return false;
    }
    if (authorization.starts_with("Bearer ")) {
        return same_secret(authorization.substr(7), token);
    }
    if (authorization.starts_with("Basic ")) {
        auto decoded = base64_decode(authorization.substr(6));
        if (!decoded) {
            return false;
        }
        const std::string_view pair(reinterpret_cast<const char*>(decoded->data()),
                                    decoded->size());
        const auto colon = pair.find(':');
        const bool ok =
            colon != std::string_view::npos && same_secret(pair.substr(colon + 1), token);
        secure_wipe(decoded->data(), decoded->size());
        return ok;
    }
    return false;
}

} // namespace

bool loopback_address(std::string_view address) {
    return address.starts_with("127.") || address == "::1" || address.starts_with("::ffff:127.");
}

ScepService::Impl::WorkerLease::WorkerLease(Impl& impl) : impl_(impl) {
    {
        const std::lock_guard lock(impl_.mutex);
        if (!impl_.idle_workers.empty()) {
            worker_ = std::move(impl_.idle_workers.back());
            impl_.idle_workers.pop_back();
        }
    }
    if (!worker_) {
        worker_ = std::make_unique<ScepWorker>();
        worker_->backend = make_backend(impl_.options.backend);
        worker_->ledger = std::make_unique<CaLedger>(impl_.options.ca_dir);
    }
}

ScepService::Impl::WorkerLease::~WorkerLease() {
    const std::lock_guard lock(impl_.mutex);
    impl_.idle_workers.push_back(std::move(worker_));
}

std::shared_ptr<const IssueTarget> ScepService::Impl::target(const std::string& profile) {
    {
        const std::lock_guard lock(mutex);
        if (const auto found = targets.find(profile); found != targets.end()) {
            return found->second;
        }
    }
    auto loaded = std::make_shared<const IssueTarget>(IssueTarget::of({catalog.load(profile)}));
    const std::lock_guard lock(mutex);
    return targets.emplace(profile, std::move(loaded)).first->second;
}

ScepHttpResponse scep_reply(const ScepCodec& codec, const ScepRequest& request,
                            const ScepReply& reply, std::string log) {
    try {
        return {200, "application/x-pki-message", body_of(codec.encode_reply(request, reply)),
                std::move(log)};
    } catch (const std::exception& e) {
        return plain(500, "the reply could not be made\n",
                     fmt::format("{}; the reply could not be made: {}", log, e.what()));
    }
}

ScepService::Impl::Impl(ScepServiceOptions service_options)
    : options(std::move(service_options)), catalog(ProfileCatalog::from_environment()),
      backend(make_backend(options.backend)),
      ca(load_ca_folder(options.ca_dir, *backend, options.token_pin)),
      ca_info(backend->parse_certificate(ca.certificate_der, "the CA certificate")), ra([this] {
          CaLedger ledger(options.ca_dir);
          return ensure_scep_ra(ca, *backend, ledger, unix_now());
      }()),
      codec(make_scep_codec(ra.certificate_der, ra.key, ca.certificate_der)),
      ca_certificates(codec->ca_certificates()),
      committer(std::make_unique<scep::LedgerCommitter>(options.ca_dir)) {
    if (!options.admin_profile.empty()) {
        target(options.admin_profile);
    }
}

ScepService::ScepService(ScepServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

ScepService::~ScepService() = default;

const ScepRa& ScepService::ra() const noexcept {
    return impl_->ra;
}

ScepHttpResponse ScepService::handle(const ScepHttpRequest& request) {
    Impl& impl = *impl_;
    const std::string who =
        fmt::format("{} {} {}", request.peer, request.method, excerpt(request.path));
    try {
        if (admin_path(request.path)) {
            if (impl.options.admin_profile.empty()) {
                return plain(404, "no challenge page here\n", who + ": no challenge page (off)");
            }
            if (!request.peer_loopback &&
                !token_matches(request.authorization, impl.options.admin_token)) {
                return plain(403, "the challenge page is for loopback clients and token holders\n",
                             who + ": challenge page refused (not loopback, no token)");
            }
            const auto now = unix_now();
            ScepChallenge wanted;
            wanted.profile = impl.options.admin_profile;
            wanted.expires_at = now + kAdminChallengeSeconds;
            wanted.uses_left = 1;
            const Impl::WorkerLease worker(impl);
            const NewScepChallenge made =
                make_scep_challenge(*worker->ledger, *worker->backend, wanted, now);
            std::string page = fmt::format(
                "<HTML><Head><Meta HTTP-Equiv=\"Content-Type\" Content=\"text/html; "
                "charset=UTF-8\"><Title>certforge SCEP challenge</Title></Head><Body>"
                "<P> The thumbprint (hash value) for the CA certificate is: <B> {} </B>"
                "<P> The enrollment challenge password is: <B> {} </B>"
                "<P> This password can be used only once and will expire within 60 minutes."
                "</Body></HTML>\n",
                to_upper_hex(
                    worker->backend->digest(HashAlgorithm::sha256, impl.ca.certificate_der)),
                std::string_view(made.secret.data(), made.secret.size()));
            return {200, "text/html; charset=UTF-8", std::move(page),
                    fmt::format("{}: challenge {} for profile {}", who, made.record.id,
                                made.record.profile)};
        }
        if (!scep_path(request.path)) {
            return plain(404, "not a SCEP path\n", who + ": not a SCEP path");
        }
        const std::string& operation = request.operation;
        if (operation == "GetCACaps") {
            return {200, "text/plain", impl.options.capabilities.text(), who + " GetCACaps"};
        }
        if (operation == "GetCACert") {
            return {200, "application/x-x509-ca-ra-cert", body_of(impl.ca_certificates),
                    who + " GetCACert"};
        }
        if (operation == "PKIOperation") {
            if (request.method == "POST") {
                if (!impl.options.capabilities.post) {
                    return plain(405, "PKIOperation over POST is off; use GET\n",
                                 who + " PKIOperation: POST is off");
                }
                return impl.pki_operation(as_bytes(request.body), request);
            }
            std::string text = request.message;
            // A '+' not escaped in the query reads as a space.
            std::replace(text.begin(), text.end(), ' ', '+');
            const auto message = base64_decode(text);
            if (!message) {
                return plain(400, "the message parameter is not Base64\n",
                             who + " PKIOperation: the message parameter is not Base64");
            }
            return impl.pki_operation(*message, request);
        }
        if (operation.empty()) {
            return plain(400, "no operation parameter\n", who + ": no operation parameter");
        }
        return plain(400, "unknown operation\n",
                     fmt::format("{}: unknown operation '{}'", who, excerpt(operation)));
    } catch (const std::exception& e) {
        return plain(500, "internal error\n", fmt::format("{}: internal error: {}", who, e.what()));
    }
}

} // namespace certforge
