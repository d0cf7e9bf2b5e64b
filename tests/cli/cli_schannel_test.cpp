// SPDX-License-Identifier: Apache-2.0
// `certforge schannel`: .reg files checked byte for byte against files
// written by hand from Microsoft's "TLS registry settings" documentation.
#include "certforge/errors.hpp"
#include "certforge/schannel.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <nlohmann/json.hpp>

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

namespace {

// Runs `schannel --from-probe` on `report` (written as report.json in `dir`)
// into dir/fix.reg.
certforge::test::RunResult from_probe(const TempDir& dir, const std::string& report) {
    certforge::test::write_text(dir / "report.json", report);
    return run_certforge({"schannel", "--from-probe", (dir / "report.json").string(), "--encoding",
                          "ascii", "--out", (dir / "fix.reg").string()});
}

} // namespace

TEST_CASE("schannel: --from-probe refuses a report it cannot trust, in one line naming the key",
          "[schannel]") {
    const auto [report, message] = GENERATE(table<std::string, std::string>({
        {R"({"schannel_fix": {"enable": ["tls1.0"], "side": "client", "dh_min_bits": -1}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found -1"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": 1099511627776}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found 1099511627776"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": 1024.5}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found 1024.5"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": 511}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found 511"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": 8193}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found 8193"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": "1024"}})",
         "schannel_fix.dh_min_bits: expected a whole number of bits from 512 to 8192 (or null), "
         "found \"1024\""},
        {R"({"schannel_fix": {"enable": ["tls1.2"], "side": "sideways"}})",
         "schannel_fix.side: expected client, server or both, found \"sideways\""},
        {R"({"schannel_fix": {"enable": ["tls1.2"], "side": 1}})",
         "schannel_fix.side: expected client, server or both, found 1"},
        {R"({"schannel_fix": {"enable": ["tls1.2"]}})",
         "schannel_fix.side: missing (client, server or both)"},
        {R"({"schannel_fix": {"enable": "tls1.2", "side": "client"}})",
         "schannel_fix.enable: expected an array of protocol versions, found \"tls1.2\""},
        {R"({"schannel_fix": {"enable": ["tls1.2", 12], "side": "client"}})",
         "schannel_fix.enable[1]: expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3, found 12"},
        {R"({"schannel_fix": {"disable": ["tls2.0"], "side": "client"}})",
         "schannel_fix.disable[0]: expected ssl3, tls1.0, tls1.1, tls1.2 or tls1.3, found "
         "\"tls2.0\""},
        {R"({"schannel_fix": {"enable": ["tls1.1"], "disable": ["tls1.1"], "side": "client"}})",
         "schannel_fix: tls1.1 is both enabled and disabled"},
        {R"({"schannel_fix": {"side": "client", "disable_dh": "yes"}})",
         "schannel_fix.disable_dh: expected true or false, found \"yes\""},
        {R"({"schannel_fix": {"side": "client", "dotnet_strong_crypto": 1}})",
         "schannel_fix.dotnet_strong_crypto: expected true or false, found 1"},
        {R"({"schannel_fix": {"enable": [], "disable": [], "side": "client", "dh_min_bits": null,
             "disable_dh": false}})",
         "schannel_fix: changes nothing (no enable, disable, dh_min_bits, disable_dh or "
         "dotnet_strong_crypto)"},
        {R"({"schannel_fix": ["tls1.2"]})", "schannel_fix: expected an object, found an array"},
        {R"({"schema": 1, "schannel_fix": {"enable": ["tls1.2"], "side": "client"}})",
         "schema: expected certforge.probe/2 or certforge.fleet-probe/1, found 1"},
        {R"({"schema": "certforge.fleet-probe/1", "devices": []})", "recommendation: missing"},
        {R"({"schema": "certforge.fleet-probe/1", "recommendation": {"server_os": 3}})",
         "recommendation.server_os: expected a string, found 3"},
        {R"({"schema": "certforge.fleet-probe/1", "recommendation": {"schannel_fix": {}}})",
         "recommendation.schannel_fix.side: missing (client, server or both)"},
        {R"({"speaks_tls": "no", "schannel_fix": {"enable": ["tls1.2"], "side": "client"}})",
         "speaks_tls: expected true or false, found \"no\""},
        {R"({"diagnosis": [{"host": "windows-server-2019", "cases": []}]})",
         "diagnosis[0].os: missing"},
        {R"({"diagnosis": [{"os": "Windows Server 2019", "cases": [{"id": "weak-dh"}]}]})",
         "diagnosis[0].cases[0].case: missing"},
        {R"({"diagnosis": {"os": "Windows Server 2019"}})",
         "diagnosis: expected an array, found an object"},
        {R"({"diagnosis": []})", "diagnosis: empty: the report names no Windows version"},
    }));
    TempDir dir;
    INFO(report);
    const auto refused = from_probe(dir, report);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err ==
          "certforge: error: " + (dir / "report.json").string() + ": " + message + "\n");
    CHECK(refused.out.empty());
    CHECK(certforge::test::listing(dir.path()) == std::vector<std::string>{"report.json"});
}

