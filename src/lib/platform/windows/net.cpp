// SPDX-License-Identifier: Apache-2.0
// TCP client sockets on Windows: Winsock, FIONBIO, select (WSAPoll misses
// failed connects on older Windows).
#include "lib/platform/net.hpp"

#include "lib/platform/windows/win32.hpp"

#include <algorithm>
#include <mutex>

namespace certforge::platform {
namespace {

SOCKET raw(SocketHandle handle) {
    return static_cast<SOCKET>(handle);
}

} // namespace

void start_sockets() {
    static std::once_flag once;
    std::call_once(once, [] {
        WSADATA data{};
        ::WSAStartup(MAKEWORD(2, 2), &data);
    });
}

Socket::~Socket() {
    if (handle_ != kNoSocket) {
        ::closesocket(raw(handle_));
    }
}

SocketHandle open_socket(const addrinfo& address, int& error) noexcept {
    start_sockets();
    const SOCKET socket =
        ::WSASocketW(address.ai_family, address.ai_socktype, address.ai_protocol, nullptr, 0,
                     WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
    if (socket == INVALID_SOCKET) {
        error = ::WSAGetLastError();
        return kNoSocket;
    }
    u_long non_blocking = 1;
    if (::ioctlsocket(socket, FIONBIO, &non_blocking) != 0) {
        error = ::WSAGetLastError();
        ::closesocket(socket);
        return kNoSocket;
    }
    return static_cast<SocketHandle>(socket);
}

Io start_connect(SocketHandle socket, const addrinfo& address, int& error) noexcept {
    if (::connect(raw(socket), address.ai_addr, static_cast<int>(address.ai_addrlen)) == 0) {
        return Io::done;
    }
    error = ::WSAGetLastError();
    return error == WSAEWOULDBLOCK || error == WSAEINPROGRESS ? Io::pending : Io::failed;
}

Io connect_result(SocketHandle socket, int& error) noexcept {
    int length = sizeof error;
    error = 0;
    if (::getsockopt(raw(socket), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&error), &length) !=
        0) {
        error = ::WSAGetLastError();
    }
    return error == 0 ? Io::done : Io::failed;
}

Ready wait_until(SocketHandle socket, bool write, Clock::time_point deadline, int& error) noexcept {
    const long long left = std::clamp<long long>(
        std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count(), 0,
        24LL * 3600 * 1000 * 1000);
    fd_set ready;
    fd_set failed;
    FD_ZERO(&ready);
    FD_ZERO(&failed);
    FD_SET(raw(socket), &ready);
    FD_SET(raw(socket), &failed);
    timeval timeout{static_cast<long>(left / 1000000), static_cast<long>(left % 1000000)};
    const int count =
        ::select(0, write ? nullptr : &ready, write ? &ready : nullptr, &failed, &timeout);
    if (count > 0) {
        return Ready::ready;
    }
    if (count == 0) {
        return Ready::timed_out;
    }
    error = ::WSAGetLastError();
    return Ready::failed;
}

Io receive(SocketHandle socket, void* into, std::size_t length, std::size_t& count,
           int& error) noexcept {
    const int n = ::recv(raw(socket), static_cast<char*>(into),
                         static_cast<int>(std::min<std::size_t>(length, 1U << 30U)), 0);
    if (n > 0) {
        count = static_cast<std::size_t>(n);
        return Io::done;
    }
    if (n == 0) {
        return Io::closed;
    }
    error = ::WSAGetLastError();
    return error == WSAEWOULDBLOCK || error == WSAEINTR ? Io::pending : Io::failed;
}

Io send(SocketHandle socket, const void* data, std::size_t length, std::size_t& count,
        int& error) noexcept {
    const int n = ::send(raw(socket), static_cast<const char*>(data),
                         static_cast<int>(std::min<std::size_t>(length, 1U << 30U)), 0);
    if (n > 0) {
        count = static_cast<std::size_t>(n);
        return Io::done;
    }
    error = n < 0 ? ::WSAGetLastError() : 0;
    return n == 0 || error == WSAEWOULDBLOCK || error == WSAEINTR ? Io::pending : Io::failed;
}

std::string socket_error_text(int error) {
    return win32::error_text(static_cast<DWORD>(error));
}

// getaddrinfo's results on Windows are WSA error codes.
std::string resolve_error_text(int result) {
    return socket_error_text(result);
}

} // namespace certforge::platform
