// SPDX-License-Identifier: Apache-2.0
// Internal: TCP client sockets as the prober uses them, on POSIX (BSD
// sockets) and Windows (Winsock): non-blocking, every wait bounded by a
// deadline, no SIGPIPE. Also brings in getaddrinfo and inet_pton/ntop.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#endif

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace certforge::platform {

using SocketHandle = std::intptr_t;
inline constexpr SocketHandle kNoSocket = -1;
using Clock = std::chrono::steady_clock;

// Starts the socket library for the process, once (WSAStartup on Windows;
// nothing on POSIX). Call before getaddrinfo.
void start_sockets();

// A socket closed with its owner.
class Socket {
public:
    explicit Socket(SocketHandle handle) noexcept : handle_(handle) {}
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    SocketHandle get() const noexcept { return handle_; }
    explicit operator bool() const noexcept { return handle_ != kNoSocket; }

private:
    SocketHandle handle_;
};

// A non-blocking socket for `address`; kNoSocket with the error in `error`.
SocketHandle open_socket(const addrinfo& address, int& error) noexcept;

enum class Io {
    done,    // `count` bytes moved, or a connection made
    pending, // not yet: wait and try again
    closed,  // the peer ended the connection (receive)
    failed,  // `error` says why
};

// Starts connecting; `pending` while it goes on (wait for writing, then
// connect_result).
Io start_connect(SocketHandle socket, const addrinfo& address, int& error) noexcept;
// After the wait for writing: `done` or `failed`.
Io connect_result(SocketHandle socket, int& error) noexcept;

enum class Ready { ready, timed_out, failed };
// Waits until `socket` can be read (or written when `write`), has an error
// for the next call to report, or `deadline` passes.
Ready wait_until(SocketHandle socket, bool write, Clock::time_point deadline, int& error) noexcept;

Io receive(SocketHandle socket, void* into, std::size_t length, std::size_t& count,
           int& error) noexcept;
Io send(SocketHandle socket, const void* data, std::size_t length, std::size_t& count,
        int& error) noexcept;

// The system's text for a socket error code.
std::string socket_error_text(int error);
// The system's text for a getaddrinfo result.
std::string resolve_error_text(int result);

} // namespace certforge::platform
