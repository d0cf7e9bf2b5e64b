#include "certforge/passwords.hpp"

#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <iostream>
#include <termios.h>
#include <unistd.h>

namespace certforge {
namespace {

SecureString first_line(const SecureString& text) {
    const auto end = text.find_first_of("\r\n");
    return end == SecureString::npos ? text : text.substr(0, end);
}

// Turns terminal echo off for its lifetime.
class EchoOff {
public:
    EchoOff() {
        if (::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios quiet = saved_;
            quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
            active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }
    ~EchoOff() {
        if (active_) {
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
        }
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

SecureString ask(std::string_view prompt) {
    std::cerr << prompt << std::flush;
    SecureString answer;
    {
        EchoOff quiet;
        char c = 0;
        while (::read(STDIN_FILENO, &c, 1) == 1 && c != '\n') {
            answer.push_back(c);
        }
        secure_wipe(&c, 1);
    }
    std::cerr << '\n';
    return first_line(answer);
}

} // namespace

SecureString read_password_file(const std::filesystem::path& path) {
    return first_line(read_secret_file(path));
}

SecureString read_password_env(std::string_view variable) {
    const char* value = std::getenv(std::string(variable).c_str());
    if (value == nullptr) {
        throw InputError(fmt::format("the environment variable {} is not set", variable));
    }
    return SecureString(value);
}

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) == 1;
}

SecureString prompt_password(std::string_view prompt, bool confirm) {
    if (!stdin_is_terminal()) {
        throw InputError("a password is needed and standard input is not a terminal: use "
                         "--password-file or --password-env");
    }
    SecureString first = ask(prompt);
    if (confirm && ask("again: ") != first) {
        throw InputError("the two passwords differ");
    }
    return first;
}

SecureString generate_password(Backend& backend) {
    constexpr std::string_view alphabet =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    static_assert(alphabet.size() == 57);
    SecureString password;
    while (password.size() < 20) {
        const Bytes random = backend.random_bytes(32);
        for (const auto byte : random) {
            // 228 = 4 * 57: rejection keeps every character equally likely.
            if (byte < 228 && password.size() < 20) {
                password.push_back(alphabet[byte % alphabet.size()]);
            }
        }
    }
    return password;
}

SecureString new_password(const PasswordSource& source, Backend& backend, bool& generated) {
    generated = false;
    if (!source.file.empty()) {
        return read_password_file(source.file);
    }
    if (!source.env.empty()) {
        return read_password_env(source.env);
    }
    if (source.prompt) {
        return source.prompt();
    }
    generated = true;
    return generate_password(backend);
}

} // namespace certforge
