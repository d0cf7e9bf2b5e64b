// SPDX-License-Identifier: Apache-2.0
// `certforge probe --targets` against a loopback fleet (certforge_tls_fleet:
// every device personality at once on 127.0.x.y addresses, one port):
// each device's status and versions, agreement with nmap's
// ssl-enum-ciphers on versions and suites for every TLS device, who breaks
// under each candidate change, the recommended change as `schannel
// --from-probe` writes it, the same results at --jobs 1 and --jobs 64, the
// deadlines on a slow fleet, and the targets file's errors.
#include "support/nmap_ciphers.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#if CERTFORGE_TEST_WITH_OPENSSL

using certforge::test::BackgroundProcess;
using certforge::test::CipherMap;
using certforge::test::OpenSslCert;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using nlohmann::json;

namespace {

const std::vector<std::string> kPersonalities{"legacy-dhe1024", "dh512", "bad-record-mac",
                                              "ecdhe-tls12",    "tls13", "closed",
                                              "silent",         "http"};

// A running loopback fleet, one device per personality (or `personalities`)
// on 127.0.NET.1, .2, ...; its targets file names each device after its
// personality.
struct LoopbackFleet {
    TempDir dir;
    std::unique_ptr<BackgroundProcess> process;
    unsigned port = 0;
    std::vector<std::string> addresses;
    std::string targets;

    LoopbackFleet(int net, const std::vector<std::string>& personalities, long delay_ms = 0) {
        OpenSslCert legacy;
        legacy.key = "rsa1024";
        legacy.hash = "sha1";
        const auto legacy_cert = certforge::test::openssl_cert(dir, "legacy", legacy);
        OpenSslCert modern;
        modern.subject = "/CN=modern-mfp";
        const auto modern_cert = certforge::test::openssl_cert(dir, "modern", modern);
        std::string list;
        for (std::size_t i = 0; i < personalities.size(); ++i) {
            addresses.push_back("127.0." + std::to_string(net) + "." + std::to_string(i + 1));
            list += addresses.back() + " " + personalities[i] + "\n";
        }
        certforge::test::write_text(dir / "devices.txt", list);
        process = std::make_unique<BackgroundProcess>(std::vector<std::string>{
            CERTFORGE_TLS_FLEET, "--devices", (dir / "devices.txt").string(), "--cert",
            modern_cert.string(), "--key", fixture("rsa2048"), "--legacy-cert",
            legacy_cert.string(), "--legacy-key", fixture("rsa1024"), "--dh512", fixture("dh512"),
            "--dh1024", fixture("dh1024"), "--delay", std::to_string(delay_ms), "--lifetime",
            "240"});
        const std::string line = process->first_line();
        REQUIRE(line.rfind("listening ", 0) == 0);
        port = static_cast<unsigned>(std::stoul(line.substr(10)));
        std::string text = "# the loopback fleet\n";
        for (std::size_t i = 0; i < personalities.size(); ++i) {
            text += addresses[i] + ":" + std::to_string(port) + " " + personalities[i] + "\n";
        }
        targets = (dir / "targets.txt").string();
        certforge::test::write_text(targets, text);
    }

