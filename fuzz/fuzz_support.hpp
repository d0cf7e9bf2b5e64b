// SPDX-License-Identifier: Apache-2.0
// What the libFuzzer targets share: the backends of this build, a scratch
// file for the APIs that read paths, the checks `certforge verify` runs on
// what a file held, and the rule that tells a finding from a refusal.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/containers.hpp"
#include "certforge/errors.hpp"
#include "certforge/profile.hpp"
#include "certforge/verify.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace certforge::fuzz {

// The passwords of the seed containers in corpus/pkcs12 and corpus/jks
// (keytool wants at least six characters).
inline constexpr const char* kPkcs12Password = "fuzz";
inline constexpr const char* kJksPassword = "fuzzing";

// The clock of the checks, fixed so that a reproducer behaves the same on
// any day (2025-01-01T00:00:00Z).
inline constexpr UnixTime kNow = 1735689600;

// Every backend this build has, default first, made on first use.
const std::vector<std::unique_ptr<Backend>>& backends();

// Every shipped device profile, loaded on first use; "default" first.
const std::vector<Profile>& device_profiles();

// A CA made with `backend` for the default profile, as `certforge ca init`
// makes it, once per backend (in memory only).
const CaFolder& test_ca(Backend& backend);

// A CA folder (ca.key, ca.crt, ca.json) holding the first backend's
// test_ca, written once into the scratch folder.
const std::filesystem::path& test_ca_folder();

// This process's scratch folder (made on first use, removed at exit).
const std::filesystem::path& scratch_folder();

// Writes the input to the file `name` in this process's scratch folder
// (made on first use, removed at exit) and returns its path. The same name
// is the same file each time.
std::filesystem::path scratch_file(std::string_view name, const std::uint8_t* data,
                                   std::size_t size);

// The input as text, as read_file would return it.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Prints the exception being handled, with `context` (target and backend),
// and aborts, so that libFuzzer keeps the input as a reproducer.
[[noreturn]] void report_unexpected(std::string_view context);

// Runs `work`. A UsageError or an InputError (ProfileError and
// RefusedError included) is certforge refusing bad input with exit 2 or 3:
// it is swallowed. Anything else is a finding: an InternalError or a
// CryptoError (exit 4, which bad input must not cause), any other exception
// escaping the library, a crash or a sanitizer report.
template <class Work> void expect_user_errors(std::string_view context, Work&& work) {
    try {
        work();
    } catch (const UsageError&) {
    } catch (const InputError&) {
    } catch (...) {
        report_unexpected(context);
    }
}

// What `certforge verify` does with a chain (leaf first) read from a file,
// on one backend: describes the key and matches it to the leaf, parses each
// certificate, then checks the chain against every device profile (the
// first with signatures) and, for a container, the container rules, and
// renders the JSON report. Each step is run through expect_user_errors.
void verify_like_cli(const Backend& backend, const KeyAndChain& contents,
                     std::optional<ContainerFacts> facts, std::string_view context);

} // namespace certforge::fuzz
