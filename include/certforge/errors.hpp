// Typed errors thrown by libcertforge. The CLI maps each kind to one exit code
// (see DESIGN.md): UsageError 2, InputError 3, CryptoError and InternalError 4.
// A failed verification is not an error: it is a Report with findings.
#pragma once

#include <stdexcept>
#include <string>

namespace certforge {

// Base of every error libcertforge throws on purpose.
class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The call itself is wrong: an option value that cannot mean anything, an
// unknown backend name.
class UsageError : public Error {
public:
    using Error::Error;
};

// Something the user handed in is bad: a profile, a file, a name, a password,
// or an output that exists already.
class InputError : public Error {
public:
    using Error::Error;
};

// A profile file is invalid. what() reads "path:line:col: message".
class ProfileError : public InputError {
public:
    ProfileError(std::string path, long line, long column, const std::string& message);
    // For errors that concern a whole file rather than one place in it.
    ProfileError(std::string path, const std::string& message);

    const std::string& path() const noexcept { return path_; }
    long line() const noexcept { return line_; }
    long column() const noexcept { return column_; }

private:
    std::string path_;
    long line_ = 0;
    long column_ = 0;
};

// The crypto library refused or failed an operation; what() carries the
// library's own error text.
class CryptoError : public Error {
public:
    using Error::Error;
};

// A broken invariant or an operating-system failure that the user cannot fix
// by changing the input.
class InternalError : public Error {
public:
    using Error::Error;
};

} // namespace certforge
