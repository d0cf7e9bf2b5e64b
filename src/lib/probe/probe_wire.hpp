// SPDX-License-Identifier: Apache-2.0
// Internal: one probe connection's socket, as the OpenSSL prober uses it.
// Every wait ends at a deadline, so no server can hold the probe longer than
// its --timeout per connection and --max-time in all, whatever it trickles.
#pragma once

#include "backends/openssl/openssl_handles.hpp"
#include "certforge/probe.hpp"
#include "lib/platform/net.hpp"

#include <chrono>
#include <memory>
#include <openssl/bio.h>
#include <string>

namespace certforge::openssl {

using Clock = std::chrono::steady_clock;
using BioMethodPtr = Handle<BIO_METHOD, BIO_meth_free>;
inline void free_addrinfo(addrinfo* info) noexcept {
    freeaddrinfo(info);
}
using AddrInfoPtr = Handle<addrinfo, free_addrinfo>;

using platform::Socket;

// `start` plus `seconds`.
Clock::time_point after(Clock::time_point start, double seconds);

// The address the whole probe contacts. Throws InputError when the name
// does not resolve.
AddrInfoPtr resolve(const ProbeTarget& target);

// A non-blocking TCP connection, or why there is none.
struct Connected {
    std::unique_ptr<Socket> socket;
    std::string failure;
};
Connected connect_to(const addrinfo& address, const ProbeTarget& target,
                     Clock::time_point deadline);

// One connection's socket as OpenSSL sees it, through a BIO of ours (the
// method from make_wire_method, the Wire as its data): every read and write
// ends at the connection's deadline, whatever the server trickles; writes
// raise no SIGPIPE; the first bytes the server sends are kept for
// classify_reply.
struct Wire {
    platform::SocketHandle socket = platform::kNoSocket;
    Clock::time_point deadline;
    bool timed_out = false;
    bool closed = false;    // the server ended the connection
    int error = 0;          // the socket error of a failed read or write
    Bytes first;            // the first bytes received; kReplyCapture reserved
    std::size_t served = 0; // how many of `first` OpenSSL has read
};
BioMethodPtr make_wire_method();

} // namespace certforge::openssl