    static std::string fixture(const std::string& name) {
        return certforge::test::fixture_key(name).string();
    }
};

json fleet_probe(const std::string& targets, const std::vector<std::string>& extra,
                 int expected_exit = 1) {
    std::vector<std::string> args{"probe", "--targets", targets, "--timeout", "2", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_certforge(args);
    INFO(result.err);
    REQUIRE(result.exit_code == expected_exit);
    return json::parse(result.out);
}

const json& device(const json& fleet, const std::string& id) {
    for (const auto& d : fleet["devices"]) {
        if (d["id"] == id) {
            return d;
        }
    }
    throw std::logic_error("no device " + id);
}

std::vector<std::string> supported(const json& d) {
    std::vector<std::string> out;
    for (const auto& v : d["report"]["versions"]) {
        if (v["supported"].get<bool>()) {
            out.push_back(v["version"]);
        }
    }
    return out;
}

const json& column(const json& fleet, const std::string& change) {
    for (const auto& c : fleet["matrix"]) {
        if (c["change"] == change) {
            return c;
        }
    }
    throw std::logic_error("no column " + change);
}

std::set<std::string> ids_in(const json& list) {
    std::set<std::string> out;
    for (const auto& item : list) {
        out.insert(item.is_string() ? item.get<std::string>() : item["id"].get<std::string>());
    }
    return out;
}

CipherMap from_report(const json& d) {
    CipherMap out;
    for (const auto& v : d["report"]["versions"]) {
        if (!v["supported"].get<bool>() || v["version"] == "tls1.3") {
            continue;
        }
        for (const auto& c : v["ciphers"]) {
            out[v["version"]].insert({c["name"].get<std::string>(), c.value("dh_bits", 0u)});
        }
    }
    return out;
}

// The document without what depends on the time and on --jobs.
json without_timing(json fleet) {
    fleet.erase("seconds");
    fleet.erase("jobs");
    for (auto& d : fleet["devices"]) {
        d.erase("seconds");
        if (d.contains("drafted_profile")) {
            d["drafted_profile"].erase("toml"); // names the time of the probe
        }
    }
    return fleet;
}

} // namespace

TEST_CASE("fleet probe: every personality, nmap's view, who breaks and the fix", "[probe][fleet]") {
    LoopbackFleet fleet(101, kPersonalities);
    const json report = fleet_probe(fleet.targets, {"--server-os", "windows-server-2019"});
    CHECK(report["baseline"] == "windows-server-2019");
    CHECK(report["summary"] == json{{"devices", 8},
                                    {"probed", 5},
                                    {"not_tls", 1},
                                    {"unreachable", 2},
                                    {"working_today", 2}});

    CHECK(supported(device(report, "legacy-dhe1024")) == std::vector<std::string>{"tls1.0"});
    CHECK(supported(device(report, "dh512")) ==
          std::vector<std::string>{"tls1.0", "tls1.1", "tls1.2"});
    CHECK(supported(device(report, "bad-record-mac")) ==
          std::vector<std::string>{"tls1.0", "tls1.1"});
    CHECK(supported(device(report, "ecdhe-tls12")) == std::vector<std::string>{"tls1.2"});
    CHECK(supported(device(report, "tls13")) == std::vector<std::string>{"tls1.3"});
    CHECK(device(report, "closed")["status"] == "unreachable");
    CHECK_THAT(device(report, "closed")["error"].get<std::string>(), Catch::Contains("refused"));
    CHECK(device(report, "silent")["status"] == "unreachable");
    CHECK_THAT(device(report, "silent")["error"].get<std::string>(),
               Catch::Contains("does not answer a TLS ClientHello within 2 s"));
    CHECK(device(report, "http")["status"] == "not-tls");
    CHECK(device(report, "http")["report"]["answer"]["kind"] == "http");
    CHECK(device(report, "dh512")["drafted_profile"]["id"] == "probed-dh512");
    CHECK_THAT(device(report, "legacy-dhe1024")["drafted_profile"]["toml"].get<std::string>(),
               Catch::Contains("versions = [\"tls1.0\"]"));

    const auto nmap = certforge::test::nmap_ssl_ciphers(fleet.addresses, fleet.port);
    for (std::size_t i = 0; i < 5; ++i) {
        INFO(kPersonalities[i]);
        CHECK(from_report(device(report, kPersonalities[i])) == nmap.at(fleet.addresses[i]));
    }

    CHECK(ids_in(column(report, "baseline")["breaks"]) ==
          std::set<std::string>{"dh512", "bad-record-mac", "tls13"});
    CHECK(ids_in(column(report, "disable-tls1.0")["breaks"]) ==
          std::set<std::string>{"legacy-dhe1024", "dh512", "bad-record-mac", "tls13"});
    CHECK(ids_in(column(report, "dh-min-2048")["breaks"]) ==
          std::set<std::string>{"legacy-dhe1024", "dh512", "bad-record-mac", "tls13"});
    CHECK(ids_in(column(report, "disable-dhe")["breaks"]) ==
          std::set<std::string>{"legacy-dhe1024", "dh512", "bad-record-mac", "tls13"});
    CHECK(ids_in(column(report, "windows-server-2008r2")["breaks"]) ==
          std::set<std::string>{"dh512", "ecdhe-tls12", "tls13"});
    CHECK(ids_in(column(report, "windows-server-2022")["breaks"]) ==
          std::set<std::string>{"dh512", "bad-record-mac"});
    CHECK(ids_in(column(report, "windows-server-2025")["breaks"]) ==
          std::set<std::string>{"legacy-dhe1024", "dh512", "bad-record-mac"});
    CHECK(ids_in(column(report, "sha256-rsa2048-certificate")["risk"]) ==
          std::set<std::string>{"legacy-dhe1024"});

    const json& rec = report["recommendation"];
    CHECK(rec["keeps"] == 3);
    CHECK(rec["of"] == 5);
    CHECK(ids_in(rec["breaking"]) == std::set<std::string>{"bad-record-mac", "tls13"});
    CHECK(rec["settings"]["versions"] == json::array({"tls1.0", "tls1.2"}));
    CHECK(rec["schannel_fix"]["dh_min_bits"] == 512);
    CHECK(rec["schannel_fix"]["disable"] == json::array({"tls1.1"}));

    TempDir out;
    certforge::test::write_text(out / "fleet.json", report.dump());
    const auto refused = run_certforge({"schannel", "--from-probe", (out / "fleet.json").string(),
                                        "--out", (out / "fix.reg").string()});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("add --i-understand"));
    const auto reg =
        run_certforge({"schannel", "--from-probe", (out / "fleet.json").string(), "--encoding",
                       "ascii", "--i-understand", "--out", (out / "fix.reg").string()});
    INFO(reg.err);
    REQUIRE(reg.exit_code == 0);
    const std::string text = certforge::test::read_text(out / "fix.reg");
    CHECK_THAT(text, Catch::Contains("\"ClientMinKeyBitLength\"=dword:00000200"));
    CHECK_THAT(text, Catch::Contains("Protocols\\TLS 1.1\\Client]\r\n\"Enabled\"=dword:00000000"));

