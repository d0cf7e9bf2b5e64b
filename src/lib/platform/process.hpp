// SPDX-License-Identifier: Apache-2.0
// Internal: the process and its console, on POSIX and on Windows: pids,
// terminals, the no-echo password prompt, interruption (SIGINT/SIGTERM, or
// a console control event) and the fault-injection test hooks' way to die.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace certforge::platform {

long current_pid() noexcept;

// Overwrites `size` bytes at `data` with zeros, in a way the compiler may
// not leave out (explicit_bzero, SecureZeroMemory).
void wipe(void* data, std::size_t size) noexcept;

// Whether process `pid` still runs (or exists and is not ours to signal).
bool process_runs(long pid) noexcept;

enum class Stream { input, output, error };
bool is_terminal(Stream stream) noexcept;

// Reads one byte of standard input; false at its end or on an error.
bool read_input_byte(char& byte) noexcept;

// Turns the echo of standard input off for its lifetime, when it is a
// terminal (termios; SetConsoleMode on Windows).
class EchoOff {
public:
    EchoOff();
    ~EchoOff();
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    [[maybe_unused]] unsigned long saved_ = 0; // the console mode on Windows; POSIX keeps state_
    void* state_ = nullptr;
    bool active_ = false;
};

// The interruptions certforge guards against: SIGINT (Ctrl-C) and SIGTERM;
// on Windows Ctrl-C and Ctrl-Break as SIGINT, closing the console, logoff
// and shutdown as SIGTERM.
using InterruptHandler = void (*)(int signal);
// Calls `handler` on each interruption not ignored when certforge starts,
// and makes a write to a closed pipe or socket fail with EPIPE instead of
// raising SIGPIPE (Windows has no SIGPIPE).
// The handler may run in a signal context (POSIX) or on a thread of its own
// (Windows): it must be async-signal-safe.
void install_interrupt_handler(InterruptHandler handler);
// Ends the process as `signal` would have (async-signal-safe): on POSIX by
// the signal, once the handler that calls this returns (or at once outside
// one); on Windows at once, with exit code 128 + signal.
void end_by_signal(int signal) noexcept;
// Waits forever (another thread is ending the process).
[[noreturn]] void wait_forever() noexcept;
// Test hooks: dies at once without any cleanup (SIGKILL, TerminateProcess).
[[noreturn]] void kill_self() noexcept;
// Test hooks: delivers `signal` (SIGINT or SIGTERM) to this process as an
// interruption would.
void interrupt_self(int signal) noexcept;

// The environment variable `name` as UTF-8 (on Windows read as UTF-16 and
// converted), or nothing when it is not set. The caller wipes a secret.
std::optional<std::string> environment_variable(const char* name);

// What separates the folders of a list such as CERTFORGE_PROFILE_PATH:
// ':' on POSIX, ';' on Windows (where ':' follows a drive letter).
char path_list_separator() noexcept;

} // namespace certforge::platform
