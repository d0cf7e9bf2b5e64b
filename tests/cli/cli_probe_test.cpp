// SPDX-License-Identifier: Apache-2.0
// `certforge probe` against local peers that play devices, on loopback only,
// each compared with what nmap's ssl-enum-ciphers reports on the same peer.
#include "support/nmap_ciphers.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <sys/socket.h>
#include <unistd.h>

#if CERTFORGE_TEST_WITH_OPENSSL

using certforge::test::BackgroundProcess;
using certforge::test::CipherMap;
using certforge::test::OpenSslCert;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;

namespace {

CipherMap from_probe(const nlohmann::json& report) {
    CipherMap out;
    for (const auto& v : report["versions"]) {
        if (!v["supported"].get<bool>() || v["version"] == "tls1.3") {
            continue;
        }
        for (const auto& c : v["ciphers"]) {
            out[v["version"].get<std::string>()].insert(
                {c["name"].get<std::string>(), c.value("dh_bits", 0u)});
        }
    }
    return out;
}

CipherMap from_nmap(unsigned port) {
    return certforge::test::nmap_ssl_ciphers({"127.0.0.1"}, port).at("127.0.0.1");
}

nlohmann::json probe(unsigned port, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"probe", "127.0.0.1:" + std::to_string(port), "--timeout", "3",
                                  "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_certforge(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(result.out);
}

std::vector<std::string> supported(const nlohmann::json& report) {
    std::vector<std::string> out;
    for (const auto& v : report["versions"]) {
        if (v["supported"].get<bool>()) {
            out.push_back(v["version"]);
        }
    }
    return out;
}

const nlohmann::json& version(const nlohmann::json& report, const std::string& name) {
    for (const auto& v : report["versions"]) {
        if (v["version"] == name) {
            return v;
        }
    }
    throw std::logic_error("no version " + name);
}

std::vector<std::string> cases_for(const nlohmann::json& report, const std::string& host) {
    std::vector<std::string> out;
    for (const auto& d : report["diagnosis"]) {
        if (d["host"] == host) {
            for (const auto& c : d["cases"]) {
                out.push_back(c["case"]);
            }
        }
    }
    return out;
}

struct Peer {
    std::unique_ptr<BackgroundProcess> process;
    unsigned port = 0;
};

// certforge's own peer (for what openssl s_server cannot play).
Peer own_peer(const std::vector<std::string>& args) {
    std::vector<std::string> argv{CERTFORGE_TLS_PEER};
    argv.insert(argv.end(), args.begin(), args.end());
    Peer peer{std::make_unique<BackgroundProcess>(argv), 0};
    const std::string line = peer.process->first_line();
    REQUIRE(line.rfind("listening ", 0) == 0);
    peer.port = static_cast<unsigned>(std::stoul(line.substr(10)));
    return peer;
}

Peer s_server(const std::vector<std::string>& args) {
    certforge::test::require_tool("openssl", "openssl");
    Peer peer{nullptr, certforge::test::free_port()};
    std::vector<std::string> argv{"openssl", "s_server", "-accept",
                                  "127.0.0.1:" + std::to_string(peer.port), "-quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    peer.process = std::make_unique<BackgroundProcess>(argv);
    REQUIRE(certforge::test::wait_for_port(peer.port));
    return peer;
}

struct Certs {
    TempDir dir;
    std::string legacy_cert;
    std::string modern_cert;
    Certs() {
        OpenSslCert legacy;
        legacy.key = "rsa1024";
        legacy.hash = "sha1";
        legacy.subject = "/CN=print.corp.local";
        legacy_cert = certforge::test::openssl_cert(dir, "legacy", legacy).string();
        OpenSslCert modern;
        modern.subject = "/CN=modern-mfp";
        modern_cert = certforge::test::openssl_cert(dir, "modern", modern).string();
    }
};

std::string fixture(const std::string& name) {
    return certforge::test::fixture_key(name).string();
}

// A certforge run and how long it took.
struct TimedRun {
    certforge::test::RunResult result;
    double seconds = 0;
};

TimedRun timed_certforge(const std::vector<std::string>& args) {
    const auto start = std::chrono::steady_clock::now();
    TimedRun run{run_certforge(args), 0};
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return run;
}

} // namespace

TEST_CASE("probe: TLS 1.0 only with a 512-bit DHE group", "[probe]") {
    Certs certs;
    const Peer peer = own_peer({"--cert", certs.legacy_cert, "--key", fixture("rsa1024"),
                                "--dhparam", fixture("dh512"), "--min", "tls1", "--max", "tls1",
                                "--cipher", "DHE-RSA-AES128-SHA:DHE-RSA-AES256-SHA"});
    const auto report = probe(peer.port);
    CHECK(supported(report) == std::vector<std::string>{"tls1.0"});
    const auto& tls10 = version(report, "tls1.0")["ciphers"];
    REQUIRE(tls10.size() == 2);
    CHECK(tls10[0]["name"] == "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    CHECK(tls10[1]["name"] == "TLS_DHE_RSA_WITH_AES_256_CBC_SHA");
    CHECK(tls10[0]["dh_bits"] == 512);
    CHECK(version(report, "ssl3")["testable"] == false);
    // The peer answers a TLS 1.2 ClientHello with a TLS 1.0 ServerHello and
    // sends no alert: the protocol_version alert is the probe's own.
    CHECK(version(report, "tls1.2")["failure"] == "unsupported protocol");
    const auto cases = cases_for(report, "windows-server-2012r2");
    CHECK(std::find(cases.begin(), cases.end(), "weak-dh") != cases.end());
    CHECK(std::find(cases.begin(), cases.end(), "device-legacy-crypto") != cases.end());
    CHECK(std::find(cases.begin(), cases.end(), "no-common-protocol") == cases.end());
    CHECK(from_probe(report) == from_nmap(peer.port));

    const auto fixed = probe(peer.port, {"--server-os", "windows-server-2012r2"});
    CHECK(fixed["schannel_fix"]["dh_min_bits"] == 512);
}

TEST_CASE("probe: TLS 1.0 with 1024-bit DHE and a SHA-1/1024 certificate", "[probe]") {
    Certs certs;
    const Peer peer =
        s_server({"-tls1", "-cipher", "DHE-RSA-AES128-SHA:@SECLEVEL=0", "-dhparam",
                  fixture("dh1024"), "-cert", certs.legacy_cert, "-key", fixture("rsa1024")});
    const auto report = probe(peer.port, {"--profile", "konica-legacy"});
    CHECK(supported(report) == std::vector<std::string>{"tls1.0"});
    const auto& tls10 = version(report, "tls1.0")["ciphers"];
    REQUIRE(tls10.size() == 1);
    CHECK(tls10[0]["name"] == "TLS_DHE_RSA_WITH_AES_128_CBC_SHA");
    CHECK(tls10[0]["dh_bits"] == 1024);
    CHECK(report["certificates"][0]["signature_hash"] == "sha1");
    CHECK(report["certificates"][0]["key"] == "rsa 1024");
    CHECK(report["verify"]["result"] == "pass");
    const auto cases = cases_for(report, "windows-server-2012r2");
    CHECK(std::find(cases.begin(), cases.end(), "weak-dh") == cases.end());
    CHECK(std::find(cases.begin(), cases.end(), "dhe-broken") != cases.end());
    CHECK(std::find(cases.begin(), cases.end(), "device-legacy-crypto") != cases.end());
    CHECK(from_probe(report) == from_nmap(peer.port));

    TempDir dir;
    const std::string draft = (dir / "probed-mfp.toml").string();
    const auto written = run_certforge({"probe", "127.0.0.1:" + std::to_string(peer.port),
                                        "--timeout", "3", "--write-profile", draft});
    REQUIRE(written.exit_code == 0);
    const auto lint = run_certforge({"profiles", "lint", draft});
    INFO(lint.out);
    CHECK(lint.exit_code == 0);
    const auto shown =
        nlohmann::json::parse(run_certforge({"profiles", "show", draft, "--json"}).out);
    CHECK(shown["tls"]["versions"] == nlohmann::json::array({"tls1.0"}));
    CHECK(shown["tls"]["dh_min_bits"] == 1024);
    CHECK(shown["legacy"] == true);
    CHECK_THAT(shown["sources"][0].get<std::string>(), Catch::StartsWith("probed: "));
}

TEST_CASE("probe: TLS 1.2 only with ECDHE, and the fix for Server 2008 R2", "[probe]") {
    Certs certs;
    const Peer peer =
        s_server({"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256",
                  "-cert", certs.modern_cert, "-key", fixture("rsa2048")});
    const auto report = probe(peer.port, {"--server-os", "windows-server-2008r2"});
    CHECK(supported(report) == std::vector<std::string>{"tls1.2"});
    const auto& tls12 = version(report, "tls1.2")["ciphers"];
    REQUIRE(tls12.size() == 2);
    for (const auto& c : tls12) {
        CHECK(c["kx"] == "ECDHE");
        CHECK_FALSE(c["curve"].get<std::string>().empty());
    }
    CHECK(cases_for(report, "windows-server-2008r2") ==
          std::vector<std::string>{"no-common-protocol"});
    CHECK(report["schannel_fix"]["enable"] == nlohmann::json::array({"tls1.2"}));
    CHECK(from_probe(report) == from_nmap(peer.port));

    TempDir dir;
    certforge::test::write_text(dir / "report.json", report.dump());
    const auto reg = run_certforge({"schannel", "--from-probe", (dir / "report.json").string(),
                                    "--encoding", "ascii", "--out", (dir / "fix.reg").string()});
    REQUIRE(reg.exit_code == 0);
    CHECK_THAT(certforge::test::read_text(dir / "fix.reg"),
               Catch::Contains("Protocols\\TLS 1.2\\Client]\r\n\"Enabled\"=dword:00000001"));
}

TEST_CASE("probe: TLS 1.3 only", "[probe]") {
    Certs certs;
    const Peer peer = s_server({"-tls1_3", "-cert", certs.modern_cert, "-key", fixture("rsa2048")});
    const auto report = probe(peer.port);
    CHECK(supported(report) == std::vector<std::string>{"tls1.3"});
    std::set<std::string> suites;
    for (const auto& c : version(report, "tls1.3")["ciphers"]) {
        suites.insert(c["name"]);
    }
    CHECK(suites == std::set<std::string>{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                                          "TLS_AES_128_GCM_SHA256"});
    CHECK(cases_for(report, "windows-server-2016") ==
          std::vector<std::string>{"no-common-protocol"});
    CHECK(cases_for(report, "windows-server-2022").empty());
    CHECK(from_nmap(peer.port).empty());
}

TEST_CASE("probe: a device that claims TLS 1.2 and answers bad_record_mac", "[probe]") {
    Certs certs;
    const Peer peer = own_peer({"--cert", certs.legacy_cert, "--key", fixture("rsa1024"), "--min",
                                "tls1", "--max", "tls1.2", "--cipher", "AES128-SHA:@SECLEVEL=0",
                                "--bad-record-mac-on-tls12"});
    const auto report = probe(peer.port);
    CHECK(supported(report) == std::vector<std::string>{"tls1.0", "tls1.1"});
    CHECK(version(report, "tls1.2")["failure"] == "alert bad_record_mac");
    const auto cases = cases_for(report, "windows-server-2019");
    CHECK(std::find(cases.begin(), cases.end(), "claims-tls12-bad-record-mac") != cases.end());
    for (const auto& d : report["diagnosis"][0]["cases"]) {
        if (d["case"] == "claims-tls12-bad-record-mac") {
            CHECK_THAT(
                d["fix"].get<std::string>(),
                Catch::Contains("securityProtocolTypesForOutboundCommunication to Tls, Tls11"));
        }
    }
    CHECK(from_probe(report) == from_nmap(peer.port));
}

TEST_CASE("probe: nothing listening, and a host that never answers", "[probe]") {
    const unsigned closed = certforge::test::free_port();
    const auto refused =
        run_certforge({"probe", "127.0.0.1:" + std::to_string(closed), "--timeout", "2"});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err ==
          "certforge: error: 127.0.0.1:" + std::to_string(closed) + ": Connection refused\n");

    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::listen(listener, 4) == 0);
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const std::string port = std::to_string(ntohs(address.sin_port));
    const auto silent = run_certforge({"probe", "127.0.0.1:" + port, "--timeout", "1"});
    ::close(listener);
    CHECK(silent.exit_code == 3);
    CHECK(silent.err == "certforge: error: 127.0.0.1:" + port +
                            ": accepts connections but does not answer a TLS ClientHello within "
                            "1 s\n");