    // The text form names the same devices.
    const auto shown = run_certforge({"probe", "--targets", fleet.targets, "--timeout", "2",
                                      "--server-os", "windows-server-2019"});
    CHECK(shown.exit_code == 1);
    CHECK_THAT(shown.out, Catch::Contains("8 devices: 5 probed, 1 not TLS, 2 unreachable"));
    CHECK_THAT(shown.out, Catch::Contains("disable TLS 1.0"));
    CHECK_THAT(shown.out, Catch::Contains("Recommended for Windows Server 2019 (keeps 3 of 5 "
                                          "probed devices working):\n  TLS 1.0, TLS 1.2; DH "
                                          "minimum 512 bits"));
}

TEST_CASE("fleet probe: the same results at --jobs 1 and --jobs 64", "[probe][fleet]") {
    LoopbackFleet fleet(102, kPersonalities);
    const json one = fleet_probe(fleet.targets, {"--jobs", "1"});
    const json many = fleet_probe(fleet.targets, {"--jobs", "64"});
    CHECK(one["jobs"] == 1);
    CHECK(many["jobs"] == 8); // no more workers than devices
    CHECK(without_timing(one) == without_timing(many));
}

TEST_CASE("fleet probe: profiles from a CSV targets file", "[probe][fleet]") {
    LoopbackFleet fleet(103, {"legacy-dhe1024", "ecdhe-tls12"});
    const std::string port = std::to_string(fleet.port);
    const std::string csv = (fleet.dir / "targets.csv").string();
    certforge::test::write_text(csv, "id,address,profile\n"
                                     "km-bizhub," +
                                         fleet.addresses[0] + ":" + port +
                                         ",konica-legacy\n"
                                         "hp-m608," +
                                         fleet.addresses[1] + ":" + port + ",\n");
    const json report = fleet_probe(csv, {"--server-os", "windows-server-2019"});
    const json& km = device(report, "km-bizhub");
    CHECK(km["profile"] == "konica-legacy");
    CHECK(km["fits"] == true);
    CHECK_FALSE(km.contains("drafted_profile"));
    CHECK(device(report, "hp-m608")["profile"].is_null());
    // konica-legacy says the firmware breaks on DHE, and this device offers only DHE.
    const json& today = column(report, "baseline");
    CHECK(ids_in(today["breaks"]) == std::set<std::string>{"km-bizhub"});
    CHECK_THAT(today["breaks"][0]["reason"].get<std::string>(),
               Catch::Contains("its profile 'konica-legacy' says this firmware breaks on DHE"));
    CHECK(ids_in(column(report, "sha256-rsa2048-certificate")["breaks"]) ==
          std::set<std::string>{"km-bizhub"});
}

