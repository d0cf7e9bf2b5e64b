// SPDX-License-Identifier: Apache-2.0
#include "tls_personality.hpp"

#include <arpa/inet.h>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace certforge::test {
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

// Holds the connection without a byte until the client goes (or 60 s).
void silent(int fd) {
    timeval tv{60, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buffer[4096];
    while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
    }
}

} // namespace

bool known_mode(const std::string& mode) {
    return mode == "tls" || mode == "stall" || mode == "silent" || mode == "http" ||
           mode == "garbage" || mode == "close";
}

ServerContext make_server_context(const Personality& p) {
    ServerContext ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
    SSL_CTX_set_security_level(ctx.get(), 0);
    SSL_CTX_set_security_callback(ctx.get(), allow_everything);
    SSL_CTX_set_min_proto_version(ctx.get(), version_of(p.min));
    SSL_CTX_set_max_proto_version(ctx.get(), version_of(p.max));
    SSL_CTX_set_options(ctx.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (!p.cipher.empty() && SSL_CTX_set_cipher_list(ctx.get(), p.cipher.c_str()) != 1) {
        std::fprintf(stderr, "bad cipher list %s\n", p.cipher.c_str());
        return ServerContext(nullptr, SSL_CTX_free);
    }
    if (p.mode == "tls" &&
        (SSL_CTX_use_certificate_chain_file(ctx.get(), p.cert.c_str()) != 1 ||
         SSL_CTX_use_PrivateKey_file(ctx.get(), p.key.c_str(), SSL_FILETYPE_PEM) != 1)) {
        ERR_print_errors_fp(stderr);
        return ServerContext(nullptr, SSL_CTX_free);
    }
    if (!p.dhparam.empty()) {
        BIO* file = BIO_new_file(p.dhparam.c_str(), "r");
        EVP_PKEY* dh = file != nullptr ? PEM_read_bio_Parameters(file, nullptr) : nullptr;
        BIO_free(file);
        if (dh == nullptr || SSL_CTX_set0_tmp_dh_pkey(ctx.get(), dh) != 1) {
            ERR_print_errors_fp(stderr);
            return ServerContext(nullptr, SSL_CTX_free);
        }
    }
    return ctx;
}

void serve_connection(int fd, const Personality& p, SSL_CTX* ctx) {
    if (p.mode != "tls") {
        if (p.mode == "stall") {
            stall(fd);
        } else if (p.mode == "silent") {
            silent(fd);
        } else if (p.mode == "http") {
            http(fd);
        } else if (p.mode == "garbage") {
            garbage(fd);
        }
        ::close(fd);
        return;
    }
    if (p.handshake_delay_ms > 0) {
        ::usleep(static_cast<useconds_t>(p.handshake_delay_ms) * 1000);
    }
    if (p.bad_record_mac_on_tls12 && offers_tls12(fd)) {
        const unsigned char alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x14};
        ::send(fd, alert, sizeof alert, MSG_NOSIGNAL);
        ::close(fd);
        return;
    }
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        SSL_shutdown(ssl);
    }
    ERR_clear_error();
    SSL_free(ssl);
    ::close(fd);
}

} // namespace certforge::test
