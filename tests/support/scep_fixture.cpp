// SPDX-License-Identifier: Apache-2.0
#include "support/scep_fixture.hpp"

#include "support/sqlite_db.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

namespace certforge::test {

namespace fs = std::filesystem;

ScepServer::ScepServer(const std::vector<std::string>& extra, const std::string& profile,
                       const std::vector<std::string>& init_extra)
    : ca(dir / "ca"), log(dir / "serve.log") {
    std::vector<std::string> init{"ca",     "init",         "--profile", profile,
                                  "--name", "SCEP Test CA", "--out",     ca.string()};
    init.insert(init.end(), init_extra.begin(), init_extra.end());
    REQUIRE(run_certforge(init).exit_code == 0);
    start(extra);
}

void ScepServer::start(const std::vector<std::string>& extra) {
    std::vector<std::string> argv{CERTFORGE_BINARY, "scep",     "serve",      "--ca",
                                  ca.string(),      "--listen", "127.0.0.1:0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process = std::make_unique<BackgroundProcess>(argv, log);
    const std::string line = process->first_line();
    const auto at = line.find("http://");
    REQUIRE(at != std::string::npos);
    base = line.substr(at, line.find("/certsrv") - at);
}

fs::path ScepServer::challenge(const std::vector<std::string>& extra) {
    std::vector<std::string> args{"scep", "challenge", "--ca", ca.string(), "--profile", "default"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto made = run_certforge(args);
    REQUIRE(made.exit_code == 0);
    REQUIRE(made.out.size() == 33);
    const fs::path file = dir / fmt::format("challenge-{}.txt", ++challenges);
    write_text(file, made.out);
    return file;
}

std::string ScepServer::query(const std::string& sql) const {
    return SqliteDb(ca / "ca.db").query(sql);
}

RunResult scep_client(const std::vector<std::string>& args) {
    if (!fs::exists(CERTFORGE_SCEP_CLIENT)) {
        FAIL("the Go SCEP client was not built: apt-get install golang-go "
             "golang-github-micromdm-scep-dev, then configure and build again");
    }
    std::vector<std::string> argv{CERTFORGE_SCEP_CLIENT};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

RunResult enroll(const ScepServer& server, const std::string& cn, const fs::path& challenge,
                 const fs::path& out, const std::vector<std::string>& extra,
                 const std::string& key_name) {
    std::vector<std::string> args{"enroll",
                                  "-url",
                                  server.url(),
                                  "-key",
                                  fixture_key(key_name).string(),
                                  "-cn",
                                  cn,
                                  "-dns",
                                  cn,
                                  "-challenge-file",
                                  challenge.string(),
                                  "-out",
                                  out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return scep_client(args);
}

void require_verified(const ScepServer& server, const fs::path& cert, const std::string& cn) {
    const auto verified =
        run({"openssl", "verify", "-CAfile", (server.ca / "ca.crt").string(), cert.string()});
    CHECK(verified.exit_code == 0);
    const auto text = run({"openssl", "x509", "-in", cert.string(), "-noout", "-subject", "-ext",
                           "subjectAltName,extendedKeyUsage"});
    CHECK(text.out.find("subject=CN = " + cn + "\n") != std::string::npos);
    CHECK(text.out.find("DNS:" + cn) != std::string::npos);
    CHECK(text.out.find("TLS Web Server Authentication") != std::string::npos);
    CHECK(run_certforge({"verify", "--profile", "default", cert.string()}).exit_code == 0);
}

std::string serial_of(const fs::path& cert) {
    const auto out = run({"openssl", "x509", "-in", cert.string(), "-noout", "-serial"}).out;
    return out.substr(7, out.size() - 8);
}

} // namespace certforge::test
