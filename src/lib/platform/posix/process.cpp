// SPDX-License-Identifier: Apache-2.0
// The process and its terminal on POSIX: getpid, kill(pid, 0), isatty,
// termios, sigaction.
#include "lib/platform/process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <termios.h>
#include <unistd.h>

namespace certforge::platform {

long current_pid() noexcept {
    return static_cast<long>(::getpid());
}

void wipe(void* data, std::size_t size) noexcept {
    ::explicit_bzero(data, size);
}

bool process_runs(long pid) noexcept {
    return pid == current_pid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

bool is_terminal(Stream stream) noexcept {
    const int fd = stream == Stream::input    ? STDIN_FILENO
                   : stream == Stream::output ? STDOUT_FILENO
                                              : STDERR_FILENO;
    return ::isatty(fd) == 1;
}

bool read_input_byte(char& byte) noexcept {
    while (true) {
        const ssize_t n = ::read(STDIN_FILENO, &byte, 1);
        if (n == 1) {
            return true;
        }
        if (n == 0 || errno != EINTR) {
            return false;
        }
    }
}

EchoOff::EchoOff() {
    auto* saved = new termios{};
    if (::tcgetattr(STDIN_FILENO, saved) == 0) {
        termios quiet = *saved;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    state_ = saved;
}

EchoOff::~EchoOff() {
    auto* saved = static_cast<termios*>(state_);
    if (active_) {
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, saved);
    }
    delete saved;
}

void install_interrupt_handler(InterruptHandler handler) {
    std::signal(SIGPIPE, SIG_IGN);
    for (const int signal : {SIGINT, SIGTERM}) {
        struct sigaction old {};
        if (::sigaction(signal, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) {
            continue;
        }
        struct sigaction action {};
        action.sa_handler = handler;
        sigemptyset(&action.sa_mask);
        sigaddset(&action.sa_mask, SIGINT);
        sigaddset(&action.sa_mask, SIGTERM);
        action.sa_flags = SA_RESTART;
        ::sigaction(signal, &action, nullptr);
    }
}

// Inside the handler the signal is blocked, so it ends the process as soon
// as the handler returns.
void end_by_signal(int signal) noexcept {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(signal, &action, nullptr);
    ::raise(signal);
}

void wait_forever() noexcept {
    for (;;) {
        ::pause();
    }
}

void kill_self() noexcept {
    ::raise(SIGKILL);
    ::_exit(128 + SIGKILL);
}

void interrupt_self(int signal) noexcept {
    ::raise(signal);
}

std::optional<std::string> environment_variable(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

char path_list_separator() noexcept {
    return ':';
}

} // namespace certforge::platform
