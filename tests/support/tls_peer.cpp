// SPDX-License-Identifier: Apache-2.0
// A TLS server that plays one device for the probe tests, on loopback only
// (the personalities: tls_personality.hpp).
//
// certforge_tls_peer [--mode tls|stall|silent|http|garbage|close] --cert C
//   --key K [--dhparam F] [--min tls1|tls1.2|tls1.3] [--max ...]
//   [--cipher LIST] [--bad-record-mac-on-tls12] [--handshake-delay MS]
// Listens on 127.0.0.1 on a free port, prints "listening PORT", serves one
// connection at a time until killed.
#include "tls_personality.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>

using certforge::test::Personality;

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    Personality p;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto next = [&]() {
            return i + 1 < argc ? std::string(argv[++i]) : std::string();
        };
        if (arg == "--mode") {
            p.mode = next();
        } else if (arg == "--handshake-delay") {
            p.handshake_delay_ms = std::stol(next());
        } else if (arg == "--cert") {
            p.cert = next();
        } else if (arg == "--key") {
            p.key = next();
        } else if (arg == "--dhparam") {
            p.dhparam = next();
        } else if (arg == "--min") {
            p.min = next();
        } else if (arg == "--max") {
            p.max = next();
        } else if (arg == "--cipher") {
            p.cipher = next();
        } else if (arg == "--bad-record-mac-on-tls12") {
            p.bad_record_mac_on_tls12 = true;
        }
    }
    if (!certforge::test::known_mode(p.mode)) {
        std::fprintf(stderr, "unknown mode %s\n", p.mode.c_str());
        return 1;
    }
    const auto ctx = certforge::test::make_server_context(p);
    if (!ctx) {
        return 1;
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
        if (fd >= 0) {
            certforge::test::serve_connection(fd, p, ctx.get());
        }
    }
}