    CHECK(run_certforge({"probe", "127.0.0.1:99999"}).exit_code == 2);
    CHECK(run_certforge({"probe", "::1:443"}).exit_code == 2);
}

TEST_CASE("probe: control characters in the device's certificate do not reach the terminal",
          "[probe]") {
    TempDir dir;
    OpenSslCert spec;
    spec.subject = "/CN=mfp\x1b[2J\x07";
    const auto cert = certforge::test::openssl_cert(dir, "control", spec);
    const auto subject = run({"openssl", "x509", "-in", cert.string(), "-noout", "-subject"});
    REQUIRE_THAT(subject.out, Catch::Contains("\\1B[2J\\07"));
    const Peer peer = own_peer({"--cert", cert.string(), "--key", fixture("rsa2048"), "--min",
                                "tls1.2", "--max", "tls1.2", "--cipher", "AES128-SHA"});
    const auto probed =
        run_certforge({"probe", "127.0.0.1:" + std::to_string(peer.port), "--timeout", "3"});
    INFO(probed.err);
    CHECK(probed.exit_code == 0);
    CHECK_THAT(probed.out, Catch::Contains("  certificate CN=mfp\\x1b[2J\\x07 (rsa 2048 bits"));
    CHECK(probed.out.find('\x1b') == std::string::npos);
    CHECK(probed.out.find('\x07') == std::string::npos);
}

