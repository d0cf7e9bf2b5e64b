#include "certforge/errors.hpp"
#include "certforge/probe.hpp"
#include "certforge/text.hpp"
#include "openssl_error.hpp"
#include "openssl_factory.hpp"
#include "openssl_handles.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certforge {
namespace openssl {
namespace {

using SslCtxPtr = Handle<SSL_CTX, SSL_CTX_free>;
using SslPtr = Handle<SSL, SSL_free>;
inline void free_addrinfo(addrinfo* info) noexcept {
    freeaddrinfo(info);
}
using AddrInfoPtr = Handle<addrinfo, free_addrinfo>;

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

// Why a TCP connection could not be made; empty when it was.
struct Connected {
    std::unique_ptr<Socket> socket;
    std::string failure;
};

Connected connect_to(const ProbeTarget& target) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* raw = nullptr;
    const std::string port = std::to_string(target.port);
    if (const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
        return {nullptr, fmt::format("cannot resolve {}: {}", target.host, gai_strerror(rc))};
    }
    const AddrInfoPtr info(raw);
    auto socket = std::make_unique<Socket>(
        ::socket(info->ai_family, info->ai_socktype | SOCK_CLOEXEC, info->ai_protocol));
    if (socket->fd() < 0) {
        return {nullptr, fmt::format("cannot create a socket: {}", std::strerror(errno))};
    }
    const int flags = ::fcntl(socket->fd(), F_GETFL);
    ::fcntl(socket->fd(), F_SETFL, flags | O_NONBLOCK);
    const int timeout_ms = static_cast<int>(target.timeout_seconds * 1000);
    if (::connect(socket->fd(), info->ai_addr, info->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            return {nullptr, std::strerror(errno)};
        }
        pollfd pfd{socket->fd(), POLLOUT, 0};
        const int ready = ::poll(&pfd, 1, timeout_ms);
        if (ready == 0) {
            return {nullptr, fmt::format("no answer within {} s", target.timeout_seconds)};
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(socket->fd(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (ready < 0 || error != 0) {
            return {nullptr, std::strerror(error != 0 ? error : errno)};
        }
    }
    ::fcntl(socket->fd(), F_SETFL, flags & ~O_NONBLOCK);
    timeval tv{static_cast<time_t>(target.timeout_seconds),
               static_cast<suseconds_t>(
                   (target.timeout_seconds -
                    static_cast<double>(static_cast<time_t>(target.timeout_seconds))) *
                   1e6)};
    ::setsockopt(socket->fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(socket->fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return {std::move(socket), {}};
}

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
    std::string failure;
    std::string alert;
    AcceptedCipher cipher;
    std::vector<Bytes> chain;
};

void record_alert(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) != 0) {
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
    OpenSslProber() : ctx_(OSSL_LIB_CTX_new()) {
        check(ctx_ != nullptr, "cannot create an OpenSSL library context");
        default_.reset(OSSL_PROVIDER_load(ctx_.get(), "default"));
        legacy_.reset(OSSL_PROVIDER_load(ctx_.get(), "legacy"));
        ERR_clear_error();
    }

    ProbeReport probe(const ProbeTarget& target) override;

private:
    SslCtxPtr context(TlsVersion version, const std::string& ciphers) const;
    Attempt handshake(const ProbeTarget& target, TlsVersion version,
                      const std::string& ciphers) const;
    std::vector<std::string> candidates(TlsVersion version) const;

    LibCtxPtr ctx_;
    ProviderPtr default_;
    ProviderPtr legacy_;
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

Attempt OpenSslProber::handshake(const ProbeTarget& target, TlsVersion version,
                                 const std::string& ciphers) const {
    Attempt attempt;
    Connected connection = connect_to(target);
    if (!connection.socket) {
        attempt.connect_failed = true;
        attempt.failure = connection.failure;
        return attempt;
    }
    const SslCtxPtr ctx = context(version, ciphers);
    const SslPtr ssl(SSL_new(ctx.get()));
    check(ssl != nullptr, "cannot create a TLS connection");
    SSL_set_app_data(ssl.get(), &attempt);
    SSL_set_fd(ssl.get(), connection.socket->fd());
    if (!target.sni.empty()) {
        SSL_set_tlsext_host_name(ssl.get(), target.sni.c_str());
    }
    errno = 0;
    const int rc = SSL_connect(ssl.get());
    if (rc != 1) {
        const int error = SSL_get_error(ssl.get(), rc);
        const int saved_errno = errno;
        const std::string queue = drain_error_queue();
        if (!attempt.alert.empty()) {
            attempt.failure = "alert " + attempt.alert;
        } else if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ||
                   (error == SSL_ERROR_SYSCALL &&
                    (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK))) {
            // The socket's receive timeout ran out.
            attempt.timed_out = true;
            attempt.failure = fmt::format("no answer within {} s", target.timeout_seconds);
        } else if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN) {
            attempt.failure = "connection closed during the handshake";
        } else {
            attempt.failure = queue.empty() ? "handshake failed" : queue;
        }
        SSL_set_app_data(ssl.get(), nullptr);
        return attempt;
    }
    attempt.ok = true;
    const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl.get());
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
    if (SSL_get_peer_tmp_key(ssl.get(), &raw) == 1) {
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
    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl.get())) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
            X509* cert = sk_X509_value(chain, i);
            attempt.chain.push_back(to_der(cert, i2d_X509, "the device's certificate"));
        }
    }
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

ProbeReport OpenSslProber::probe(const ProbeTarget& target) {
    ProbeReport report;
    report.target = target;
    // TLS 1.2 first: a host that accepts the connection but answers nothing
    // is known after one timeout.
    const TlsVersion order[] = {TlsVersion::tls1_2, TlsVersion::ssl3, TlsVersion::tls1_0,
                                TlsVersion::tls1_1, TlsVersion::tls1_3};
    std::vector<VersionResult> results;
    bool first = true;
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
            const Attempt attempt = handshake(target, version, joined(remaining));
            if (first && (attempt.connect_failed || attempt.timed_out)) {
                throw InputError(
                    fmt::format("{}:{}: {}", target.host, target.port,
                                attempt.connect_failed
                                    ? attempt.failure
                                    : fmt::format("accepts connections but does not answer a TLS "
                                                  "ClientHello within {} s",
                                                  target.timeout_seconds)));
            }
            first = false;
            if (!attempt.ok) {
                if (result.ciphers.empty()) {
                    result.failure = attempt.failure;
                }
                break;
            }
            result.supported = true;
            if (report.chain.empty()) {
                report.chain = attempt.chain;
            }
            result.ciphers.push_back(attempt.cipher);
            remaining.erase(std::remove(remaining.begin(), remaining.end(), attempt.cipher.openssl),
                            remaining.end());
            if (version == TlsVersion::tls1_3) {
                remaining.erase(
                    std::remove(remaining.begin(), remaining.end(), attempt.cipher.name),
                    remaining.end());
            }
        }
        results.push_back(result);
    }
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
