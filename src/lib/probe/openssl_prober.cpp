// SPDX-License-Identifier: Apache-2.0
#include "openssl_prober.hpp"

#include "backends/openssl/library_context.hpp"
#include "backends/openssl/openssl_error.hpp"
#include "backends/openssl/openssl_handles.hpp"
#include "certforge/errors.hpp"
#include "certforge/probe.hpp"
#include "certforge/text.hpp"
#include "probe_wire.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace certforge {
namespace openssl {
namespace {

using SslCtxPtr = Handle<SSL_CTX, SSL_CTX_free>;
using SslPtr = Handle<SSL, SSL_free>;

int protocol_of(TlsVersion version) {
    switch (version) {
    case TlsVersion::ssl3:
        return SSL3_VERSION;
    case TlsVersion::tls1_0:
        return TLS1_VERSION;
    case TlsVersion::tls1_1:
        return TLS1_1_VERSION;
    case TlsVersion::tls1_2:
        return TLS1_2_VERSION;
    case TlsVersion::tls1_3:
        break;
    }
    return TLS1_3_VERSION;
}

// Accepts every key, group and algorithm: a probe must see the weakest
// device, 512-bit DH groups included, which security level 0 alone refuses.
int allow_everything(const SSL*, const SSL_CTX*, int, int, int, void*, void*) {
    return 1;
}

struct Attempt {
    bool ok = false;
    bool timed_out = false;
    bool connect_failed = false;
    ServerReply reply;
    std::string failure;
    std::string alert;
    AcceptedCipher cipher;
    std::vector<Bytes> chain;
};

void record_alert(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) == SSL_CB_READ_ALERT) {
        auto* attempt = static_cast<Attempt*>(SSL_get_app_data(ssl));
        if (attempt != nullptr && attempt->alert.empty()) {
            std::string name = SSL_alert_desc_string_long(value);
            std::replace(name.begin(), name.end(), ' ', '_');
            attempt->alert = name;
        }
    }
}

constexpr const char* kTls13Suites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
                                     "TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256:"
                                     "TLS_AES_128_CCM_8_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384:P-521:X448:ffdhe2048:ffdhe3072:ffdhe4096";

class OpenSslProber final : public TlsProber {
public:
    OpenSslProber() : ctx_(new_library_context()) {
        default_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
        legacy_.reset(OSSL_PROVIDER_load(ctx_.get(), "legacy"));
        wire_ = make_wire_method();
        ERR_clear_error();
    }

    ProbeReport probe(const ProbeTarget& target) const override;

private:
    SslCtxPtr context(TlsVersion version, const std::string& ciphers) const;
    Attempt handshake(const addrinfo& address, const ProbeTarget& target, TlsVersion version,
                      const std::string& ciphers, Clock::time_point deadline) const;
    std::vector<std::string> candidates(TlsVersion version) const;

    LibCtxPtr ctx_;
    ProviderPtr default_;
    ProviderPtr legacy_;
    BioMethodPtr wire_;
};

SslCtxPtr OpenSslProber::context(TlsVersion version, const std::string& ciphers) const {
    SslCtxPtr ctx(SSL_CTX_new_ex(ctx_.get(), nullptr, TLS_client_method()));
    check(ctx != nullptr, "cannot create a TLS client context");
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_security_callback(ctx.get(), allow_everything);
    SSL_CTX_set_min_proto_version(ctx.get(), protocol_of(version));
    SSL_CTX_set_max_proto_version(ctx.get(), protocol_of(version));
    SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT);
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_info_callback(ctx.get(), record_alert);
    SSL_CTX_set1_groups_list(ctx.get(), kGroups);
    if (version == TlsVersion::tls1_3) {
        SSL_CTX_set_ciphersuites(ctx.get(), ciphers.c_str());
    } else if (!ciphers.empty()) {
        SSL_CTX_set_cipher_list(ctx.get(), (ciphers + ":@SECLEVEL=0").c_str());
    }
    ERR_clear_error();
    return ctx;
}

std::vector<std::string> OpenSslProber::candidates(TlsVersion version) const {
    if (version == TlsVersion::tls1_3) {
        return split(kTls13Suites, ':');
    }
    std::vector<std::string> out;
    const SslCtxPtr ctx = context(version, "ALL:COMPLEMENTOFALL");
    const SslPtr ssl(SSL_new(ctx.get()));
    STACK_OF(SSL_CIPHER)* ciphers = SSL_get1_supported_ciphers(ssl.get());
    for (int i = 0; ciphers != nullptr && i < sk_SSL_CIPHER_num(ciphers); ++i) {
        out.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i)));
    }
    sk_SSL_CIPHER_free(ciphers);
    return out;
}

