// SPDX-License-Identifier: Apache-2.0
#include "certforge/signal_guard.hpp"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace certforge {
namespace {

// The number of live guards, or kEnding once the process is ending.
constexpr int kEnding = -1;
std::atomic<int> g_guards{0};
std::atomic<int> g_waiting{0};
static_assert(std::atomic<int>::is_always_lock_free);

// Async-signal-safe. Inside the handler the signal is blocked, so it ends
// the process as soon as the handler returns.
void end_by(int signal) noexcept {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
    ::raise(signal);
}

// Ends the process by `signal` unless a guard lives.
void end_if_unguarded(int signal) noexcept {
    int idle = 0;
    if (g_guards.compare_exchange_strong(idle, kEnding)) {
        end_by(signal);
    }
}

extern "C" void on_signal(int signal) {
    g_waiting.store(signal);
    // The last guard may have ended between the store and here.
    end_if_unguarded(signal);
}

} // namespace

void install_signal_guards() {
    for (const int signal : {SIGINT, SIGTERM}) {
        struct sigaction old {};
        if (::sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) {
            continue;
        }
        struct sigaction action {};
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, SIGINT);
        sigaddset(&action.sa_mask, SIGTERM);
        action.sa_flags = SA_RESTART;
        ::sigaction(signal, &action, nullptr);
    }
}

SignalGuard::SignalGuard() noexcept {
    int guards = g_guards.load();
    while (true) {
        if (guards == kEnding) {
            // Another thread is ending the process.
            for (;;) {
                ::pause();
            }
        }
        if (g_guards.compare_exchange_weak(guards, guards + 1)) {
            return;
        }
    }
}

SignalGuard::~SignalGuard() {
    if (g_guards.fetch_sub(1) == 1) {
        if (const int signal = g_waiting.load(); signal != 0) {
            end_if_unguarded(signal);
        }
    }
}

bool SignalGuard::interrupted() noexcept {
    return g_waiting.load() != 0;
}

} // namespace certforge