TEST_CASE("schannel: --from-probe on a file that is not a probe report", "[schannel]") {
    const auto [report, message] = GENERATE(table<std::string, std::string>({
        {"", "not JSON (syntax error at line 1, column 1)"},
        {"hello", "not JSON (syntax error at line 1, column 1)"},
        {"{\n  \"schannel_fix\": {\n    \"side\": client\n", "not JSON (syntax error at line 3, "
                                                             "column 13)"},
        {"{\"schannel_fix\": {\"side\": \"\xff\"}}",
         "not JSON (syntax error at line 1, column 28)"},
        {std::string("{\"a\":\0}", 7), "not JSON (syntax error at line 1, column 6)"},
        {R"({"schannel_fix": {"side": "client", "dh_min_bits": 1e400}})",
         "not JSON that certforge reads (a number too large)"},
        {"[1, 2]", "expected a JSON object (a 'certforge probe --json' report), found an array"},
        {"\"text\"", "expected a JSON object (a 'certforge probe --json' report), found \"text\""},
        {"{}", "neither schannel_fix nor diagnosis: not a 'certforge probe --json' report"},
        {R"({"diagnosis": [{"os": "Windows Server 2016", "cases": []},
                           {"os": "Windows Server 2019", "cases": [{"case": "weak-dh"}]}]})",
         "the probe ran for every Windows version (no --server-os), so the report has no "
         "schannel_fix: probe again with --server-os HOST-PROFILE"},
    }));
    TempDir dir;
    INFO(report);
    const auto refused = from_probe(dir, report);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err ==
          "certforge: error: " + (dir / "report.json").string() + ": " + message + "\n");
    CHECK(certforge::test::listing(dir.path()) == std::vector<std::string>{"report.json"});
}

TEST_CASE("schannel: --from-probe takes DH minimums of 512 and 8192 bits", "[schannel]") {
    TempDir dir;
    const auto low = from_probe(
        dir, R"({"schannel_fix": {"side": "client", "dh_min_bits": 512}, "speaks_tls": true})");
    INFO(low.err);
    CHECK(low.exit_code == 2);
    CHECK_THAT(low.err, Catch::Contains("a Diffie-Hellman minimum of 512 bits"));
    const auto high =
        from_probe(dir, R"({"schannel_fix": {"side": "both", "dh_min_bits": 8192.0}})");
    INFO(high.err);
    REQUIRE(high.exit_code == 0);
    CHECK_THAT(read_text(dir / "fix.reg"),
               Catch::Contains("\"ClientMinKeyBitLength\"=dword:00002000\r\n"));
}

