// SPDX-License-Identifier: Apache-2.0
// The HTTP side of `certforge scep serve`: cpp-httplib (Debian's
// libcpp-httplib) in front of a ScepService. Plain HTTP by default, as NDES
// and the devices that use it speak; HTTPS with a certificate and key.
// Bounded: a fixed set of worker threads, a bounded queue of accepted
// connections (the accept loop waits when it is full), a listen backlog of
// 1024, bodies over kMaxScepMessageBytes refused with 413, and a read or
// write that stalls longer than the timeout ends its connection.
#pragma once

#include "certforge/scep_service.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace certforge {

struct ScepServerOptions {
    std::string listen = "127.0.0.1:8080"; // HOST:PORT, [IPv6]:PORT
    std::filesystem::path tls_certificate; // with tls_key: HTTPS
    std::filesystem::path tls_key;
    // httplib gives each connection a thread for as long as it is kept
    // alive (at most 5 s idle), so this bounds the clients served at once.
    unsigned threads = 64;
    unsigned timeout_seconds = 10;
};

// Serves until `should_stop` returns true (asked every 100 ms); requests in
// flight finish first. `ready` is told the address and port once the
// socket listens; `log` gets one line per request. Throws UsageError for
// a bad listen address or TLS files, InputError when the address cannot be
// bound.
void run_scep_server(ScepService& service, const ScepServerOptions& options,
                     const std::function<bool()>& should_stop,
                     const std::function<void(std::string_view host, int port)>& ready,
                     const std::function<void(std::string_view line)>& log);

// Throws UsageError, saying why, when this build cannot serve SCEP (no
// OpenSSL, or no cpp-httplib); call it before anything is made.
void require_scep_server_support();

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool loopback_address(std::string_view address);

} // namespace certforge