TEST_CASE("probe: a TLS answer that trickles ends at the connection's deadline",
          "[probe][probe-bounds]") {
    const Peer peer = own_peer({"--mode", "stall"});
    const std::string target = "127.0.0.1:" + std::to_string(peer.port);
    const auto probed = timed_certforge({"probe", target, "--timeout", "1"});
    INFO(probed.result.out << probed.result.err);
    CHECK(probed.result.exit_code == 3);
    CHECK(probed.result.out.empty());
    CHECK(probed.result.err == "certforge: error: " + target +
                                   ": began a TLS answer but did not end the handshake within 1 "
                                   "s\n");
    CHECK(probed.seconds >= 0.9);
    CHECK(probed.seconds < 4);
}

TEST_CASE("probe: a device slower than --max-time ends at the probe's deadline",
          "[probe][probe-bounds]") {
    Certs certs;
    const Peer peer = own_peer(
        {"--cert", certs.modern_cert, "--key", fixture("rsa2048"), "--handshake-delay", "250"});
    const std::string target = "127.0.0.1:" + std::to_string(peer.port);
    const auto probed = timed_certforge({"probe", target, "--timeout", "2", "--max-time", "2"});
    INFO(probed.result.out << probed.result.err);
    CHECK(probed.result.exit_code == 3);
    CHECK(probed.result.out.empty());
    const std::regex expected("certforge: error: " + target +
                              R"(: the probe did not end within its overall limit of 2 s \(\d+ )"
                              R"(handshakes completed\): the device answers slowly\n)");
    CHECK(std::regex_match(probed.result.err, expected));
    CHECK(probed.seconds >= 1.9);
    CHECK(probed.seconds < 4);

    const auto help = run_certforge({"probe", "--help"});
    CHECK_THAT(help.out, Catch::Contains("--max-time"));
    CHECK(run_certforge({"probe", target, "--max-time", "0.5"}).exit_code == 2);
}

