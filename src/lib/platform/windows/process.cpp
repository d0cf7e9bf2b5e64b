// SPDX-License-Identifier: Apache-2.0
// The process and its console on Windows: process handles, console modes,
// SetConsoleCtrlHandler, TerminateProcess.
#include "lib/platform/process.hpp"

#include "lib/platform/windows/win32.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace certforge::platform {
namespace {

std::atomic<InterruptHandler> g_handler{nullptr};

BOOL WINAPI on_console_event(DWORD event) {
    const InterruptHandler handler = g_handler.load();
    if (handler == nullptr) {
        return FALSE;
    }
    switch (event) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
        handler(SIGINT);
        return TRUE;
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        handler(SIGTERM);
        // The system ends the process once this returns: wait (within
        // its grace period) for a guarded write to finish and end it.
        wait_forever();
    default:
        return FALSE;
    }
}

HANDLE standard(Stream stream) {
    return ::GetStdHandle(stream == Stream::input    ? STD_INPUT_HANDLE
                          : stream == Stream::output ? STD_OUTPUT_HANDLE
                                                     : STD_ERROR_HANDLE);
}

} // namespace

long current_pid() noexcept {
    return static_cast<long>(::GetCurrentProcessId());
}

void wipe(void* data, std::size_t size) noexcept {
    ::SecureZeroMemory(data, size);
}

bool process_runs(long pid) noexcept {
    if (pid == current_pid()) {
        return true;
    }
    const win32::UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE,
                                                    FALSE, static_cast<DWORD>(pid)));
    if (!process) {
        return ::GetLastError() == ERROR_ACCESS_DENIED;
    }
    return ::WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

bool is_terminal(Stream stream) noexcept {
    DWORD mode = 0;
    const HANDLE handle = standard(stream);
    return ::GetFileType(handle) == FILE_TYPE_CHAR && ::GetConsoleMode(handle, &mode) != 0;
}

bool read_input_byte(char& byte) noexcept {
    DWORD n = 0;
    return ::ReadFile(standard(Stream::input), &byte, 1, &n, nullptr) != 0 && n == 1;
}

EchoOff::EchoOff() {
    const HANDLE input = standard(Stream::input);
    DWORD mode = 0;
    if (::GetConsoleMode(input, &mode)) {
        saved_ = mode;
        active_ = ::SetConsoleMode(input, mode & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) != 0;
    }
}

EchoOff::~EchoOff() {
    if (active_) {
        ::SetConsoleMode(standard(Stream::input), static_cast<DWORD>(saved_));
    }
}

void install_interrupt_handler(InterruptHandler handler) {
    g_handler.store(handler);
    ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

void end_by_signal(int signal) noexcept {
    ::TerminateProcess(::GetCurrentProcess(), static_cast<UINT>(128 + signal));
}

void wait_forever() noexcept {
    for (;;) {
        ::Sleep(INFINITE);
    }
}

void kill_self() noexcept {
    ::TerminateProcess(::GetCurrentProcess(), 128 + 9);
    wait_forever();
}

void interrupt_self(int signal) noexcept {
    if (const InterruptHandler handler = g_handler.load()) {
        handler(signal);
    }
}

std::optional<std::string> environment_variable(const char* name) {
    const wchar_t* value = ::_wgetenv(win32::widen(name).c_str());
    if (value == nullptr) {
        return std::nullopt;
    }
    return win32::narrow(value);
}

char path_list_separator() noexcept {
    return ';';
}

} // namespace certforge::platform