TEST_CASE("fleet probe: a slow fleet ends within the per-device limit", "[probe][fleet]") {
    // 300 ms before each handshake: the legacy device needs about five
    // connections, more than a 1 s --max-time allows.
    LoopbackFleet fleet(104, {"legacy-dhe1024", "ecdhe-tls12", "silent", "tls13"}, 300);
    const auto start = std::chrono::steady_clock::now();
    const json report = fleet_probe(fleet.targets, {"--max-time", "1", "--jobs", "4"});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 10);
    for (const auto& d : report["devices"]) {
        INFO(d.dump());
        CHECK(d["status"] == "unreachable");
        CHECK(d["seconds"].get<double>() < 4);
    }
    CHECK_THAT(device(report, "legacy-dhe1024")["error"].get<std::string>(),
               Catch::Contains("did not end within its overall limit of 1 s"));
}

TEST_CASE("fleet probe: a progress line on a terminal, none in a pipe", "[probe][fleet]") {
    certforge::test::require_tool("script", "bsdutils");
    TempDir dir;
    const std::string targets = (dir / "t.txt").string();
    certforge::test::write_text(
        targets, "127.0.0.1:" + std::to_string(certforge::test::free_port()) +
                     " a\n127.0.0.1:" + std::to_string(certforge::test::free_port()) + " b\n");
    const std::string command = std::string(CERTFORGE_BINARY) + " probe --targets " + targets;
    const auto terminal = run({"script", "-qec", command, "/dev/null"});
    CHECK(terminal.exit_code == 1);
    CHECK_THAT(terminal.out, Catch::Contains("probing: 2 of 2 done, 0 at work, 2 unreachable"));
    const auto piped = run_certforge({"probe", "--targets", targets});
    CHECK(piped.exit_code == 1);
    CHECK(piped.err.find("probing:") == std::string::npos);
    CHECK_THAT(piped.out, Catch::Contains("2 devices: 0 probed, 0 not TLS, 2 unreachable"));
}

TEST_CASE("fleet probe: bad targets files and options", "[probe][fleet]") {
    TempDir dir;
    certforge::test::write_text(dir / "t.txt", "127.0.0.1:443 a\n127.0.0.1:99999 b\n");
    auto result = run_certforge({"probe", "--targets", (dir / "t.txt").string()});
    CHECK(result.exit_code == 3);
    CHECK(result.err ==
          "certforge: error: " + (dir / "t.txt").string() + ":2: '99999' is not a port number\n");

    certforge::test::write_text(dir / "t.csv", "id,address,profile\nx,127.0.0.1,no-such\n");
    result = run_certforge({"probe", "--targets", (dir / "t.csv").string()});
    CHECK(result.exit_code == 3);
    CHECK_THAT(result.err,
               Catch::StartsWith("certforge: error: " + (dir / "t.csv").string() + ":2: "));
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);

    result = run_certforge({"probe"});
    CHECK(result.exit_code == 2);
    CHECK_THAT(result.err, Catch::Contains("name the device to probe (HOST:PORT) or a fleet "
                                           "(--targets FILE)"));
    result = run_certforge({"probe", "--targets", (dir / "t.txt").string(), "--sni", "x"});
    CHECK(result.exit_code == 2);
    result = run_certforge({"probe", "127.0.0.1:443", "--targets", (dir / "t.txt").string()});
    CHECK(result.exit_code == 2);
    result = run_certforge({"probe", "127.0.0.1:443", "--jobs", "4"});
    CHECK(result.exit_code == 2);
    result = run_certforge({"probe", "--targets", (dir / "none.txt").string()});
    CHECK(result.exit_code == 3);
    CHECK_THAT(result.err, Catch::Contains("none.txt: no such file"));
}

#endif
