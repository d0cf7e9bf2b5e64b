// SPDX-License-Identifier: Apache-2.0
// The fleet probe's pure parts: the targets file in its three formats and
// its errors (file:line, word for word), and the model of which device a
// Terminal Server setting breaks (fleet_model.hpp), from constructed probe
// reports: each reason word for word, the candidate columns and the
// recommended change.
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/fleet_model.hpp"
#include "certforge/path_text.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace certforge;
using certforge::test::TempDir;
using certforge::test::write_text;

namespace {

std::vector<FleetTarget> targets_from(const std::string& name, const std::string& text) {
    TempDir dir;
    write_text(dir / name, text);
    return read_fleet_targets(dir / name);
}

std::string error_from(const std::string& name, const std::string& text) {
    TempDir dir;
    write_text(dir / name, text);
    try {
        read_fleet_targets(dir / name);
    } catch (const InputError& e) {
        const std::string prefix = path_text(dir / name);
        const std::string message = e.what();
        REQUIRE(message.rfind(prefix, 0) == 0);
        return message.substr(prefix.size());
    }
    FAIL("no error for " << text);
    return {};
}

AcceptedCipher cipher(const std::string& name, const std::string& kx, unsigned dh_bits = 0) {
    return {name, "", kx, dh_bits, ""};
}

VersionResult works(TlsVersion version, std::vector<AcceptedCipher> ciphers) {
    return {version, true, true, "", std::move(ciphers)};
}

VersionResult fails(TlsVersion version, const std::string& why) {
    return {version, true, false, why, {}};
}

// A report with every version: those not in `results` fail as unsupported.
ProbeReport report(std::vector<VersionResult> results) {
    ProbeReport r;
    for (auto v : {TlsVersion::ssl3, TlsVersion::tls1_0, TlsVersion::tls1_1, TlsVersion::tls1_2,
                   TlsVersion::tls1_3}) {
        const auto found = std::find_if(results.begin(), results.end(),
                                        [&](const VersionResult& x) { return x.version == v; });
        r.versions.push_back(found != results.end() ? *found : fails(v, "unsupported protocol"));
    }
    return r;
}

ServerSettings server(std::vector<TlsVersion> versions, unsigned dh_min = 1024, bool dhe = true) {
    ServerSettings s;
    s.versions = std::move(versions);
    s.dh_min_bits = dh_min;
    s.dhe = dhe;
    return s;
}

const auto kTls10 = TlsVersion::tls1_0;
const auto kTls11 = TlsVersion::tls1_1;
const auto kTls12 = TlsVersion::tls1_2;
const auto kTls13 = TlsVersion::tls1_3;

// The fleet of the CLI test, as reports.
struct Fleet {
    ProbeReport legacy_dhe1024 =
        report({works(kTls10, {cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 1024)})});
    ProbeReport dh512 =
        report({works(kTls10, {cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 512)}),
                works(kTls11, {cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 512)}),
                works(kTls12, {cipher("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "DHE", 512)})});
    ProbeReport bad_record_mac =
        report({works(kTls10, {cipher("TLS_RSA_WITH_AES_128_CBC_SHA", "RSA")}),
                works(kTls11, {cipher("TLS_RSA_WITH_AES_128_CBC_SHA", "RSA")}),
                fails(kTls12, "alert bad_record_mac")});
    ProbeReport ecdhe =
        report({works(kTls12, {cipher("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE")})});
    ProbeReport tls13 = report({works(kTls13, {cipher("TLS_AES_256_GCM_SHA384", "TLS1.3")})});
    std::vector<CertInfo> no_chain;
};

DeviceVerdict verdict(const ProbeReport& r, const ServerSettings& s,
                      const Profile* profile = nullptr) {
    static const std::vector<CertInfo> none;
    return evaluate({&r, &none, profile}, s);
}

} // namespace

TEST_CASE("fleet targets: a plain list, CSV and TOML give the same targets", "[fleet]") {
    const auto list = targets_from("devices.txt", "# site Brno\n"
                                                  "10.1.2.50:443 km-3rd-floor\n"
                                                  "\n"
                                                  "mfd.corp.local   # port 443\n"
                                                  "[fd00::7]:8443 ricoh\n");
    REQUIRE(list.size() == 3);
    CHECK(list[0].id == "km-3rd-floor");
    CHECK(list[0].target.host == "10.1.2.50");
    CHECK(list[0].target.port == 443);
    CHECK(list[0].line == 2);
    CHECK(list[1].id == "mfd.corp.local:443");
    CHECK(list[1].line == 4);
    CHECK(list[2].id == "ricoh");
    CHECK(list[2].target.host == "fd00::7");
    CHECK(list[2].target.port == 8443);

    const auto csv = targets_from("devices.csv", "id,address,sni,profile\r\n"
                                                 "km-3rd-floor,10.1.2.50:443,,konica-legacy\r\n"
                                                 "\"ricoh, 2nd\",[fd00::7]:8443,ricoh.corp,\r\n");
    REQUIRE(csv.size() == 2);
    CHECK(csv[0].profile == "konica-legacy");
    CHECK(csv[1].id == "ricoh, 2nd");
    CHECK(csv[1].target.sni == "ricoh.corp");
    CHECK(csv[1].line == 3);

    const auto toml = targets_from("devices.toml", "[[device]]\n"
                                                   "id = \"km\"\n"
                                                   "address = \"10.1.2.50\"\n"
                                                   "profile = \"konica-legacy\"\n"
                                                   "\n"
                                                   "[[device]]\n"
                                                   "address = \"10.1.2.51:8443\"\n"
                                                   "sni = \"mfd\"\n");
    REQUIRE(toml.size() == 2);
    CHECK(toml[0].id == "km");
    CHECK(toml[0].profile == "konica-legacy");
    CHECK(toml[1].id == "10.1.2.51:8443");
    CHECK(toml[1].target.sni == "mfd");
    CHECK(toml[1].line == 6);
}

TEST_CASE("fleet targets: each bad line is named with its file and line", "[fleet]") {
    CHECK(error_from("d.txt", "10.0.0.1\n10.0.0.2:99999\n") == ":2: '99999' is not a port number");
    CHECK(error_from("d.txt", "10.0.0.1 a b\n") ==
          ":1: expected HOST[:PORT] [NAME]; a name has no blanks");
    CHECK(error_from("d.txt", "10.0.0.1 km\n10.0.0.2 km\n") ==
          ":2: 'km' is listed twice (first on line 1)");
    CHECK(error_from("d.txt", "fd00::1\n") ==
          ":1: 'fd00::1': put an IPv6 address in brackets: [fd00::1]:443");
    CHECK(error_from("d.txt", "# nothing\n") == ": no target in the file");
    CHECK(error_from("d.csv", "id,adress\nkm,10.0.0.1\n") ==
          ":1: unknown column 'adress' (known: id, address, sni, profile)");
    CHECK(error_from("d.csv", "id,sni\nkm,x\n") == ":1: no 'address' column");
    CHECK(error_from("d.csv", "id,address\nkm,10.0.0.1,extra\n") ==
          ":2: 3 cells, but the header names 2 columns");
    CHECK(error_from("d.csv", "id,address\n\"km,10.0.0.1\n") == ":2: a quoted cell is not closed");
    CHECK(error_from("d.toml", "[[device]]\naddress = 443\n") == ":2: 'address' must be a string");
    CHECK(error_from("d.toml", "[[device]]\nadress = \"x\"\n") ==
          ":2: unknown key 'adress' (known: id, address, sni, profile)");
    CHECK(error_from("d.toml", "[[devices]]\naddress = \"x\"\n") ==
          ":1: unknown key 'devices': devices go in [[device]] tables");
    CHECK(error_from("d.toml", "[[device]]\nid = \"x\"\n") == ":1: no address (HOST[:PORT])");
    CHECK(error_from("d.txt", std::string("10.0.0.1 km\x1b[2J\n")) ==
          ":1: the name has a control character");
}

TEST_CASE("fleet model: the version a device answers, and why it breaks", "[fleet]") {
    const Fleet f;
    const auto w2019 = server({kTls10, kTls11, kTls12});
    CHECK(verdict(f.legacy_dhe1024, w2019).verdict == Verdict::works);
    CHECK(verdict(f.ecdhe, w2019).verdict == Verdict::works);
    CHECK(verdict(f.dh512, w2019).reason == "on TLS 1.2 the device picks "
                                            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA with a 512-bit DH "
                                            "group; the server's minimum is 1024");
    CHECK(verdict(f.bad_record_mac, w2019).reason ==
          "the device answers TLS 1.2 and then fails (alert bad_record_mac)");
    CHECK(verdict(f.tls13, w2019).reason ==
          "no common protocol: the device speaks TLS 1.3; the server enables TLS 1.0, TLS 1.1, "
          "TLS 1.2");
    CHECK(verdict(f.tls13, server({kTls12, kTls13})).verdict == Verdict::works);

    // Without TLS 1.0 the legacy device has no common version; without
    // TLS 1.1 a TLS 1.0-1.1 device answers 1.1, which SChannel refuses.
    CHECK(verdict(f.legacy_dhe1024, server({kTls11, kTls12})).reason ==
          "no common protocol: the device speaks TLS 1.0; the server enables TLS 1.1, TLS 1.2");
    CHECK(verdict(f.bad_record_mac, server({kTls10, kTls11})).verdict == Verdict::works);
    CHECK(verdict(f.bad_record_mac, server({kTls10})).verdict == Verdict::works);
    CHECK(verdict(f.bad_record_mac, server({kTls10, kTls12})).reason ==
          "the device answers TLS 1.2 and then fails (alert bad_record_mac)");
    const auto gap = report({works(kTls10, {cipher("TLS_RSA_WITH_AES_128_CBC_SHA", "RSA")}),
                             works(kTls11, {cipher("TLS_RSA_WITH_AES_128_CBC_SHA", "RSA")})});
    CHECK(verdict(gap, server({kTls10, kTls12})).reason ==
          "the device answers TLS 1.1, which the server has disabled");

    // DH: the minimum, and DHE off.
    CHECK(verdict(f.legacy_dhe1024, server({kTls10}, 2048)).reason ==
          "on TLS 1.0 the device picks TLS_DHE_RSA_WITH_AES_128_CBC_SHA with a 1024-bit DH "
          "group; the server's minimum is 2048");
    CHECK(verdict(f.legacy_dhe1024, server({kTls10}, 1024, false)).reason ==
          "on TLS 1.0 the device accepts only DHE suites, and the server has Diffie-Hellman off");
    const auto mixed =
        report({works(kTls12, {cipher("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "DHE", 512),
                               cipher("TLS_RSA_WITH_AES_128_GCM_SHA256", "RSA")})});
    CHECK(verdict(mixed, server({kTls12})).verdict == Verdict::breaks);
    CHECK(verdict(mixed, server({kTls12}, 1024, false)).verdict == Verdict::works);

    // The profile's word: this firmware breaks on DHE.
    Profile konica;
    konica.id = "konica-legacy";
    konica.tls.dhe_broken = true;
    CHECK(verdict(f.legacy_dhe1024, server({kTls10}), &konica).reason ==
          "on TLS 1.0 the device picks TLS_DHE_RSA_WITH_AES_128_CBC_SHA, and its profile "
          "'konica-legacy' says this firmware breaks on DHE");
    CHECK(verdict(f.ecdhe, server({})).reason == "the server enables no protocol version");
}

TEST_CASE("fleet model: a SHA-256/RSA-2048 server certificate", "[fleet]") {
    const Fleet f;
    auto s = server({kTls10, kTls12});
    s.modern_certificate = true;
    Profile legacy;
    legacy.id = "konica-legacy";
    legacy.signature.hashes = {HashAlgorithm::sha1};
    legacy.key.rsa_bits = {1024};
    CHECK(verdict(f.legacy_dhe1024, s, &legacy).reason ==
          "its profile 'konica-legacy' does not take a SHA-256/RSA-2048 certificate");
    const Profile modern;
    CHECK(verdict(f.legacy_dhe1024, s, &modern).verdict == Verdict::works);
    CertInfo weak;
    weak.signature_hash = HashAlgorithm::sha1;
    weak.key_algorithm = KeyAlgorithm::rsa;
    weak.key_bits = 1024;
    const std::vector<CertInfo> chain{weak};
    const auto risky = evaluate({&f.legacy_dhe1024, &chain, nullptr}, s);
    CHECK(risky.verdict == Verdict::risk);
    CHECK(risky.reason == "its own certificate is sha1 with rsa 1024 bits: this firmware may "
                          "refuse a SHA-256/RSA-2048 one");
    // Without the certificate column the same device simply works.
    s.modern_certificate = false;
    CHECK(evaluate({&f.legacy_dhe1024, &chain, nullptr}, s).verdict == Verdict::works);
}

TEST_CASE("fleet model: the columns and the recommended change", "[fleet]") {
    Profile w2019;
    w2019.id = "windows-server-2019";
    w2019.kind = ProfileKind::host;
    w2019.host.os = "Windows Server 2019";
    w2019.tls.versions = {"tls1.0", "tls1.1", "tls1.2"};
    w2019.tls.dh_min_bits = 1024;
    Profile w2025 = w2019;
    w2025.id = "windows-server-2025";
    w2025.host.os = "Windows Server 2025";
    w2025.tls.versions = {"tls1.2", "tls1.3"};

    const auto columns = candidate_changes(w2019, {w2019, w2025});
    std::vector<std::string> ids;
    for (const auto& c : columns) {
        ids.push_back(c.id);
    }
    CHECK(ids == std::vector<std::string>{"baseline", "disable-tls1.0", "disable-tls1.1",
                                          "dh-min-2048", "disable-dhe", "windows-server-2019",
                                          "windows-server-2025", "sha256-rsa2048-certificate"});
    CHECK(columns[1].settings.versions == std::vector<TlsVersion>{kTls11, kTls12});
    CHECK(columns[3].settings.dh_min_bits == 2048);
    CHECK_FALSE(columns[4].settings.dhe);
    CHECK(columns.back().settings.modern_certificate);

    const Fleet f;
    const std::vector<CertInfo> none;
    // Everything works on the 2019 defaults but TLS 1.1 is needed by nobody
    // and TLS 1.0 by the legacy device: the change disables TLS 1.1 only.
    std::vector<DeviceEvidence> fleet{{&f.legacy_dhe1024, &none, nullptr},
                                      {&f.ecdhe, &none, nullptr}};
    auto rec = recommend(fleet, settings_of(w2019));
    CHECK(rec.breaking.empty());
    CHECK(rec.settings.versions == std::vector<TlsVersion>{kTls10, kTls12});
    CHECK(rec.settings.dh_min_bits == 1024);
    REQUIRE(rec.change);
    CHECK(rec.change->disable == std::vector<TlsVersion>{kTls11});
    CHECK(rec.change->enable.empty());
    CHECK_FALSE(rec.change->dh_client_min_bits);
    CHECK(rec.change->side == SchannelSide::client);

    // Without the legacy device DH can go to 2048 and TLS 1.0 off.
    fleet = {{&f.ecdhe, &none, nullptr}};
    rec = recommend(fleet, settings_of(w2019));
    CHECK(rec.settings.versions == std::vector<TlsVersion>{kTls12});
    REQUIRE(rec.change);
    CHECK(rec.change->dh_client_min_bits == 2048u);

    // The 512-bit DH device needs the minimum lowered, the bad_record_mac
    // device TLS 1.2 off (TLS 1.1 alone is the least weak way); the TLS
    // 1.3-only device cannot work on a Windows without TLS 1.3.
    fleet = {{&f.dh512, &none, nullptr},
             {&f.bad_record_mac, &none, nullptr},
             {&f.tls13, &none, nullptr}};
    rec = recommend(fleet, settings_of(w2019));
    CHECK(rec.settings.dh_min_bits == 512);
    CHECK(rec.breaking == std::vector<std::size_t>{2});
    CHECK(rec.settings.versions == std::vector<TlsVersion>{kTls11});

    // On a Windows with TLS 1.3 the TLS 1.3-only device works; the
    // versions stay, only the DH minimum rises.
    fleet = {{&f.tls13, &none, nullptr}};
    rec = recommend(fleet, settings_of(w2025));
    CHECK(rec.breaking.empty());
    CHECK(rec.settings.versions == std::vector<TlsVersion>{kTls12, kTls13});
    REQUIRE(rec.change);
    CHECK(rec.change->enable.empty());
    CHECK(rec.change->disable.empty());
    CHECK(rec.change->dh_client_min_bits == 2048u);

    // Nothing to change when the baseline is already the strongest.
    Profile strongest = w2025;
    strongest.tls.dh_min_bits = 2048;
    rec = recommend(fleet, settings_of(strongest));
    CHECK_FALSE(rec.change);
}
