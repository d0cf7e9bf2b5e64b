// SPDX-License-Identifier: Apache-2.0
#include "certforge/passwords.hpp"

#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/process.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <fstream>
#include <iostream>

namespace certforge {
namespace {

SecureString first_line(const SecureString& text) {
    const auto end = text.find_first_of("\r\n");
    return end == SecureString::npos ? text : text.substr(0, end);
}

SecureString ask(std::string_view prompt) {
    std::cerr << prompt << std::flush;
    SecureString answer;
    {
        const platform::EchoOff quiet;
        char c = 0;
        while (answer.size() <= kMaxPasswordBytes && platform::read_input_byte(c) && c != '\n') {
            answer.push_back(c);
        }
        secure_wipe(&c, 1);
    }
    std::cerr << '\n';
    if (answer.size() > kMaxPasswordBytes) {
        throw InputError(fmt::format("the password is longer than {} bytes", kMaxPasswordBytes));
    }
    return first_line(answer);
}

} // namespace

SecureString read_password_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        throw InputError(fmt::format("{}: is a folder, not a password file", path_text(path)));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw InputError(fmt::format("{}: cannot read the password file", path_text(path)));
    }
    SecureString text(kMaxPasswordBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) {
        throw InputError(fmt::format("{}: read error", path_text(path)));
    }
    const SecureString line = first_line(text);
    if (line.size() > kMaxPasswordBytes) {
        throw InputError(fmt::format("{}: the first line is longer than {} bytes, which is no "
                                     "password",
                                     path_text(path), kMaxPasswordBytes));
    }
    return line;
}

SecureString read_password_env(std::string_view variable) {
    std::optional<std::string> value =
        platform::environment_variable(std::string(variable).c_str());
    if (!value) {
        throw InputError(fmt::format("the environment variable {} is not set", variable));
    }
    SecureString password(*value);
    platform::wipe(value->data(), value->size());
    if (password.size() > kMaxPasswordBytes) {
        throw InputError(fmt::format("the environment variable {} is longer than {} bytes, which "
                                     "is no password",
                                     variable, kMaxPasswordBytes));
    }
    return password;
}

bool stdin_is_terminal() {
    return platform::is_terminal(platform::Stream::input);
}

bool stderr_is_terminal() {
    return platform::is_terminal(platform::Stream::error);
}

SecureString prompt_password(std::string_view prompt, std::string_view again) {
    if (!stdin_is_terminal()) {
        throw InputError("a password is needed and standard input is not a terminal: give it "
                         "in a file or an environment variable");
    }
    SecureString first = ask(prompt);
    if (!again.empty() && !first.empty() && ask(again) != first) {
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
        SecureString typed = source.prompt();
        if (!typed.empty()) {
            return typed;
        }
    }
    generated = true;
    return generate_password(backend);
}

} // namespace certforge
