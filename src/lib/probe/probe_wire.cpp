// SPDX-License-Identifier: Apache-2.0
#include "probe_wire.hpp"

#include "backends/openssl/openssl_error.hpp"
#include "certforge/errors.hpp"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace certforge::openssl {

Clock::time_point after(Clock::time_point start, double seconds) {
    return start +
           std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

AddrInfoPtr resolve(const ProbeTarget& target) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* raw = nullptr;
    platform::start_sockets();
    const std::string port = std::to_string(target.port);
    if (const int rc = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
        throw InputError(fmt::format("{}:{}: cannot resolve {}: {}", target.host, target.port,
                                     target.host, platform::resolve_error_text(rc)));
    }
    return AddrInfoPtr(raw);
}

Connected connect_to(const addrinfo& address, const ProbeTarget& target,
                     Clock::time_point deadline) {
    int error = 0;
    auto socket = std::make_unique<Socket>(platform::open_socket(address, error));
    if (!*socket) {
        return {nullptr,
                fmt::format("cannot create a socket: {}", platform::socket_error_text(error))};
    }
    auto state = platform::start_connect(socket->get(), address, error);
    if (state == platform::Io::pending) {
        const auto ready = platform::wait_until(socket->get(), true, deadline, error);
        if (ready == platform::Ready::timed_out) {
            return {nullptr, fmt::format("no answer within {} s", target.timeout_seconds)};
        }
        state = ready == platform::Ready::ready ? platform::connect_result(socket->get(), error)
                                                : platform::Io::failed;
    }
    if (state != platform::Io::done) {
        return {nullptr, platform::socket_error_text(error)};
    }
    return {std::move(socket), {}};
}

namespace {

// Receives up to `length` bytes: how many, or 0 when the wire's state says
// why not.
std::size_t receive(Wire& wire, void* into, std::size_t length) noexcept {
    while (true) {
        const auto ready = platform::wait_until(wire.socket, false, wire.deadline, wire.error);
        if (ready != platform::Ready::ready) {
            wire.timed_out = ready == platform::Ready::timed_out;
            return 0;
        }
        std::size_t count = 0;
        switch (platform::receive(wire.socket, into, length, count, wire.error)) {
        case platform::Io::done:
            return count;
        case platform::Io::closed:
            wire.closed = true;
            return 0;
        case platform::Io::failed:
            return 0;
        case platform::Io::pending:
            wire.error = 0;
            break;
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
        const auto ready = platform::wait_until(wire.socket, true, wire.deadline, wire.error);
        if (ready != platform::Ready::ready) {
            wire.timed_out = ready == platform::Ready::timed_out;
            return 0;
        }
        switch (platform::send(wire.socket, data, length, *written, wire.error)) {
        case platform::Io::done:
            return 1;
        case platform::Io::pending:
            wire.error = 0;
            break;
        case platform::Io::closed:
        case platform::Io::failed:
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
