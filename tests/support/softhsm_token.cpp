// SPDX-License-Identifier: Apache-2.0
#include "support/softhsm_token.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fmt/format.h>

namespace certforge::test {
namespace {

std::string percent_encoded(const std::string& text) {
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

} // namespace

SoftHsmToken::SoftHsmToken(std::string label) : label_(std::move(label)), pin_file_(dir_ / "pin") {
    require_tool("softhsm2-util", "softhsm2");
    require_tool("pkcs11-tool", "opensc");
    if (!std::filesystem::exists(kSoftHsmModule)) {
        FAIL("SoftHSM2's PKCS#11 module is missing: apt-get install softhsm2");
    }
    std::filesystem::create_directory(dir_ / "tokens");
    write_text(dir_ / "softhsm2.conf",
               fmt::format("directories.tokendir = {}\nobjectstore.backend = file\n"
                           "log.level = ERROR\nslots.removable = false\n",
                           (dir_ / "tokens").string()));
    write_text(pin_file_, pin_ + "\n");
    if (const char* previous = std::getenv("SOFTHSM2_CONF")) {
        had_conf_ = true;
        previous_conf_ = previous;
    }
    setenv("SOFTHSM2_CONF", (dir_ / "softhsm2.conf").c_str(), 1);
    const auto init = run({"softhsm2-util", "--init-token", "--free", "--label", label_, "--pin",
                           pin_, "--so-pin", "so-4711-test"},
                          env());
    if (init.exit_code != 0) {
        FAIL("softhsm2-util --init-token failed: " << init.out << init.err);
    }
}

SoftHsmToken::~SoftHsmToken() {
    if (had_conf_) {
        setenv("SOFTHSM2_CONF", previous_conf_.c_str(), 1);
    } else {
        unsetenv("SOFTHSM2_CONF");
    }
}

std::map<std::string, std::string> SoftHsmToken::env() const {
    return {{"SOFTHSM2_CONF", (dir_ / "softhsm2.conf").string()}};
}

std::string SoftHsmToken::uri(const std::string& object) const {
    return fmt::format("pkcs11:token={};object={}?module-path={}", percent_encoded(label_),
                       percent_encoded(object), kSoftHsmModule);
}

RunResult SoftHsmToken::tool(std::vector<std::string> args) const {
    std::vector<std::string> argv{"pkcs11-tool", "--module", kSoftHsmModule, "--token-label",
                                  label_,        "--login",  "--pin",        pin_};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, env());
}

} // namespace certforge::test