// Why a handshake failed, from what OpenSSL and the wire saw.
std::string failure_of(const Attempt& attempt, const Wire& wire, const ProbeTarget& target,
                       const std::string& queue) {
    if (!attempt.alert.empty()) {
        return "alert " + attempt.alert;
    }
    if (attempt.reply.kind == ReplyKind::http || attempt.reply.kind == ReplyKind::other) {
        return "not TLS: " + describe(attempt.reply);
    }
    if (wire.timed_out) {
        return attempt.reply.kind == ReplyKind::nothing
                   ? fmt::format("no answer within {} s", target.timeout_seconds)
                   : fmt::format("the handshake did not end within {} s", target.timeout_seconds);
    }
    if (wire.closed) {
        return attempt.reply.kind == ReplyKind::nothing ? "connection closed without an answer"
                                                        : "connection closed during the handshake";
    }
    if (wire.error != 0) {
        return platform::socket_error_text(wire.error);
    }
    return queue.empty() ? "handshake failed" : queue;
}

// What a completed handshake agreed on: the suite, its key exchange and
// group or DH size, and the server's chain.
void read_negotiated(SSL* ssl, Attempt& attempt) {
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
    attempt.cipher.openssl = SSL_CIPHER_get_name(cipher);
    const char* standard = SSL_CIPHER_standard_name(cipher);
    attempt.cipher.name = standard != nullptr ? standard : attempt.cipher.openssl;
    switch (SSL_CIPHER_get_kx_nid(cipher)) {
    case NID_kx_dhe:
        attempt.cipher.kx = "DHE";
        break;
    case NID_kx_ecdhe:
        attempt.cipher.kx = "ECDHE";
        break;
    case NID_kx_rsa:
        attempt.cipher.kx = "RSA";
        break;
    case NID_kx_any:
        attempt.cipher.kx = "TLS1.3";
        break;
    default:
        attempt.cipher.kx = OBJ_nid2sn(SSL_CIPHER_get_kx_nid(cipher));
    }
    EVP_PKEY* raw = nullptr;
    if (SSL_get_peer_tmp_key(ssl, &raw) == 1) {
        const PkeyPtr key(raw);
        if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_DH) {
            attempt.cipher.dh_bits = static_cast<unsigned>(EVP_PKEY_get_bits(key.get()));
        } else {
            char group[64] = {};
            std::size_t length = 0;
            if (EVP_PKEY_get_group_name(key.get(), group, sizeof group, &length) == 1) {
                attempt.cipher.curve.assign(group, length);
            } else {
                attempt.cipher.curve = EVP_PKEY_get0_type_name(key.get());
            }
        }
    }
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            X509* cert = sk_X509_value(chain, i);
            attempt.chain.push_back(to_der(cert, i2d_X509, "the device's certificate"));
        }
    }
}

Attempt OpenSslProber::handshake(const addrinfo& address, const ProbeTarget& target,
                                 TlsVersion version, const std::string& ciphers,
                                 Clock::time_point deadline) const {
    Attempt attempt;
    Connected connection = connect_to(address, target, deadline);
    if (!connection.socket) {
        attempt.connect_failed = true;
        attempt.failure = connection.failure;
        return attempt;
    }
    Wire wire;
    wire.socket = connection.socket->get();
    wire.deadline = deadline;
    wire.first.reserve(kReplyCapture);
    const SslCtxPtr ctx = context(version, ciphers);
    const SslPtr ssl(SSL_new(ctx.get()));
    check(ssl != nullptr, "cannot create a TLS connection");
    BIO* bio = BIO_new(wire_.get());
    check(bio != nullptr, "cannot create the probe's socket BIO");
    BIO_set_data(bio, &wire);
    BIO_set_init(bio, 1);
    SSL_set_bio(ssl.get(), bio, bio);
    SSL_set_app_data(ssl.get(), &attempt);
    if (!target.sni.empty()) {
        SSL_set_tlsext_host_name(ssl.get(), target.sni.c_str());
    }
    const int rc = SSL_connect(ssl.get());
    attempt.reply = classify_reply(wire.first);
    if (rc != 1) {
        attempt.timed_out = wire.timed_out;
        attempt.failure = failure_of(attempt, wire, target, drain_error_queue());
        SSL_set_app_data(ssl.get(), nullptr);
        return attempt;
    }
    attempt.ok = true;
    read_negotiated(ssl.get(), attempt);
    SSL_shutdown(ssl.get());
    SSL_set_app_data(ssl.get(), nullptr);
    ERR_clear_error();
    return attempt;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) {
        out += out.empty() ? name : ":" + name;
    }
    return out;
}

