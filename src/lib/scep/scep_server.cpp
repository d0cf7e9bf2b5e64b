// SPDX-License-Identifier: Apache-2.0
#include "certforge/scep_server.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/path_text.hpp"
#include "certforge/scep_message.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <fmt/format.h>
#include <httplib.h>
#include <memory>
#include <mutex>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace certforge {
namespace {

// httplib's own pool queues without limit; this one makes the accept loop
// wait while `limit` connections are queued.
class BoundedPool final : public httplib::TaskQueue {
public:
    BoundedPool(unsigned threads, std::size_t limit) : limit_(limit) {
        for (unsigned i = 0; i < threads; ++i) {
            threads_.emplace_back([this] { work(); });
        }
    }

    void enqueue(std::function<void()> fn) override {
        std::unique_lock lock(mutex_);
        room_.wait(lock, [this] { return jobs_.size() < limit_ || stopping_; });
        jobs_.push_back(std::move(fn));
        lock.unlock();
        ready_.notify_one();
    }

    void shutdown() override {
        {
            const std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        room_.notify_all();
        for (auto& thread : threads_) {
            thread.join();
        }
    }

private:
    void work() {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
                if (jobs_.empty()) {
                    return;
                }
                job = std::move(jobs_.front());
                jobs_.pop_front();
            }
            room_.notify_one();
            job();
        }
    }

    std::size_t limit_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable room_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

// httplib listens with a backlog of 5: clients that connect together (a
// fleet renewing at the same hour, a load test) would lose SYNs and wait a
// second each. listen() again on the bound socket raises it.
constexpr int kBacklog = 1024;

template <class Base> class BacklogServer final : public Base {
public:
    using Base::Base;
    void raise_backlog() { ::listen(this->svr_sock_, kBacklog); }
};

void raise_backlog(httplib::Server& server) {
    if (auto* plain = dynamic_cast<BacklogServer<httplib::Server>*>(&server)) {
        plain->raise_backlog();
    } else if (auto* tls = dynamic_cast<BacklogServer<httplib::SSLServer>*>(&server)) {
        tls->raise_backlog();
    }
}

std::unique_ptr<httplib::Server> make_server(const ScepServerOptions& options) {
    if (options.tls_certificate.empty() != options.tls_key.empty()) {
        throw UsageError("give both --tls-cert and --tls-key, or neither");
    }
    if (options.tls_certificate.empty()) {
        return std::make_unique<BacklogServer<httplib::Server>>();
    }
    const std::string cert = path_text(options.tls_certificate);
    const std::string key = path_text(options.tls_key);
    auto server = std::make_unique<BacklogServer<httplib::SSLServer>>(cert.c_str(), key.c_str());
    if (!server->is_valid()) {
        throw UsageError(fmt::format("cannot serve HTTPS with {} and {} (a PEM certificate and "
                                     "its unencrypted PEM key)",
                                     cert, key));
    }
    return server;
}

} // namespace

void require_scep_server_support() {}

void run_scep_server(ScepService& service, const ScepServerOptions& options,
                     const std::function<bool()>& should_stop,
                     const std::function<void(std::string_view host, int port)>& ready,
                     const std::function<void(std::string_view line)>& log) {
    const std::string_view listen = options.listen;
    const auto colon = listen.rfind(':');
    if (colon == std::string_view::npos || (listen.front() == '[' && listen[colon - 1] != ']')) {
        throw UsageError(fmt::format("--listen {}: give HOST:PORT (PORT 0: any free port)",
                                     escape_control(listen)));
    }
    // Port 0 (any free port) is no probe target's port.
    ProbeTarget address =
        parse_probe_address(listen.substr(colon + 1) == "0" ? listen.substr(0, colon) : listen);
    if (listen.substr(colon + 1) == "0") {
        address.port = 0;
    }
    const auto server = make_server(options);
    const unsigned threads = std::max(1u, options.threads);
    server->new_task_queue = [threads] {
        return new BoundedPool(threads, 4 * threads);
    };
    const auto timeout = static_cast<time_t>(options.timeout_seconds);
    server->set_read_timeout(timeout, 0);
    server->set_write_timeout(timeout, 0);
    server->set_keep_alive_timeout(5);
    server->set_keep_alive_max_count(100);
    server->set_payload_max_length(kMaxScepMessageBytes);
    // Headers and body go out in separate writes: without this, Nagle and
    // the client's delayed ACK hold every reply back by up to 40 ms.
    server->set_tcp_nodelay(true);
    const auto serve = [&](const httplib::Request& request, httplib::Response& response) {
        ScepHttpRequest in;
        in.method = request.method;
        in.path = request.path;
        in.operation = request.get_param_value("operation");
        in.message = request.get_param_value("message");
        in.body = request.body;
        in.peer = request.remote_addr;
        in.peer_loopback = loopback_address(request.remote_addr);
        in.authorization = request.get_header_value("Authorization");
        ScepHttpResponse out = service.handle(in);
        response.status = out.status;
        response.set_content(std::move(out.body), out.content_type.c_str());
        log(out.log);
    };
    server->Get(".*", serve);
    server->Post(".*", serve);
    server->set_error_handler([&](const httplib::Request& request, httplib::Response& response) {
        if (response.status == 413) {
            log(fmt::format("{} {}: refused: the body is over {} bytes", request.remote_addr,
                            request.method, kMaxScepMessageBytes));
        }
    });
    const int port = address.port == 0 ? server->bind_to_any_port(address.host)
                     : server->bind_to_port(address.host, address.port) ? int{address.port}
                                                                        : -1;
    if (port <= 0) {
        throw InputError(fmt::format("cannot listen on {} (in use, or not an address of this "
                                     "machine)",
                                     options.listen));
    }
    raise_backlog(*server);
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done && !should_stop()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        server->stop();
    });
    ready(address.host, port);
    server->listen_after_bind();
    done = true;
    watcher.join();
}

} // namespace certforge