TEST_CASE("probe: an endpoint that does not speak TLS", "[probe][probe-not-tls]") {
    const std::map<std::string, std::string> cases{
        {"http", "it answered \"HTTP/1.1 400 Bad Request\""},
        {"garbage", "it answered bytes that are not TLS: 8f 1b 5b 32 4a 07 00 ff 0d 0a 41 42 e2 80 "
                    "ae 7f ..."},
        {"close", "it closed each connection without answering"}};
    for (const auto& [mode, answer] : cases) {
        INFO(mode);
        const Peer peer = own_peer({"--mode", mode});
        const std::string target = "127.0.0.1:" + std::to_string(peer.port);
        const auto probed = timed_certforge({"probe", target, "--timeout", "2"});
        INFO(probed.result.out << probed.result.err);
        CHECK(probed.result.exit_code == 3);
        CHECK(probed.result.out.empty());
        CHECK(probed.result.err ==
              "certforge: error: " + target + " does not speak TLS: " + answer + "\n");
        CHECK(probed.seconds < 3);
    }

    const Peer web = own_peer({"--mode", "http"});
    const std::string target = "127.0.0.1:" + std::to_string(web.port);
    const auto s_client = run({"openssl", "s_client", "-connect", target, "-brief"}, {}, "Q\n");
    INFO(s_client.err);
    CHECK(s_client.exit_code != 0);
    CHECK_THAT(s_client.err, Catch::Contains("wrong version number"));

    const auto json = run_certforge({"probe", target, "--timeout", "2", "--json"});
    CHECK(json.exit_code == 3);
    CHECK(json.err == "certforge: error: " + target +
                          " does not speak TLS: it answered \"HTTP/1.1 400 Bad Request\"\n");
    const auto report = nlohmann::json::parse(json.out);
    CHECK(report["schema"] == "certforge.probe/2");
    CHECK(report["speaks_tls"] == false);
    CHECK(report["answer"]["kind"] == "http");
    CHECK(report["answer"]["excerpt"] == "HTTP/1.1 400 Bad Request");
    CHECK(report["versions"].empty());
    CHECK(report["diagnosis"].empty());
}

#endif

#if !CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("probe: a build without OpenSSL says it cannot probe", "[probe]") {
    const auto refused = certforge::test::run_certforge({"probe", "127.0.0.1:443"});
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains("the probe is OpenSSL's TLS client, and this build has "
                                            "no OpenSSL backend"));
}
#endif
