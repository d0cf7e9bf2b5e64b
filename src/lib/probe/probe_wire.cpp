// SPDX-License-Identifier: Apache-2.0
#include "probe_wire.hpp"

#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"
#include "lib/common/system_error_text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace certforge::openssl {

Socket::~Socket() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

Clock::time_point after(Clock::time_point start, double seconds) {
    return start +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

namespace {

// Waits until `fd` is ready for `events`: 1 when it is (or has an error for
// the next call to report), 0 when `deadline` has passed, -1 when poll fails.
int wait_for(int fd, short events, Clock::time_point deadline) noexcept {
    while (true) {
        const long long left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        pollfd pfd{fd, events, 0};
        const int ready =
            ::poll(&pfd, 1, static_cast<int>(std::clamp<long long>(left, 0, 24 * 3600 * 1000)));
        if (ready > 0) {
            return 1;
        }
        if (ready == 0 && left <= 0) {
            return 0;
        }
        if (ready < 0 && errno != EINTR) {
            return -1;
        }
    }
}

} // namespace

AddrInfoPtr resolve(const ProbeTarget& target) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* raw = nullptr;
    const std::string port = std::to_string(target.port);
    if (const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
        throw InputError(fmt::format("{}:{}: cannot resolve {}: {}", target.host, target.port,
                                     target.host, gai_strerror(rc)));
    }
    return AddrInfoPtr(raw);
}

Connected connect_to(const addrinfo& address, const ProbeTarget& target,
                     Clock::time_point deadline) {
    auto socket = std::make_unique<Socket>(
        ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                 address.ai_protocol));
    if (socket->fd() < 0) {
        return {nullptr, fmt::format("cannot create a socket: {}", detail::errno_text())};
    }
    if (::connect(socket->fd(), address.ai_addr, address.ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            return {nullptr, detail::errno_text()};
        }
        const int ready = wait_for(socket->fd(), POLLOUT, deadline);
        if (ready == 0) {
            return {nullptr, fmt::format("no answer within {} s", target.timeout_seconds)};
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(socket->fd(), SOL_SOCKET, SO_ERROR, &error, &length);
        if (ready < 0 || error != 0) {
            return {nullptr, detail::errno_text(error != 0 ? error : errno)};
        }
    }
    return {std::move(socket), {}};
}

namespace {

// Receives up to `length` bytes: how many, or 0 when the wire's state says
// why not.
std::size_t receive(Wire& wire, void* into, std::size_t length) noexcept {
    while (true) {
        const int ready = wait_for(wire.fd, POLLIN, wire.deadline);
        if (ready <= 0) {
            wire.timed_out = ready == 0;
            wire.error = ready < 0 ? errno : 0;
            return 0;
        }
        const ssize_t n = ::recv(wire.fd, into, length, 0);
        if (n > 0) {
            return static_cast<std::size_t>(n);
        }
        if (n == 0) {
            wire.closed = true;
            return 0;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            wire.error = errno;
            return 0;
        }
    }
}

int wire_read(BIO* bio, char* out, std::size_t length, std::size_t* read) noexcept {
    BIO_clear_retry_flags(bio);
    auto& wire = *static_cast<Wire*>(BIO_get_data(bio));
    if (wire.served == wire.first.size() && wire.first.size() < kReplyCapture) {
        std::uint8_t buffer[kReplyCapture];
        const std::size_t n = receive(wire, buffer, kReplyCapture - wire.first.size());
        wire.first.insert(wire.first.end(), buffer, buffer + n);
    }
    std::size_t n = 0;
    if (wire.served < wire.first.size()) {
        n = std::min(length, wire.first.size() - wire.served);
        std::memcpy(out, wire.first.data() + wire.served, n);
        wire.served += n;
    } else if (wire.first.size() == kReplyCapture) {
        n = receive(wire, out, length);
    }
    *read = n;
    return n > 0 ? 1 : 0;
}

int wire_write(BIO* bio, const char* data, std::size_t length, std::size_t* written) noexcept {
    BIO_clear_retry_flags(bio);
    auto& wire = *static_cast<Wire*>(BIO_get_data(bio));
    while (true) {
        const int ready = wait_for(wire.fd, POLLOUT, wire.deadline);
        if (ready <= 0) {
            wire.timed_out = ready == 0;
            wire.error = ready < 0 ? errno : 0;
            return 0;
        }
        const ssize_t n = ::send(wire.fd, data, length, MSG_NOSIGNAL);
        if (n > 0) {
            *written = static_cast<std::size_t>(n);
            return 1;
        }
        if (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            wire.error = errno;
            return 0;
        }
    }
}

long wire_ctrl(BIO*, int command, long, void*) noexcept {
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

} // namespace

BioMethodPtr make_wire_method() {
    const int type = BIO_get_new_index();
    check(type != -1, "cannot create a BIO type");
    BioMethodPtr method(BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "certforge probe socket"));
    check(method != nullptr && BIO_meth_set_read_ex(method.get(), wire_read) == 1 &&
              BIO_meth_set_write_ex(method.get(), wire_write) == 1 &&
              BIO_meth_set_ctrl(method.get(), wire_ctrl) == 1,
          "cannot create a BIO method");
    return method;
}

} // namespace certforge::openssl
