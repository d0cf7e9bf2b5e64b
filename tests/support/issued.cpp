// SPDX-License-Identifier: Apache-2.0
#include "support/issued.hpp"

#include <catch2/catch.hpp>

namespace certforge::test {

Issued::Issued(const std::string& backend, const std::string& profile) {
    ca = (dir / "ca").string();
    out = (dir / "out").string();
    password_file = (dir / "pw").string();
    write_text(password_file, std::string(kPassword) + "\n");
    REQUIRE(run_certforge({"ca", "init", "--profile", profile, "--name", "Print CA", "--out", ca,
                           "--backend", backend})
                .exit_code == 0);
    const auto made = run_certforge({"make", "--profile", profile, "--cn", "print.corp.local",
                                     "--san", "ip:10.1.2.3", "--ca", ca, "--out", out,
                                     "--password-file", password_file, "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
}

RunResult Issued::export_as(const std::string& format, const std::string& file,
                            const std::string& backend) const {
    return run_certforge({"export", "--key", key(), "--cert", cert(), "--chain", ca_cert(),
                          "--format", format, "--out", path(file), "--password-file", password_file,
                          "--backend", backend});
}

std::string openssl_pkcs12_info(const std::string& file, bool legacy) {
    std::vector<std::string> argv{"openssl", "pkcs12", "-info",   "-noout",
                                  "-in",     file,     "-passin", std::string("pass:") + kPassword};
    if (legacy) {
        argv.push_back("-legacy");
    }
    const auto info = run(argv);
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    return info.out + info.err;
}

} // namespace certforge::test
