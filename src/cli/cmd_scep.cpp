// SPDX-License-Identifier: Apache-2.0
// certforge scep serve|challenge|requests|approve|reject: devices enroll
// themselves over SCEP (RFC 8894), NDES-style, against certforge's CA.
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/passwords.hpp"
#include "certforge/path_text.hpp"
#include "certforge/scep_server.hpp"
#include "certforge/scep_service.hpp"
#include "certforge/signal_guard.hpp"
#include "certforge/subject_alt_name.hpp"
#include "cli_support.hpp"

#include <cstdio>
#include <ctime>
#include <fmt/format.h>
#include <mutex>

namespace certforge::cli {
namespace {

constexpr std::int64_t kMaxChallengeSeconds = 30 * 86'400;

struct ServeOptions {
    std::string ca_dir;
    std::string listen = "127.0.0.1:8080";
    std::string tls_cert;
    std::string tls_key;
    std::string approve = "auto";
    std::string caps;
    std::string admin_profile;
    std::string admin_token_file;
    std::string backend;
    unsigned threads = 64;
    unsigned timeout = 10;
    PasswordOptions pin;
};

int run_serve(const ServeOptions& options) {
    require_scep_server_support();
    if (options.approve != "auto" && options.approve != "manual") {
        throw UsageError(fmt::format("--approve {}: use auto or manual", options.approve));
    }
    ScepServiceOptions service_options;
    service_options.ca_dir = utf8_path(options.ca_dir);
    service_options.backend = options.backend;
    service_options.token_pin = token_pin(options.pin);
    service_options.manual_approval = options.approve == "manual";
    if (!options.caps.empty()) {
        service_options.capabilities = ScepCapabilities::parse(options.caps);
    }
    if (!options.admin_profile.empty()) {
        service_options.admin_profile = load_profile(options.admin_profile).id;
    }
    if (!options.admin_token_file.empty()) {
        service_options.admin_token = read_password_file(utf8_path(options.admin_token_file));
    }
    ScepServerOptions server_options;
    server_options.listen = options.listen;
    server_options.tls_certificate = utf8_path(options.tls_cert);
    server_options.tls_key = utf8_path(options.tls_key);
    server_options.threads = options.threads;
    server_options.timeout_seconds = options.timeout;

    ScepService service(std::move(service_options));
    if (service.ra().made) {
        note(fmt::format("made the SCEP RA certificate {} in {}", kScepRaCertFile, options.ca_dir));
    }
    const bool tls = !options.tls_cert.empty();
    std::string listen_host = options.listen.substr(0, options.listen.rfind(':'));
    if (listen_host.size() > 2 && listen_host.front() == '[' && listen_host.back() == ']') {
        listen_host = listen_host.substr(1, listen_host.size() - 2);
    }
    if (!tls && !loopback_address(listen_host)) {
        warn(fmt::format("serving plain HTTP on {}: anyone on the network can read the "
                         "certificates it hands out (as with NDES; the challenge is what guards "
                         "enrollment)",
                         options.listen));
    }
    std::mutex log_mutex;
    const SignalGuard guard;
    run_scep_server(
        service, server_options, [] { return SignalGuard::interrupted(); },
        [&](std::string_view host, int port) {
            const std::string base =
                fmt::format("{}://{}:{}", tls ? "https" : "http",
                            host.find(':') != std::string_view::npos ? fmt::format("[{}]", host)
                                                                     : std::string(host),
                            port);
            fmt::print("serving SCEP for {} on {}/certsrv/mscep/mscep.dll and {}/scep ({} "
                       "approval)\n",
                       options.ca_dir, base, base, options.approve);
            std::fflush(stdout);
        },
        [&](std::string_view line) {
            const std::lock_guard lock(log_mutex);
            fmt::print(stderr, "certforge: scep: {}\n", line);
        });
    return kExitOk;
}

struct ChallengeOptions {
    std::string ca_dir;
    std::string profile;
    std::string cn;
    std::vector<std::string> sans;
    std::string valid = "60min";
    std::int64_t uses = 1;
    std::string backend;
};

int run_challenge(const ChallengeOptions& options) {
    std::string valid = options.valid;
    // "60m" is minutes here: a challenge lasts minutes or hours, never months.
    if (valid.size() > 1 && valid.back() == 'm' &&
        valid.find_first_not_of("0123456789") == valid.size() - 1) {
        valid += "in";
    }
    const std::int64_t seconds = parse_duration(valid, "--valid");
    if (seconds <= 0 || seconds > kMaxChallengeSeconds) {
        throw UsageError(fmt::format("--valid {}: give a time from 1s to 30d", options.valid));
    }
    if (options.uses < 1 || options.uses > 1'000'000) {
        throw UsageError(fmt::format("--uses {}: give 1 to 1000000", options.uses));
    }
    ScepChallenge wanted;
    wanted.profile = load_profile(options.profile).id;
    wanted.common_name = options.cn;
    for (const auto& spec : options.sans) {
        wanted.subject_alt_names.push_back(to_string(parse_san(spec)));
    }
    const UnixTime at = unix_now();
    wanted.expires_at = at + seconds;
    wanted.uses_left = options.uses;
    const auto backend = make_backend(options.backend);
    CaLedger ledger(utf8_path(options.ca_dir));
    const NewScepChallenge made = make_scep_challenge(ledger, *backend, wanted, at);
    fmt::print("{}\n", std::string_view(made.secret.data(), made.secret.size()));
    note(fmt::format("challenge {} for profile {}{}: {} use{}, until {}", made.record.id,
                     made.record.profile,
                     made.record.common_name.empty()
                         ? std::string()
                         : fmt::format(", CN {}", printable(made.record.common_name)),
                     made.record.uses_left, made.record.uses_left == 1 ? "" : "s",
                     format_utc(made.record.expires_at)));
    return kExitOk;
}

struct RequestsOptions {
    std::string ca_dir;
    std::string status;
};

int run_requests(const RequestsOptions& options) {
    std::optional<ScepTransactionStatus> status;
    if (!options.status.empty()) {
        status = scep_transaction_status_from_name(options.status);
    }
    const CaLedger ledger(utf8_path(options.ca_dir));
    const auto backend = make_backend();
    for (const auto& t : ledger.scep_transactions(status)) {
        std::string subject = "?";
        try {
            subject = backend->parse_csr(t.request, "request").subject.to_string();
        } catch (const InputError&) {
        }
        fmt::print("{}  {:<8}  {}  {}  {}  profile {}  from {}{}\n", t.request_sha256.substr(0, 8),
                   to_string(t.status), format_utc(t.received_at), t.renewal ? "renewal" : "enroll",
                   printable(subject), t.profile, printable(t.peer),
                   t.serial.empty() ? std::string() : "  serial " + t.serial);
    }
    return kExitOk;
}

struct DecideOptions {
    std::string ca_dir;
    std::string id;
    std::string reason = "rejected by the CA's administrator";
    std::string backend;
    PasswordOptions pin;
};

int run_approve(const DecideOptions& options) {
    const auto backend = make_backend(options.backend);
    const CaFolder ca = load_ca_folder(utf8_path(options.ca_dir), *backend, token_pin(options.pin));
    CaLedger ledger(utf8_path(options.ca_dir));
    const ScepTransaction t = approve_scep_request(ca, *backend, ledger, options.id, unix_now());
    fmt::print("approved {}: issued serial {} (profile {}); the device gets it at its next poll\n",
               t.request_sha256.substr(0, 8), t.serial, t.profile);
    return kExitOk;
}

int run_reject(const DecideOptions& options) {
    CaLedger ledger(utf8_path(options.ca_dir));
    const ScepTransaction t = reject_scep_request(ledger, options.id, options.reason, unix_now());
    fmt::print("rejected {}\n", t.request_sha256.substr(0, 8));
    return kExitOk;
}

} // namespace

void add_scep_command(CLI::App& app, Action& selected) {
    auto* scep = app.add_subcommand(
        "scep", "Let devices enroll and renew themselves over SCEP (RFC 8894), as against a "
                "Microsoft NDES server");
    scep->require_subcommand(1);

    auto serve_options = std::make_shared<ServeOptions>();
    auto* serve = scep->add_subcommand(
        "serve", "Serve SCEP for a CA folder until Ctrl-C or SIGTERM: GetCACaps, GetCACert (RA "
                 "and CA), PKIOperation over GET and POST, on /certsrv/mscep/mscep.dll and /scep");
    serve->add_option("--ca", serve_options->ca_dir, "CA folder from 'certforge ca init'")
        ->required();
    serve->add_option("--listen", serve_options->listen,
                      "address and port to listen on (loopback unless you mean otherwise)");
    serve->add_option("--tls-cert", serve_options->tls_cert,
                      "serve HTTPS with this certificate (PEM); devices in NDES mode speak HTTP");
    serve->add_option("--tls-key", serve_options->tls_key, "the key of --tls-cert (PEM)");
    serve->add_option("--approve", serve_options->approve,
                      "auto: issue at once; manual: answer PENDING until 'certforge scep approve'");
    serve->add_option("--caps", serve_options->caps,
                      "capabilities to offer, from POSTPKIOperation, Renewal, SHA-256, SHA-1, "
                      "AES, DES3 (default: all)");
    serve->add_option("--admin-profile", serve_options->admin_profile,
                      "serve the NDES-style challenge page /certsrv/mscep_admin/ with one-time "
                      "challenges for this profile");
    serve->add_option("--admin-token-file", serve_options->admin_token_file,
                      "a file whose first line is a token that lets non-loopback clients fetch "
                      "the challenge page (HTTP Basic password or Bearer)");
    serve
        ->add_option("--threads", serve_options->threads,
                     "connections served at once (each kept-alive connection holds one)")
        ->check(CLI::Range(1, 1024));
    serve
        ->add_option("--timeout", serve_options->timeout,
                     "seconds a client may stall a read or write")
        ->check(CLI::Range(1, 300));
    add_backend_option(serve, serve_options->backend);
    add_pin_options(serve, serve_options->pin);
    on_run(serve, selected, serve_options, run_serve);

    auto challenge_options = std::make_shared<ChallengeOptions>();
    auto* challenge = scep->add_subcommand(
        "challenge", "Print a one-time challenge password for devices to enroll with, bound to a "
                     "profile (and to names when given); the ledger keeps only its hash");
    challenge->add_option("--ca", challenge_options->ca_dir, "CA folder")->required();
    challenge
        ->add_option("--profile", challenge_options->profile, "profile the certificates must fit")
        ->required();
    challenge->add_option("--cn", challenge_options->cn, "the only common name it enrolls");
    challenge->add_option("--san", challenge_options->sans,
                          "the exact subjectAltNames it enrolls (dns:NAME, ip:ADDRESS; repeat)");
    challenge->add_option("--valid", challenge_options->valid,
                          "how long it stays valid (60m, 2h, 1d; at most 30d)");
    challenge->add_option("--uses", challenge_options->uses, "how many enrollments it allows");
    add_backend_option(challenge, challenge_options->backend);
    on_run(challenge, selected, challenge_options, run_challenge);

    auto requests_options = std::make_shared<RequestsOptions>();
    auto* requests = scep->add_subcommand(
        "requests", "List the SCEP requests in the ledger: id, status, time, subject, profile");
    requests->add_option("--ca", requests_options->ca_dir, "CA folder")->required();
    requests->add_option("--status", requests_options->status, "only pending, issued or rejected");
    on_run(requests, selected, requests_options, run_requests);

    auto approve_options = std::make_shared<DecideOptions>();
    auto* approve = scep->add_subcommand(
        "approve", "Issue the certificate of a pending request (serve --approve manual)");
    approve->add_option("id", approve_options->id, "the request's id from 'scep requests'")
        ->required();
    approve->add_option("--ca", approve_options->ca_dir, "CA folder")->required();
    add_backend_option(approve, approve_options->backend);
    add_pin_options(approve, approve_options->pin);
    on_run(approve, selected, approve_options, run_approve);

    auto reject_options = std::make_shared<DecideOptions>();
    auto* reject = scep->add_subcommand("reject", "Refuse a pending request");
    reject->add_option("id", reject_options->id, "the request's id from 'scep requests'")
        ->required();
    reject->add_option("--ca", reject_options->ca_dir, "CA folder")->required();
    reject->add_option("--reason", reject_options->reason, "why, for the ledger");
    on_run(reject, selected, reject_options, run_reject);
}

} // namespace certforge::cli