TEST_CASE("schannel: the probe report reader gives InputError and nothing else for any bytes",
          "[schannel]") {
    const std::string report =
        R"({"schema": "certforge.probe/1", "host": "10.0.0.5", "port": 443, "speaks_tls": true,
            "diagnosis": [{"host": "windows-server-2012r2", "os": "Windows Server 2012 R2",
                           "cases": [{"case": "weak-dh", "evidence": "", "fix": "", "risk": ""}]}],
            "schannel_fix": {"enable": ["tls1.0"], "disable": [], "side": "client",
                             "dh_min_bits": 512, "disable_dh": false}})";
    const auto whole = certforge::schannel_change_from_probe(report, "r.json");
    REQUIRE(whole.change);
    CHECK(whole.change->dh_client_min_bits == 512u);
    CHECK(whole.change->side == certforge::SchannelSide::client);

    std::size_t read = 0;
    std::size_t refused = 0;
    std::vector<std::string> bad_messages;
    const auto attempt = [&](const std::string& text) {
        try {
            certforge::schannel_change_from_probe(text, "r.json");
            ++read;
        } catch (const certforge::InputError& e) {
            ++refused;
            const std::string what = e.what();
            if (what.rfind("r.json: ", 0) != 0 || what.find('\n') != std::string::npos) {
                bad_messages.push_back(what);
            }
        }
    };
    for (std::size_t size = 0; size < report.size(); ++size) {
        attempt(report.substr(0, size));
    }
    std::uint32_t state = 12345;
    for (int i = 0; i < 4000; ++i) {
        std::string text = report;
        for (int flips = 0; flips < 3; ++flips) {
            state = state * 1664525u + 1013904223u;
            const std::size_t at = (state >> 8) % text.size();
            state = state * 1664525u + 1013904223u;
            text[at] = static_cast<char>(state >> 24);
        }
        attempt(text);
    }
    CHECK(bad_messages.empty());
    CHECK(read > 0);
    CHECK(refused > report.size());
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("schannel: --from-probe on a real report with nothing to fix writes nothing",
          "[schannel]") {
    TempDir dir;
    certforge::test::OpenSslCert legacy;
    legacy.key = "rsa1024";
    legacy.hash = "sha1";
    const auto cert = certforge::test::openssl_cert(dir, "device", legacy);
    certforge::test::BackgroundProcess peer({CERTFORGE_TLS_PEER, "--cert", cert.string(), "--key",
                                             certforge::test::fixture_key("rsa1024").string(),
                                             "--min", "tls1.2"});
    const std::string line = peer.first_line();
    REQUIRE(line.rfind("listening ", 0) == 0);
    const auto probed = run_certforge({"probe", "127.0.0.1:" + line.substr(10), "--timeout", "3",
                                       "--server-os", "windows-server-2019", "--json"});
    INFO(probed.err);
    REQUIRE(probed.exit_code == 0);
    auto report = nlohmann::json::parse(probed.out);
    REQUIRE_FALSE(report.contains("schannel_fix"));

    TempDir out;
    const auto legacy_only = from_probe(out, report.dump());
    INFO(legacy_only.err);
    CHECK(legacy_only.exit_code == 0);
    CHECK(legacy_only.out ==
          "nothing to change for Windows Server 2019: the probe's cases (device-legacy-crypto) "
          "need no registry change (their fixes are in the report's diagnosis); no file "
          "written\n");
    CHECK(legacy_only.err.empty());
    CHECK(certforge::test::listing(out.path()) == std::vector<std::string>{"report.json"});

    report["diagnosis"][0]["cases"] = nlohmann::json::array();
    const auto clean = from_probe(out, report.dump());
    CHECK(clean.exit_code == 0);
    CHECK(clean.out == "nothing to change for Windows Server 2019: the probe found no known "
                       "failure case; no file written\n");
    CHECK(certforge::test::listing(out.path()) == std::vector<std::string>{"report.json"});

    report["speaks_tls"] = false;
    report["schannel_fix"] = {{"enable", nlohmann::json::array({"tls1.2"})}, {"side", "client"}};
    const auto no_tls = from_probe(out, report.dump());
    CHECK(no_tls.exit_code == 3);
    CHECK(no_tls.err == "certforge: error: " + (out / "report.json").string() +
                            ": the probed endpoint does not speak TLS; nothing to derive\n");
    report["speaks_tls"] = true;
    const auto fixed = from_probe(out, report.dump());
    CHECK(fixed.exit_code == 0);
    CHECK_THAT(read_text(out / "fix.reg"),
               Catch::Contains("Protocols\\TLS 1.2\\Client]\r\n\"Enabled\"=dword:00000001"));
}
#endif

