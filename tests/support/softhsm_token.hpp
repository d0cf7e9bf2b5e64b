// SPDX-License-Identifier: Apache-2.0
// A SoftHSM2 token of a test's own: a token folder and a softhsm2.conf in a
// temporary folder, named to SoftHSM by SOFTHSM2_CONF (set in the test's
// environment for the tokens it opens itself, and given to the programs it
// runs by env()), the token initialised with a known user PIN and SO PIN.
#pragma once

#include "support/test_support.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace certforge::test {

inline constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

class SoftHsmToken {
public:
    // Fails the current test, naming the Debian package, when softhsm2 or
    // opensc (pkcs11-tool, to read the token back) is missing.
    explicit SoftHsmToken(std::string label = "certforge test");
    ~SoftHsmToken();
    SoftHsmToken(const SoftHsmToken&) = delete;
    SoftHsmToken& operator=(const SoftHsmToken&) = delete;

    const std::string& label() const { return label_; }
    const std::string& pin() const { return pin_; }
    // A file whose first line is the user PIN.
    const std::filesystem::path& pin_file() const { return pin_file_; }
    std::map<std::string, std::string> env() const;
    // pkcs11:token=LABEL;object=OBJECT?module-path=... (the label %-encoded).
    std::string uri(const std::string& object) const;
    // Runs pkcs11-tool on the token's module, logged in with the PIN.
    RunResult tool(std::vector<std::string> args) const;

private:
    TempDir dir_;
    std::string label_;
    std::string pin_ = "4711-test";
    std::filesystem::path pin_file_;
    std::string previous_conf_;
    bool had_conf_ = false;
};

} // namespace certforge::test
