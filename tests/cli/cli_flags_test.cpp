// SPDX-License-Identifier: Apache-2.0
// Option names users know: input and output passwords named apart (as
// openssl's -passin/-passout), the old spellings still accepted, -o for
// --out, and no option that is accepted and then ignored.
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using certforge::test::Issued;
using certforge::test::kPassword;
using certforge::test::listing;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

TEST_CASE("flags: --in-password-* reads, --out-password-* writes, the old names still work",
          "[flags]") {
    const std::string backend = certforge::test::backend_names().front();
    Issued issued(backend);
    const std::string format =
        certforge::test::backend_names().size() > 1 || backend == "openssl" ? "pfx-3des" : "jks";
    const auto written =
        run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(), "--chain",
                       issued.ca_cert(), "--format", format, "-o", issued.path("new.p12"),
                       "--out-password-file", issued.password_file});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK_FALSE(fs::exists(issued.path("new.p12.pass")));
    for (const char* option : {"--in-password-file", "--password-file"}) {
        const auto verified = run_certforge({"verify", "--profile", "konica-legacy",
                                             issued.path("new.p12"), option, issued.password_file});
        INFO(option << ": " << verified.out << verified.err);
        CHECK(verified.exit_code == 0);
    }
    const auto by_env = run_certforge({"verify", "--profile", "konica-legacy",
                                       issued.path("new.p12"), "--in-password-env", "P12_PASS"},
                                      {{"P12_PASS", kPassword}});
    CHECK(by_env.exit_code == 0);
    const auto wrong_side =
        run_certforge({"verify", "--profile", "konica-legacy", issued.path("new.p12"),
                       "--out-password-file", issued.password_file});
    CHECK(wrong_side.exit_code == 2);
    CHECK(wrong_side.err == "certforge: error: verify: unknown option --out-password-file; did "
                            "you mean '--in-password-file'? (certforge verify --help lists the "
                            "options)\n");

    const auto reexported =
        run_certforge({"export", "--in", issued.path("new.p12"), "--in-password-env", "P12_PASS",
                       "--format", "pem-chain", "-o", issued.path("chain.pem")},
                      {{"P12_PASS", kPassword}});
    INFO(reexported.err);
    CHECK(reexported.exit_code == 0);
    CHECK(fs::exists(issued.path("chain.pem")));

    const auto made =
        run_certforge({"make", "--profile", "konica-legacy", "--cn", "print", "--key", issued.key(),
                       "-o", issued.path("set"), "--out-password-env", "PFX", "--backend", backend},
                      {{"PFX", kPassword}});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK_FALSE(fs::exists(issued.path("set") + "/server.pfx.pass"));
}

TEST_CASE("flags: csr refuses --days, which a request cannot carry", "[flags]") {
    TempDir dir;
    const auto refused = run_certforge({"csr", "--profile", "default", "--cn", "print", "--days",
                                        "30", "-o", (dir / "req").string()});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err == "certforge: error: csr: unknown option --days (certforge csr --help "
                         "lists the options)\n");
    CHECK_FALSE(fs::exists(dir / "req"));
    const auto made = run_certforge({"csr", "--profile", "default", "--cn", "print", "--key",
                                     certforge::test::fixture_key("rsa2048").string(), "-o",
                                     (dir / "req").string()});
    INFO(made.err);
    CHECK(made.exit_code == 0);
    CHECK(listing(dir / "req") == std::vector<std::string>{"server.csr", "server.key"});
}