TEST_CASE("schannel: --json prints the change, its risks and the files written",
          "[schannel][json]") {
    TempDir dir;
    const std::string fix = (dir / "fix.reg").string();
    const auto written = run_certforge({"schannel", "--enable", "tls1.0", "--side", "client",
                                        "--dh-min-bits", "1024", "--out", fix, "--json"});
    INFO(written.err);
    REQUIRE(written.exit_code == 0);
    CHECK(written.err.empty());
    CHECK(nlohmann::json::parse(written.out) ==
          nlohmann::json{{"schema", "certforge.schannel/1"},
                         {"from_probe", nullptr},
                         {"change",
                          {{"enable", nlohmann::json::array({"tls1.0"})},
                           {"disable", nlohmann::json::array()},
                           {"side", "client"},
                           {"dh_min_bits", 1024},
                           {"disable_dh", false},
                           {"dotnet_strong_crypto", false}}},
                         {"risks", nlohmann::json::array()},
                         {"safeq_protocol_types", "Tls"},
                         {"reg_file", fix},
                         {"undo_file", (dir / "fix-undo.reg").string()},
                         {"files", nlohmann::json::array({fix, (dir / "fix-undo.reg").string()})},
                         {"nothing_to_change", nullptr}});
    CHECK(read_text(dir / "fix.reg") == as_regedit("tls10-client-dh1024.reg"));
    CHECK(read_text(dir / "fix-undo.reg") == as_regedit("tls10-client-dh1024-undo.reg"));

    // A risky change: refused without --i-understand (nothing on stdout),
    // written with it, its risks on stderr and in the document.
    const std::vector<std::string> risky{
        "schannel", "--disable", "ssl3", "--out", (dir / "narrow.reg").string(), "--json"};
    const auto refused = run_certforge(risky);
    CHECK(refused.exit_code == 2);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Catch::EndsWith("certforge: error: this change carries the risks "
                                            "above; add --i-understand to write it\n"));
    auto understood = risky;
    understood.push_back("--i-understand");
    const auto narrow = run_certforge(understood);
    REQUIRE(narrow.exit_code == 0);
    const auto json = nlohmann::json::parse(narrow.out);
    const std::string risk = "disabling SSL 3.0 narrows the protocol list machine-wide: other "
                             "devices that speak only that can be cut off";
    CHECK(json["risks"] == nlohmann::json::array({risk}));
    CHECK(narrow.err == "certforge: warning: " + risk + "\n");
    CHECK(json["safeq_protocol_types"] == nullptr);
    CHECK(json["change"]["side"] == "both");
    CHECK(json["change"]["disable"] == nlohmann::json::array({"ssl3"}));
}

TEST_CASE("schannel: --from-probe --json, with a change and with nothing to change",
          "[schannel][json]") {
    TempDir dir;
    const std::string report = (dir / "report.json").string();
    certforge::test::write_text(report, R"({"schannel_fix": {"enable": ["tls1.2"],
        "side": "client", "dh_min_bits": null}})");
    const auto fixed = run_certforge(
        {"schannel", "--from-probe", report, "--out", (dir / "fix.reg").string(), "--json"});
    INFO(fixed.err);
    REQUIRE(fixed.exit_code == 0);
    const auto json = nlohmann::json::parse(fixed.out);
    CHECK(json["from_probe"] == report);
    CHECK(json["change"]["enable"] == nlohmann::json::array({"tls1.2"}));
    CHECK(json["change"]["dh_min_bits"] == nullptr);
    CHECK(json["safeq_protocol_types"] == "Tls12");
    CHECK(json["nothing_to_change"] == nullptr);

    TempDir clean;
    const std::string legacy = (clean / "report.json").string();
    certforge::test::write_text(legacy, R"({"speaks_tls": true, "diagnosis": [{
        "os": "Windows Server 2012 R2", "cases": [{"case": "device-legacy-crypto"}]}]})");
    const auto nothing = run_certforge(
        {"schannel", "--from-probe", legacy, "--out", (clean / "fix.reg").string(), "--json"});
    INFO(nothing.err);
    CHECK(nothing.exit_code == 0);
    CHECK(nothing.err.empty());
    CHECK(
        nlohmann::json::parse(nothing.out) ==
        nlohmann::json{
            {"schema", "certforge.schannel/1"},
            {"from_probe", legacy},
            {"change", nullptr},
            {"risks", nlohmann::json::array()},
            {"safeq_protocol_types", nullptr},
            {"reg_file", nullptr},
            {"undo_file", nullptr},
            {"files", nlohmann::json::array()},
            {"nothing_to_change",
             {{"server_os", nlohmann::json::array({"Windows Server 2012 R2"})},
              {"cases", nlohmann::json::array({"device-legacy-crypto"})},
              {"message", "nothing to change for Windows Server 2012 R2: the probe's cases "
                          "(device-legacy-crypto) need no registry change (their fixes are in the "
                          "report's diagnosis); no file written"}}}});
    CHECK(certforge::test::listing(clean.path()) == std::vector<std::string>{"report.json"});

    certforge::test::write_text(legacy, "{}");
    const auto bad = run_certforge(
        {"schannel", "--from-probe", legacy, "--out", (clean / "fix.reg").string(), "--json"});
    CHECK(bad.exit_code == 3);
    CHECK(bad.out.empty());
    CHECK(bad.err == "certforge: error: " + legacy +
                         ": neither schannel_fix nor diagnosis: not a 'certforge probe --json' "
                         "report\n");
}
