// `certforge schannel`: .reg files checked byte for byte against files
// written by hand from Microsoft's "TLS registry settings" documentation.
#include "certforge/schannel.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

std::string expected(const std::string& name) {
    const fs::path path = fs::path(CERTFORGE_SOURCE_DIR) / "tests" / "data" / "schannel" / name;
    REQUIRE(fs::exists(path));
    return read_text(path);
}

// What regedit writes: the same text as UTF-16LE behind a byte-order mark,
// converted by iconv rather than by certforge.
std::string as_regedit(const std::string& name) {
    certforge::test::require_tool("iconv", "libc-bin");
    const fs::path ascii = fs::path(CERTFORGE_SOURCE_DIR) / "tests" / "data" / "schannel" / name;
    const auto converted = run({"iconv", "-f", "ASCII", "-t", "UTF-16LE", ascii.string()});
    REQUIRE(converted.exit_code == 0);
    return std::string("\xff\xfe", 2) + converted.out;
}

} // namespace

TEST_CASE("schannel: TLS 1.0 for the client side and the DH minimum, with its undo file",
          "[schannel]") {
    TempDir dir;
    const auto written =
        run_certforge({"schannel", "--enable", "tls1.0", "--side", "client", "--dh-min-bits",
                       "1024", "--out", (dir / "fix.reg").string()});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK(written.err.empty());
    CHECK(read_text(dir / "fix.reg") == as_regedit("tls10-client-dh1024.reg"));
    CHECK(read_text(dir / "fix-undo.reg") == as_regedit("tls10-client-dh1024-undo.reg"));
    CHECK_THAT(written.out,
               Catch::Contains("SafeQ securityProtocolTypesForOutboundCommunication: Tls\n"));

    const auto ascii =
        run_certforge({"schannel", "--enable", "tls1.0", "--side", "client", "--dh-min-bits",
                       "1024", "--encoding", "ascii", "--out", (dir / "plain.reg").string()});
    REQUIRE(ascii.exit_code == 0);
    CHECK(read_text(dir / "plain.reg") == expected("tls10-client-dh1024.reg"));
    CHECK(read_text(dir / "plain-undo.reg") == expected("tls10-client-dh1024-undo.reg"));

    const auto again =
        run_certforge({"schannel", "--enable", "tls1.0", "--out", (dir / "fix.reg").string()});
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.err, Catch::Contains("refusing to overwrite"));
}

TEST_CASE("schannel: risky changes need --i-understand and always say why", "[schannel]") {
    TempDir dir;
    const std::vector<std::string> args{"schannel",   "--enable",
                                        "tls1.2",     "--disable",
                                        "ssl3",       "--dotnet-strong-crypto",
                                        "--encoding", "ascii",
                                        "--out",      (dir / "narrow.reg").string()};
    const auto refused = run_certforge(args);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err ==
          "certforge: warning: disabling SSL 3.0 narrows the protocol list machine-wide: other "
          "devices that speak only that can be cut off\n"
          "certforge: error: this change carries the risks above; add --i-understand to write "
          "it\n");
    CHECK_FALSE(fs::exists(dir / "narrow.reg"));

    auto understood = args;
    understood.push_back("--i-understand");
    const auto written = run_certforge(understood);
    REQUIRE(written.exit_code == 0);
    CHECK_THAT(written.err, Catch::Contains("narrows the protocol list machine-wide"));
    CHECK(read_text(dir / "narrow.reg") == expected("tls12-on-ssl3-off-dotnet.reg"));

    const auto weak_dh =
        run_certforge({"schannel", "--dh-min-bits", "512", "--disable-dh", "--encoding", "ascii",
                       "--i-understand", "--out", (dir / "dh.reg").string()});
    REQUIRE(weak_dh.exit_code == 0);
    CHECK_THAT(weak_dh.err, Catch::Contains("a Diffie-Hellman minimum of 512 bits (under 1024) "
                                            "weakens every TLS client on this server"));
    CHECK_THAT(weak_dh.err, Catch::Contains("disabling Diffie-Hellman is machine-wide"));
    CHECK(read_text(dir / "dh.reg") == expected("dh512-disable-dh.reg"));
}

TEST_CASE("schannel: bad requests", "[schannel]") {
    TempDir dir;
    const std::string out = (dir / "x.reg").string();
    CHECK(run_certforge({"schannel", "--out", out}).exit_code == 2);
    const auto both = run_certforge(
        {"schannel", "--enable", "tls1.1", "--disable", "tls1.1", "--i-understand", "--out", out});
    CHECK(both.exit_code == 2);
    CHECK_THAT(both.err, Catch::Contains("tls1.1 is both enabled and disabled"));
    const auto unknown = run_certforge({"schannel", "--enable", "tls2.0", "--out", out});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("'tls2.0' is not a protocol version"));
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("schannel: a probe report's fix and the SafeQ protocol list", "[schannel]") {
    TempDir dir;
    certforge::test::write_text(dir / "report.json",
                                R"({"schannel_fix": {"enable": ["tls1.0"], "side": "client",
                                    "dh_min_bits": 1024}})");
    const auto written = run_certforge({"schannel", "--from-probe", (dir / "report.json").string(),
                                        "--encoding", "ascii", "--out", (dir / "p.reg").string()});
    REQUIRE(written.exit_code == 0);
    CHECK(read_text(dir / "p.reg") == expected("tls10-client-dh1024.reg"));
    certforge::test::write_text(dir / "bad.json", "{}");
    const auto bad = run_certforge({"schannel", "--from-probe", (dir / "bad.json").string(),
                                    "--out", (dir / "q.reg").string()});
    CHECK(bad.exit_code == 3);

    using certforge::TlsVersion;
    CHECK(certforge::safeq_protocol_types({TlsVersion::tls1_0, TlsVersion::tls1_2}) ==
          "Tls, Tls11, Tls12");
    CHECK(certforge::safeq_protocol_types({TlsVersion::tls1_3, TlsVersion::tls1_2}) ==
          "Tls12, Tls13");
}
