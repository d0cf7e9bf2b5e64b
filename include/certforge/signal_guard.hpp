// SPDX-License-Identifier: Apache-2.0
// SIGINT and SIGTERM end certforge at once, as they do by default, except
// while a SignalGuard lives: then the signal waits until the last guard
// ends, and ends the process there. Writing a file set inside a guard
// means Ctrl-C never leaves it half written or leaves temporary files
// behind; the code inside may ask interrupted() and stop early, undoing
// what it did. The process still dies by the signal (exit status 128+N in
// a shell). Without install_signal_guards() a guard does nothing.
#pragma once

namespace certforge {

// Installs the handlers for SIGINT and SIGTERM (a signal that the process
// inherited as ignored stays ignored; on Windows, the console's Ctrl-C,
// Ctrl-Break and close events), and makes a write to a closed pipe or
// socket an error (EPIPE) instead of the end of the process. Call once,
// early in main().
void install_signal_guards();

class SignalGuard {
public:
    SignalGuard() noexcept;
    // The last guard to end raises the signal that waited, if any.
    ~SignalGuard();
    SignalGuard(const SignalGuard&) = delete;
    SignalGuard& operator=(const SignalGuard&) = delete;

    // True when a signal waits for the guards to end.
    static bool interrupted() noexcept;
};

} // namespace certforge
