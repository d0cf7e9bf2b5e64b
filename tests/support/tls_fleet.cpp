// SPDX-License-Identifier: Apache-2.0
// A loopback fleet of devices for the fleet probe's tests and benchmark:
// many device personalities at once, each on its own 127.0.0.0/8 address
// and all on one port, each serving one connection at a time as embedded
// devices do.
//
// certforge_tls_fleet --devices FILE --cert C --key K --legacy-cert C
//   --legacy-key K --dh512 F --dh1024 F [--delay MS] [--lifetime SECONDS]
// FILE has one "ADDRESS PERSONALITY" a line (at most 1024; addresses in
// 127.0.0.0/8 only):
//   legacy-dhe1024  TLS 1.0 only, DHE-RSA-AES128-SHA with a 1024-bit group,
//                   the SHA-1/RSA-1024 certificate
//   dh512           TLS 1.0 to 1.2, DHE-RSA-AES128-SHA and DHE-RSA-AES256-SHA
//                   with a 512-bit group, the legacy certificate
//   bad-record-mac  TLS 1.0 to 1.2 with AES128-SHA, but a TLS 1.2 ClientHello
//                   gets a bad_record_mac alert; the legacy certificate
//   ecdhe-tls12     TLS 1.2 only, two ECDHE-RSA AES-GCM suites
//   tls13           TLS 1.3 only
//   closed          nothing listens
//   silent          accepts and never answers (a stalling listener)
//   http            answers "HTTP/1.1 400 Bad Request"
// --delay waits that long before each TLS handshake (slow firmware).
// Prints "listening PORT" once every listener is bound, then serves until
// --lifetime seconds have passed (default 300) or the process that started
// it ends, whichever comes first.
#include "tls_personality.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <map>
#include <netinet/in.h>
#include <sstream>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using certforge::test::Personality;

namespace {

constexpr std::size_t kMaxDevices = 1024;

struct Files {
    std::string cert, key, legacy_cert, legacy_key, dh512, dh1024;
};

bool personality_for(const std::string& name, const Files& f, long delay, Personality& p) {
    p = Personality{};
    p.handshake_delay_ms = delay;
    p.cert = f.cert;
    p.key = f.key;
    if (name == "legacy-dhe1024") {
        p.min = p.max = "tls1";
        p.cipher = "DHE-RSA-AES128-SHA:@SECLEVEL=0";
        p.dhparam = f.dh1024;
        p.cert = f.legacy_cert;
        p.key = f.legacy_key;
    } else if (name == "dh512") {
        p.max = "tls1.2";
        p.cipher = "DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA:@SECLEVEL=0";
        p.dhparam = f.dh512;
        p.cert = f.legacy_cert;
        p.key = f.legacy_key;
    } else if (name == "bad-record-mac") {
        p.max = "tls1.2";
        p.cipher = "AES128-SHA:@SECLEVEL=0";
        p.bad_record_mac_on_tls12 = true;
        p.cert = f.legacy_cert;
        p.key = f.legacy_key;
    } else if (name == "ecdhe-tls12") {
        p.min = p.max = "tls1.2";
        p.cipher = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256";
    } else if (name == "tls13") {
        p.min = p.max = "tls1.3";
    } else if (name == "silent" || name == "http") {
        p.mode = name;
    } else {
        return false;
    }
    return true;
}

struct Device {
    std::string address;
    std::string personality;
    Personality p;
    int listener = -1;
};

int listen_on(const std::string& address, unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_port = htons(port);
    ::inet_pton(AF_INET, address.c_str(), &in.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 || ::listen(fd, 64) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

unsigned short port_of(int fd) {
    sockaddr_in in{};
    socklen_t length = sizeof in;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&in), &length);
    return ntohs(in.sin_port);
}

// Binds every listening device on one port: the first picks a free one,
// the others follow; a clash starts over on another port.
unsigned short bind_all(std::vector<Device>& devices) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        unsigned short port = 0;
        bool clash = false;
        for (auto& d : devices) {
            if (d.personality == "closed") {
                continue;
            }
            d.listener = listen_on(d.address, port);
            if (d.listener < 0) {
                clash = true;
                break;
            }
            port = port == 0 ? port_of(d.listener) : port;
        }
        if (!clash) {
            return port;
        }
        for (auto& d : devices) {
            if (d.listener >= 0) {
                ::close(d.listener);
                d.listener = -1;
            }
        }
    }
    return 0;
}

void serve(const Device& d, SSL_CTX* ctx) {
    while (true) {
        const int fd = ::accept(d.listener, nullptr, nullptr);
        if (fd >= 0) {
            certforge::test::serve_connection(fd, d.p, ctx);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    Files files;
    std::string list;
    long delay = 0, lifetime = 300;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const std::string value = i + 1 < argc ? argv[++i] : "";
        if (arg == "--devices") {
            list = value;
        } else if (arg == "--cert") {
            files.cert = value;
        } else if (arg == "--key") {
            files.key = value;
        } else if (arg == "--legacy-cert") {
            files.legacy_cert = value;
        } else if (arg == "--legacy-key") {
            files.legacy_key = value;
        } else if (arg == "--dh512") {
            files.dh512 = value;
        } else if (arg == "--dh1024") {
            files.dh1024 = value;
        } else if (arg == "--delay") {
            delay = std::stol(value);
        } else if (arg == "--lifetime") {
            lifetime = std::stol(value);
        } else {
            std::fprintf(stderr, "unknown argument %s\n", arg.c_str());
            return 1;
        }
    }
    std::ifstream in(list);
    if (!in) {
        std::fprintf(stderr, "cannot read --devices %s\n", list.c_str());
        return 1;
    }
    std::vector<Device> devices;
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        Device d;
        if (!(words >> d.address >> d.personality)) {
            continue;
        }
        in_addr parsed{};
        if (::inet_pton(AF_INET, d.address.c_str(), &parsed) != 1 ||
            (ntohl(parsed.s_addr) >> 24) != 127) {
            std::fprintf(stderr, "%s is not a 127.0.0.0/8 address\n", d.address.c_str());
            return 1;
        }
        if (d.personality != "closed" && !personality_for(d.personality, files, delay, d.p)) {
            std::fprintf(stderr, "unknown personality %s\n", d.personality.c_str());
            return 1;
        }
        devices.push_back(d);
        if (devices.size() > kMaxDevices) {
            std::fprintf(stderr, "more than %zu devices\n", kMaxDevices);
            return 1;
        }
    }
    std::map<std::string, certforge::test::ServerContext> contexts;
    std::vector<SSL_CTX*> device_ctx(devices.size(), nullptr);
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (devices[i].personality == "closed") {
            continue;
        }
        auto at = contexts.find(devices[i].personality);
        if (at == contexts.end()) {
            auto ctx = certforge::test::make_server_context(devices[i].p);
            if (!ctx) {
                return 1;
            }
            at = contexts.emplace(devices[i].personality, std::move(ctx)).first;
        }
        device_ctx[i] = at->second.get();
    }
    const unsigned short port = bind_all(devices);
    if (port == 0) {
        std::perror("bind");
        return 1;
    }
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (devices[i].listener >= 0) {
            std::thread(serve, std::cref(devices[i]), device_ctx[i]).detach();
        }
    }
    std::printf("listening %u\n", port);
    std::fflush(stdout);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime);
    const pid_t parent = ::getppid();
    while (std::chrono::steady_clock::now() < end && ::getppid() == parent) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::_Exit(0);
}
