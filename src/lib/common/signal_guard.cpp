// SPDX-License-Identifier: Apache-2.0
#include "certforge/signal_guard.hpp"

#include "lib/platform/process.hpp"

#include <atomic>

namespace certforge {
namespace {

// The number of live guards, or kEnding once the process is ending.
constexpr int kEnding = -1;
std::atomic<int> g_guards{0};
std::atomic<int> g_waiting{0};
static_assert(std::atomic<int>::is_always_lock_free);

// Ends the process by `signal` unless a guard lives.
void end_if_unguarded(int signal) noexcept {
    int idle = 0;
    if (g_guards.compare_exchange_strong(idle, kEnding)) {
        platform::end_by_signal(signal);
    }
}

extern "C" void on_signal(int signal) {
    g_waiting.store(signal);
    // The last guard may have ended between the store and here.
    end_if_unguarded(signal);
}

} // namespace

void install_signal_guards() {
    platform::install_interrupt_handler(on_signal);
}

SignalGuard::SignalGuard() noexcept {
    int guards = g_guards.load();
    while (true) {
        if (guards == kEnding) {
            // Another thread is ending the process.
            platform::wait_forever();
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
