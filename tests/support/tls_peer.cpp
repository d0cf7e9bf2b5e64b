// SPDX-License-Identifier: Apache-2.0
// A TLS server that plays a device for the probe tests, on loopback only.
// OpenSSL 3 refuses DH groups under 1024 bits even at security level 0, so
// this peer installs a permissive security callback on its own context to
// serve a 512-bit group; it can also answer a TLS 1.2 ClientHello with a
// bad_record_mac alert while serving TLS 1.0 properly (a device that claims
// TLS 1.2 but breaks on it). Its other modes play endpoints that are not
// what the probe hopes for:
//   stall    a TLS record header (a 16 KB handshake record), then one byte
//            every 0.5 s for as long as the client stays;
//   http     a web server's "HTTP/1.1 400 Bad Request" answer;
//   garbage  64 bytes that are not TLS, starting with 8f 1b 5b 32 4a 07 00
//            ff 0d 0a 41 42 e2 80 ae 7f (control characters, an ANSI escape,
//            a Unicode right-to-left override);
//   close    accepts each connection and closes it at once.
//
// certforge_tls_peer [--mode tls|stall|http|garbage|close] --cert C --key K
//   [--dhparam F] [--min tls1|tls1.2|tls1.3] [--max ...] [--cipher LIST]
//   [--bad-record-mac-on-tls12] [--handshake-delay MS]
// --handshake-delay waits before each TLS handshake (a slow device). Listens
// on 127.0.0.1 on a free port, prints "listening PORT", serves one
// connection at a time until killed. Only the tls mode needs --cert/--key.
#include <arpa/inet.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int allow_everything(const SSL*, const SSL_CTX*, int, int, int, void*, void*) {
    return 1;
}

int version_of(const std::string& name) {
    if (name == "tls1") {
        return TLS1_VERSION;
    }
    if (name == "tls1.1") {
        return TLS1_1_VERSION;
    }
    if (name == "tls1.2") {
        return TLS1_2_VERSION;
    }
    return TLS1_3_VERSION;
}

// True when the ClientHello waiting on `fd` offers TLS 1.2 or later
// (legacy_version 3,3 in the handshake body).
bool offers_tls12(int fd) {
    unsigned char hello[11] = {};
    const ssize_t n = ::recv(fd, hello, sizeof hello, MSG_PEEK | MSG_WAITALL);
    return n == static_cast<ssize_t>(sizeof hello) && hello[0] == 0x16 && hello[5] == 0x01 &&
           hello[9] == 0x03 && hello[10] >= 0x03;
}

// Waits up to `seconds` for the client's first bytes and throws them away.
void read_some(int fd, int seconds) {
    timeval tv{seconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    [[maybe_unused]] const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
}

// Sends `bytes`, then lets the client read them all before the connection
// ends (a close with unread input would reset it).
void answer_and_close(int fd, const unsigned char* bytes, std::size_t size) {
    read_some(fd, 2);
    ::send(fd, bytes, size, MSG_NOSIGNAL);
    ::shutdown(fd, SHUT_WR);
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
}

void stall(int fd) {
    const unsigned char header[] = {0x16, 0x03, 0x03, 0x40, 0x00};
    if (::send(fd, header, sizeof header, MSG_NOSIGNAL) != sizeof header) {
        return;
    }
    const unsigned char byte = 0x02;
    do {
        ::usleep(500 * 1000);
    } while (::send(fd, &byte, 1, MSG_NOSIGNAL) == 1);
}

void garbage(int fd) {
    unsigned char bytes[64] = {0x8f, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x00, 0xff,
                               0x0d, 0x0a, 0x41, 0x42, 0xe2, 0x80, 0xae, 0x7f};
    std::uint32_t state = 12345;
    for (std::size_t i = 16; i < sizeof bytes; ++i) {
        state = state * 1103515245u + 12345u;
        bytes[i] = static_cast<unsigned char>(state >> 24);
    }
    answer_and_close(fd, bytes, sizeof bytes);
}

void http(int fd) {
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nServer: mfp-web\r\n"
                               "Content-Type: text/html\r\nContent-Length: 11\r\n"
                               "Connection: close\r\n\r\nBad Request";
    answer_and_close(fd, reinterpret_cast<const unsigned char*>(answer.data()), answer.size());
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string mode = "tls", cert, key, dhparam, min = "tls1", max = "tls1.3", cipher;
    bool bad_record_mac = false;
    long handshake_delay_ms = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() {
            return i + 1 < argc ? std::string(argv[++i]) : std::string();
        };
        if (arg == "--mode") {
            mode = next();
        } else if (arg == "--handshake-delay") {
            handshake_delay_ms = std::stol(next());
        } else if (arg == "--cert") {
            cert = next();
        } else if (arg == "--key") {
            key = next();
        } else if (arg == "--dhparam") {
            dhparam = next();
        } else if (arg == "--min") {
            min = next();
        } else if (arg == "--max") {
            max = next();
        } else if (arg == "--cipher") {
            cipher = next();
        } else if (arg == "--bad-record-mac-on-tls12") {
            bad_record_mac = true;
        }
    }
    if (mode != "tls" && mode != "stall" && mode != "http" && mode != "garbage" &&
        mode != "close") {
        std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
        return 1;
    }
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_server_method()),
                                                          SSL_CTX_free);
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_security_callback(ctx.get(), allow_everything);
    SSL_CTX_set_min_proto_version(ctx.get(), version_of(min));
    SSL_CTX_set_max_proto_version(ctx.get(), version_of(max));
    SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (!cipher.empty() && SSL_CTX_set_cipher_list(ctx.get(), cipher.c_str()) != 1) {
        std::fprintf(stderr, "bad cipher list\n");
        return 1;
    }
    if (mode == "tls" &&
        (SSL_CTX_use_certificate_chain_file(ctx.get(), cert.c_str()) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)) {
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (!dhparam.empty()) {
        BIO* file = BIO_new_file(dhparam.c_str(), "r");
        EVP_PKEY* dh = file != nullptr ? PEM_read_bio_Parameters(file, nullptr) : nullptr;
        BIO_free(file);
        if (dh == nullptr || SSL_CTX_set0_tmp_dh_pkey(ctx.get(), dh) != 1) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
    }
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener, 16) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        std::perror("listen");
        return 1;
    }
    std::printf("listening %d\n", ntohs(address.sin_port));
    std::fflush(stdout);
    while (true) {
        const int fd = ::accept(listener, nullptr, nullptr);
        if (fd < 0) {
            continue;
        }
        if (mode != "tls") {
            if (mode == "stall") {
                stall(fd);
            } else if (mode == "http") {
                http(fd);
            } else if (mode == "garbage") {
                garbage(fd);
            }
            ::close(fd);
            continue;
        }
        if (handshake_delay_ms > 0) {
            ::usleep(static_cast<useconds_t>(handshake_delay_ms) * 1000);
        }
        if (bad_record_mac && offers_tls12(fd)) {
            const unsigned char alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x14};
            ::send(fd, alert, sizeof alert, MSG_NOSIGNAL);
            ::close(fd);
            continue;
        }
        SSL* ssl = SSL_new(ctx.get());
        SSL_set_fd(ssl, fd);
        if (SSL_accept(ssl) == 1) {
            SSL_shutdown(ssl);
        }
        ERR_clear_error();
        SSL_free(ssl);
        ::close(fd);
    }
}
