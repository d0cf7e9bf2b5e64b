// SPDX-License-Identifier: Apache-2.0
// Where passwords come from. Never from the command line itself: a file, an
// environment variable, a no-echo prompt, or a generated one.
#pragma once

#include "certforge/backend.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace certforge {

// The longest password certforge reads (from a file, the environment or a
// prompt): longer is a mistake, such as a key file or /dev/zero given.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The first line of the file, without its line ending; only the first
// kMaxPasswordBytes + 1 bytes are read. Throws InputError when the file
// cannot be read or that line is longer.
SecureString read_password_file(const std::filesystem::path& path);

// The value of the environment variable (empty is a password too, for files
// that have none). Throws InputError when it is unset or longer than
// kMaxPasswordBytes.
SecureString read_password_env(std::string_view variable);

// True when standard input is a terminal.
bool stdin_is_terminal();
// True when standard error is a terminal (for progress lines).
bool stderr_is_terminal();

// Asks on the terminal with echo off; with an `again` prompt, a non-empty
// answer is asked for a second time, and InputError thrown when the two
// differ.
SecureString prompt_password(std::string_view prompt, std::string_view again = {});

// 20 characters from an alphabet of 57 without look-alikes (about 116 bits),
// from the backend's CSPRNG.
SecureString generate_password(Backend& backend);

// Where the password of a new file comes from, in this order: a file, an
// environment variable, a prompt (set only where one can be asked; an empty
// answer asks for a generated one), else a generated password.
struct PasswordSource {
    std::filesystem::path file;
    std::string env;
    std::function<SecureString()> prompt;
};

// The password for a new file; `generated` tells whether it was made here
// (and must be written down for the user).
SecureString new_password(const PasswordSource& source, Backend& backend, bool& generated);

} // namespace certforge
