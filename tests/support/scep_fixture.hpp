// SPDX-License-Identifier: Apache-2.0
// What the SCEP tests share: a CA folder with `certforge scep serve` on a
// free loopback port, the Go client built from micromdm/scep
// (support/scep_client), and the checks of what it enrolled (openssl and
// `certforge verify`). Built only with the OpenSSL backend, as SCEP is.
#pragma once

#include "support/test_support.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace certforge::test {

struct ScepServer {
    TempDir dir;
    std::filesystem::path ca;
    std::filesystem::path log;
    std::unique_ptr<BackgroundProcess> process;
    std::string base; // http://127.0.0.1:PORT
    int challenges = 0;

    // `extra`: more for scep serve; `init_extra`: more for ca init
    // (--ledger, --ca-key).
    explicit ScepServer(const std::vector<std::string>& extra = {},
                        const std::string& profile = "default",
                        const std::vector<std::string>& init_extra = {});

    // (Re)starts scep serve on the CA; its address goes into `base`.
    void start(const std::vector<std::string>& extra);

    std::string url(const std::string& path = "/scep") const { return base + path; }

    // A challenge from `certforge scep challenge`, in a file for the client.
    std::filesystem::path challenge(const std::vector<std::string>& extra = {});

    // One SQL query's rows of the CA's ca.db.
    std::string query(const std::string& sql) const;
};

// Runs the Go SCEP client; fails the test, naming the packages, when it was
// not built.
RunResult scep_client(const std::vector<std::string>& args);

// Enrolls CN (and DNS:CN) with the client and the fixture key `key_name`.
RunResult enroll(const ScepServer& server, const std::string& cn,
                 const std::filesystem::path& challenge, const std::filesystem::path& out,
                 const std::vector<std::string>& extra = {},
                 const std::string& key_name = "rsa2048");

// openssl verifies `cert` against the CA; its subject, SAN and EKU are
// CN's, and `certforge verify --profile default` passes it.
void require_verified(const ScepServer& server, const std::filesystem::path& cert,
                      const std::string& cn);

// The certificate's serial as openssl prints it.
std::string serial_of(const std::filesystem::path& cert);

} // namespace certforge::test
