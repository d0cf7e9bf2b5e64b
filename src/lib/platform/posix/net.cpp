// SPDX-License-Identifier: Apache-2.0
// TCP client sockets on POSIX: SOCK_NONBLOCK, poll, MSG_NOSIGNAL.
#include "lib/platform/net.hpp"

#include "lib/platform/system_error_text.hpp"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace certforge::platform {

void start_sockets() {}

Socket::~Socket() {
    if (handle_ != kNoSocket) {
        ::close(static_cast<int>(handle_));
    }
}

SocketHandle open_socket(const addrinfo& address, int& error) noexcept {
    const int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                            address.ai_protocol);
    error = fd < 0 ? errno : 0;
    return fd < 0 ? kNoSocket : fd;
}

Io start_connect(SocketHandle socket, const addrinfo& address, int& error) noexcept {
    if (::connect(static_cast<int>(socket), address.ai_addr, address.ai_addrlen) == 0) {
        return Io::done;
    }
    error = errno;
    return error == EINPROGRESS ? Io::pending : Io::failed;
}

Io connect_result(SocketHandle socket, int& error) noexcept {
    socklen_t length = sizeof error;
    error = 0;
    if (::getsockopt(static_cast<int>(socket), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
        error = errno;
    }
    return error == 0 ? Io::done : Io::failed;
}

Ready wait_until(SocketHandle socket, bool write, Clock::time_point deadline, int& error) noexcept {
    while (true) {
        const long long left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd pfd{static_cast<int>(socket), static_cast<short>(write ? POLLOUT : POLLIN), 0};
        const int ready =
            ::poll(&pfd, 1, static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000)));
        if (ready > 0) {
            return Ready::ready;
        }
        if (ready == 0 && left <= 0) {
            return Ready::timed_out;
        }
        if (ready < 0 && errno != EINTR) {
            error = errno;
            return Ready::failed;
        }
    }
}

Io receive(SocketHandle socket, void* into, std::size_t length, std::size_t& count,
           int& error) noexcept {
    const ssize_t n = ::recv(static_cast<int>(socket), into, length, 0);
    if (n > 0) {
        count = static_cast<std::size_t>(n);
        return Io::done;
    }
    if (n == 0) {
        return Io::closed;
    }
    error = errno;
    return error == EINTR || error == EAGAIN || error == EWOULDBLOCK ? Io::pending : Io::failed;
}

Io send(SocketHandle socket, const void* data, std::size_t length, std::size_t& count,
        int& error) noexcept {
    const ssize_t n = ::send(static_cast<int>(socket), data, length, MSG_NOSIGNAL);
    if (n > 0) {
        count = static_cast<std::size_t>(n);
        return Io::done;
    }
    error = n < 0 ? errno : 0;
    return n == 0 || error == EINTR || error == EAGAIN || error == EWOULDBLOCK ? Io::pending
                                                                               : Io::failed;
}

std::string socket_error_text(int error) {
    return detail::errno_text(error);
}

} // namespace certforge::platform

namespace certforge::platform {

std::string resolve_error_text(int result) {
    return ::gai_strerror(result);
}

} // namespace certforge::platform
