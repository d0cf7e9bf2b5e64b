// SPDX-License-Identifier: Apache-2.0
// Typed errors thrown by libcertforge. The CLI maps each kind to one exit code
// (docs/ARCHITECTURE.md, "Errors"): UsageError 2, InputError 3, CryptoError and InternalError 4.
// A failed verification is not an error: it is a Report with findings.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

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

// What the user changes to get past a refusal. The library names no command
// line flag or sites-file key; the CLI and batch turn this into their own
// hint ("--san dns:NAME", "the site's sans").
enum class FixHint {
    none,
    common_name,    // give a (valid) common name
    names,          // change or add subjectAltNames
    ip_san,         // add an IP address subjectAltName
    subject,        // change a subject field (O, OU, L, ST, C)
    days,           // ask for fewer days
    key,            // another key size, or another existing key
    hash,           // another signature hash
    password,       // give a non-empty password
    ca_for_profile, // a CA made for the profile (ca init with that profile)
    ca_renewal,     // a new CA: this one has expired or is about to
    device_names,   // no device names: the profile's devices import only the CA
    device_entry,   // correct a device's names
    request,        // a new certificate request (CSR)
};

// certforge will not issue what it was asked for: the request, the CA or
// the key does not fit a target profile. Thrown before any key is made or
// any file is touched. what() names the profile and the rule.
class RefusedError : public InputError {
public:
    RefusedError(std::string rule, std::string profile, const std::string& message, FixHint hint);

    // "MESSAGE (profile P, rule R); fix: FIX", the one-line form the CLI and
    // batch print, with `fix` in their own words.
    std::string with_fix(std::string_view fix) const;

    const std::string& rule() const noexcept { return rule_; }
    const std::string& profile() const noexcept { return profile_; }
    FixHint hint() const noexcept { return hint_; }

private:
    std::string rule_;
    std::string profile_;
    FixHint hint_;
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