bool not_tls(const ServerReply& reply) {
    return reply.kind == ReplyKind::http || reply.kind == ReplyKind::other;
}

// The first handshake tells whether there is a TLS server at all: false
// when something else answers; throws InputError when the connection
// fails or the host stays silent.
bool speaks_tls_at_all(const Attempt& attempt, const ProbeTarget& target) {
    if (attempt.connect_failed) {
        throw InputError(fmt::format("{}:{}: {}", target.host, target.port, attempt.failure));
    }
    if (not_tls(attempt.reply)) {
        return false;
    }
    if (attempt.timed_out) {
        throw InputError(fmt::format("{}:{}: {} within {} s", target.host, target.port,
                                     attempt.reply.kind == ReplyKind::nothing
                                         ? "accepts connections but does not answer a TLS "
                                           "ClientHello"
                                         : "began a TLS answer but did not end the handshake",
                                     target.timeout_seconds));
    }
    return true;
}

ProbeReport OpenSslProber::probe(const ProbeTarget& target) const {
    const Clock::time_point end = after(Clock::now(), target.max_seconds);
    const AddrInfoPtr address = resolve(target);
    ProbeReport report;
    report.target = target;
    // TLS 1.2 first: a host that accepts the connection but answers nothing
    // is known after one timeout.
    const TlsVersion order[] = {TlsVersion::tls1_2, TlsVersion::ssl3, TlsVersion::tls1_0,
                                TlsVersion::tls1_1, TlsVersion::tls1_3};
    std::vector<VersionResult> results;
    bool first = true;
    bool saw_tls = false;
    unsigned handshakes = 0;
    for (const TlsVersion version : order) {
        VersionResult result;
        result.version = version;
#ifdef OPENSSL_NO_SSL3_METHOD
        if (version == TlsVersion::ssl3) {
            result.testable = false;
            result.failure = "not testable: this OpenSSL build has no SSL 3.0 (Debian and most "
                             "distributions build it without)";
            results.push_back(result);
            continue;
        }
#endif
        std::vector<std::string> remaining = candidates(version);
        while (!remaining.empty()) {
            const Clock::time_point deadline =
                std::min(after(Clock::now(), target.timeout_seconds), end);
            const Attempt attempt =
                handshake(*address, target, version, joined(remaining), deadline);
            // A handshake cut by the probe's own end says nothing about the version.
            if (!attempt.ok && (Clock::now() >= end || (attempt.timed_out && deadline >= end))) {
                throw InputError(
                    fmt::format("{}:{}: the probe did not end within its overall limit of {} s ({} "
                                "handshake{} completed): the device answers slowly",
                                target.host, target.port, target.max_seconds, handshakes,
                                handshakes == 1 ? "" : "s"));
            }
            saw_tls = saw_tls || attempt.ok || attempt.reply.kind == ReplyKind::tls;
            if (not_tls(attempt.reply) && !not_tls(report.answer)) {
                report.answer = attempt.reply;
            }
            if (first && !speaks_tls_at_all(attempt, target)) {
                report.speaks_tls = false;
                return report;
            }
            first = false;
            if (!attempt.ok) {
                if (result.ciphers.empty()) {
                    result.failure = attempt.failure;
                }
                break;
            }
            ++handshakes;
            result.supported = true;
            if (report.chain.empty()) {
                report.chain = attempt.chain;
            }
            result.ciphers.push_back(attempt.cipher);
            const std::size_t offered = remaining.size();
            std::erase(remaining, attempt.cipher.openssl);
            std::erase(remaining, attempt.cipher.name);
            if (remaining.size() == offered) {
                break;
            }
        }
        results.push_back(result);
    }
    if (!saw_tls) {
        report.speaks_tls = false;
        return report;
    }
    report.answer = {};
    std::sort(results.begin(), results.end(),
              [](const VersionResult& a, const VersionResult& b) { return a.version < b.version; });
    report.versions = std::move(results);
    return report;
}

} // namespace
} // namespace openssl

std::unique_ptr<TlsProber> make_openssl_prober() {
    return std::make_unique<openssl::OpenSslProber>();
}

} // namespace certforge
