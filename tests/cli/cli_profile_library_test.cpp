// SPDX-License-Identifier: Apache-2.0
// The shipped profile library: every profile usable end to end, the key
// facts each one encodes (checked on certificates made by the openssl
// command line), host profiles choosing the PFX encryption, and one
// certificate for several device families.
#include "certforge/algorithms.hpp"
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/errors.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_merge.hpp"
#include "certforge/verify.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

using namespace certforge;
using certforge::test::OpenSslCert;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;

namespace {

const ProfileCatalog& shipped() {
    static const ProfileCatalog catalog({certforge::test::shipped_profiles()});
    return catalog;
}

std::vector<Profile> shipped_of_kind(ProfileKind kind) {
    std::vector<Profile> out;
    for (const auto& entry : shipped().entries()) {
        Profile p = shipped().load_file(entry.file);
        if (p.kind == kind) {
            out.push_back(std::move(p));
        }
    }
    return out;
}

// The findings of the shipped profile `id` on a certificate the openssl
// command line made.
std::vector<Finding> judge(const std::string& id, const OpenSslCert& spec, const TempDir& dir,
                           const std::string& name) {
    const auto backend = make_backend();
    const auto pem = certforge::test::openssl_cert(dir, name, spec);
    const CertInfo cert = backend->parse_certificate(certforge::test::der_of(pem), pem.string());
    return check_certificate(cert, CertificateRole::leaf, shipped().load(id),
                             static_cast<UnixTime>(std::time(nullptr)));
}

const Finding& rule(const std::vector<Finding>& findings, const std::string& id) {
    for (const auto& f : findings) {
        if (f.rule == id) {
            return f;
        }
    }
    throw std::logic_error("no finding " + id);
}

bool passes_all(const std::vector<Finding>& findings) {
    return std::none_of(findings.begin(), findings.end(), [](const Finding& f) {
        return f.outcome == Outcome::fail && f.severity == Severity::error;
    });
}

#if CERTFORGE_TEST_WITH_OPENSSL
std::string pkcs12_info(const std::string& file, const std::string& password_file) {
    const auto info = run(
        {"openssl", "pkcs12", "-info", "-noout", "-in", file, "-passin", "file:" + password_file});
    REQUIRE(info.exit_code == 0);
    return info.out + info.err;
}
#endif

} // namespace

TEST_CASE("library: at least 12 device profiles and the 7 Windows hosts", "[library]") {
    const auto devices = shipped_of_kind(ProfileKind::device);
    CHECK(devices.size() >= 12);
    std::set<std::string> vendors;
    for (const auto& p : devices) {
        INFO(p.id);
        vendors.insert(p.vendor);
        CHECK_FALSE(p.sources.empty());
        CHECK_FALSE(p.notes.empty());
        CHECK_FALSE(p.name.empty());
    }
    for (const char* vendor : {"Konica Minolta", "Ricoh", "Xerox", "HP", "Canon", "Sharp",
                               "Toshiba", "Brother", "Kyocera", "Lexmark", "Epson", "Fujifilm"}) {
        CHECK(vendors.count(vendor) == 1);
    }
    std::vector<std::string> hosts;
    for (const auto& p : shipped_of_kind(ProfileKind::host)) {
        INFO(p.id);
        hosts.push_back(p.id);
        CHECK_FALSE(p.host.os.empty());
        CHECK(p.tls.dh_min_bits == 1024);
        CHECK_FALSE(p.tls.versions.empty());
    }
    CHECK(hosts == std::vector<std::string>{"windows-server-2008r2", "windows-server-2012",
                                            "windows-server-2012r2", "windows-server-2016",
                                            "windows-server-2019", "windows-server-2022",
                                            "windows-server-2025"});
    const Profile old_host = shipped().load("windows-server-2012r2");
    CHECK(old_host.host.dh_kbs == std::vector<std::string>{"KB3161606", "KB3172614"});
    CHECK(old_host.host.sha512_tls12_kbs == std::vector<std::string>{"KB2975719"});
    CHECK(old_host.import.pkcs12_encryption.front() == Pkcs12Encryption::triple_des);
    CHECK(shipped().load("windows-server-2019").import.pkcs12_encryption.front() ==
          Pkcs12Encryption::aes);
    CHECK(shipped().load("windows-server-2008r2").tls.versions ==
          std::vector<std::string>{"ssl3", "tls1.0"});
    CHECK(shipped().load("windows-server-2022").tls.versions.back() == "tls1.3");
}

TEST_CASE("library: a certificate made for each device profile verifies against it", "[library]") {
    const auto backend = make_backend(GENERATE(from_range(certforge::test::backend_names())));
    INFO("backend " << backend->name());
    CertRequest request;
    request.subject.common_name = "print.corp.local";
    request.subject_alt_names = {parse_san("dns:print"), parse_san("ip:10.1.2.3")};
    const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    for (const auto& profile : shipped_of_kind(ProfileKind::device)) {
        INFO("profile " << profile.id);
        CertificateBuilder builder(*backend, profile);
        const auto key = certforge::test::fixture_private_key(
            "rsa" + std::to_string(profile.key.default_rsa_bits));
        const IssuedCertificate leaf = builder.issue_leaf(request, std::nullopt, key);
        const Report report =
            verify_chain({backend->parse_certificate(leaf.certificate_der, "leaf")}, profile, now);
        CHECK_FALSE(report.has_errors());
        CHECK(report.count(Outcome::fail, Severity::warning) == 0);
    }
    const auto lint = run_certforge({"profiles", "lint", "--all"});
    CHECK(lint.exit_code == 0);
    CHECK(lint.out.find("warning") == std::string::npos);
}

TEST_CASE("library: the key facts, on certificates made by openssl", "[library]") {
    TempDir dir;
    OpenSslCert big;
    big.key = "rsa4096";
    big.hash = "sha512";
    CHECK(passes_all(judge("canon-imagerunner", big, dir, "canon")));

    OpenSslCert legacy_key_sha256;
    legacy_key_sha256.key = "rsa1024";
    const auto konica = judge("konica-legacy", legacy_key_sha256, dir, "konica");
    CHECK(rule(konica, "signature.hash").outcome == Outcome::fail);
    CHECK(rule(konica, "signature.hash").message ==
          "signed with sha256 (sha256WithRSAEncryption); profile 'konica-legacy' allows: sha1");
    OpenSslCert legacy_ok = legacy_key_sha256;
    legacy_ok.hash = "sha1";
    CHECK(passes_all(judge("konica-legacy", legacy_ok, dir, "konica-ok")));

    const auto jetdirect = judge("hp-jetdirect", {}, dir, "jetdirect");
    CHECK(rule(jetdirect, "extensions.extended-key-usage").outcome == Outcome::fail);
    CHECK(rule(jetdirect, "extensions.extended-key-usage").message ==
          "extendedKeyUsage lacks clientAuth (has: serverAuth)");
    OpenSslCert both;
    both.extensions[2] = "extendedKeyUsage=serverAuth,clientAuth";
    CHECK(passes_all(judge("hp-jetdirect", both, dir, "jetdirect-ok")));

    const auto toshiba = judge("toshiba-estudio", {}, dir, "toshiba");
    CHECK(rule(toshiba, "san.ip").outcome == Outcome::fail);
    CHECK(rule(toshiba, "san.ip").message ==
          "no IP address SAN; profile 'toshiba-estudio' requires one");
    OpenSslCert with_ip;
    with_ip.extensions[0] = "subjectAltName=DNS:print.corp.local,IP:10.1.2.3";
    CHECK(passes_all(judge("toshiba-estudio", with_ip, dir, "toshiba-ok")));

    CHECK(rule(judge("brother-mfc", {}, dir, "brother"), "key.size").outcome == Outcome::pass);
    CHECK(shipped().load("brother-legacy").import.pkcs12_encryption ==
          std::vector<Pkcs12Encryption>{Pkcs12Encryption::triple_des, Pkcs12Encryption::rc2});
    CHECK(shipped().load("canon-imagerunner").import.ca_format == CaCertFormat::der);
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("library: --server-os picks the PFX encryption the host imports", "[library]") {
    TempDir dir;
    certforge::test::write_text(dir / "pw", "host-pw\n");
    const std::string pw = (dir / "pw").string();
    const std::string key = certforge::test::fixture_key("rsa2048").string();
    auto make = [&](const std::string& os, const std::string& out,
                    const std::vector<std::string>& extra = {}) {
        std::vector<std::string> args{
            "make",  "--profile",          "default",         "--cn", "ts.corp.local", "--key", key,
            "--out", (dir / out).string(), "--password-file", pw,     "--server-os",   os};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_certforge(args);
    };
    REQUIRE(make("windows-server-2022", "new").exit_code == 0);
    const std::string modern = pkcs12_info((dir / "new" / "server.pfx").string(), pw);
    CHECK_THAT(modern, Catch::Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"));
    CHECK_THAT(modern, Catch::Contains("MAC: sha256"));

    REQUIRE(make("windows-server-2012r2", "old").exit_code == 0);
    const std::string old = pkcs12_info((dir / "old" / "server.pfx").string(), pw);
    CHECK_THAT(old, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK_THAT(old, Catch::Contains("MAC: sha1"));
    CHECK(old.find("AES") == std::string::npos);

    const auto refused = make("windows-server-2012r2", "bad", {"--pkcs12", "aes"});
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.err, Catch::Contains("Windows Server 2012 R2 does not import PFX files "
                                            "encrypted with aes (it imports 3des, rc2)"));
    CHECK_FALSE(std::filesystem::exists(dir / "bad"));
    const auto device = make("konica-legacy", "dev");
    CHECK(device.exit_code == 2);
    CHECK_THAT(device.err, Catch::Contains("'konica-legacy' is a device profile; --server-os "
                                           "(server_os in a sites file) takes a host profile"));

    const auto exported = run_certforge({"export", "--in", (dir / "new" / "server.pfx").string(),
                                         "--in-password-file", pw, "--format", "pfx", "--server-os",
                                         "windows-server-2016", "--out",
                                         (dir / "ts2016.pfx").string(), "--password-file", pw});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);
    const std::string converted = pkcs12_info((dir / "ts2016.pfx").string(), pw);
    CHECK_THAT(converted, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK(converted.find("AES") == std::string::npos);
}
#endif

TEST_CASE("library: --profiles finds the common ground", "[library]") {
    TempDir dir;
    const std::string out = (dir / "out").string();
    const auto made =
        run_certforge({"make", "--profiles", "canon-imagerunner,hp-jetdirect,toshiba-estudio",
                       "--cn", "print.corp.local", "--san", "ip:10.1.2.3", "--key",
                       certforge::test::fixture_key("rsa4096").string(), "--out", out, "--json"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const auto json = nlohmann::json::parse(made.out);
    CHECK(json["profile"] == "canon-imagerunner+hp-jetdirect+toshiba-estudio");
    CHECK(json["certificate"]["signature_hash"] == "sha512");
    CHECK(json["certificate"]["key"] == "rsa 4096");
    for (const char* id : {"canon-imagerunner", "hp-jetdirect", "toshiba-estudio"}) {
        INFO(id);
        const auto verified = run_certforge({"verify", "--profile", id, out + "/server.crt"});
        CHECK(verified.exit_code == 0);
    }
    const auto text = run({"openssl", "x509", "-in", out + "/server.crt", "-noout", "-text"});
    CHECK_THAT(text.out,
               Catch::Contains("TLS Web Server Authentication, TLS Web Client Authentication"));
    CHECK_THAT(text.out, Catch::Contains("IP Address:10.1.2.3"));
}

TEST_CASE("library: --profiles refuses an impossible mix, naming the two", "[library]") {
    TempDir dir;
    const auto refused = run_certforge({"make", "--profiles", "konica-legacy,canon-imagerunner",
                                        "--cn", "print", "--out", (dir / "out").string()});
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.err,
               Catch::EndsWith("certforge: error: profiles konica-legacy and canon-imagerunner "
                               "cannot share one certificate: no RSA key size is common "
                               "(konica-legacy allows RSA 1024; canon-imagerunner allows RSA "
                               "2048, 4096)\n"));
    CHECK_FALSE(std::filesystem::exists(dir / "out"));
    const auto both = run_certforge({"make", "--profile", "default", "--profiles", "default",
                                     "--cn", "print", "--out", (dir / "out").string()});
    CHECK(both.exit_code == 2);

    Profile a = shipped().load("default");
    Profile b = a;
    Profile c = a;
    a.id = "a";
    b.id = "b";
    c.id = "c";
    a.key.rsa_bits = {2048, 3072};
    b.key.rsa_bits = {3072, 4096};
    c.key.rsa_bits = {2048, 4096};
    CHECK_THROWS_WITH(common_ground({a, b, c}),
                      "no RSA key size is allowed by all of: a (RSA 2048, 3072), b (RSA 3072, "
                      "4096), c (RSA 2048, 4096)");
    b.key.rsa_bits = {2048, 3072, 4096};
    c.key.rsa_bits = {2048, 4096};
    a.signature.hashes = {HashAlgorithm::sha256, HashAlgorithm::sha384};
    const Profile common = common_ground({a, b, c});
    CHECK(common.key.rsa_bits == std::vector<unsigned>{2048});
    CHECK(common.signature.default_hash == HashAlgorithm::sha384);
}

TEST_CASE("library: list filters and verify --all-profiles", "[library]") {
    const auto hp = run_certforge({"profiles", "list", "--vendor", "hp", "--json"});
    REQUIRE(hp.exit_code == 0);
    const auto hp_json = nlohmann::json::parse(hp.out)["profiles"];
    REQUIRE(hp_json.size() == 3);
    for (const auto& entry : hp_json) {
        CHECK(entry["vendor"] == "HP");
        CHECK(entry["kind"] == "device");
    }
    const auto hosts =
        nlohmann::json::parse(run_certforge({"profiles", "list", "--kind", "host", "--json"}).out);
    CHECK(hosts["profiles"].size() == 7);

    TempDir dir;
    OpenSslCert legacy;
    legacy.key = "rsa1024";
    legacy.hash = "sha1";
    const auto cert = certforge::test::openssl_cert(dir, "legacy", legacy);
    const auto all = run_certforge({"verify", "--all-profiles", cert.string(), "--json"});
    CHECK(all.exit_code == 1);
    const auto json = nlohmann::json::parse(all.out);
    CHECK(json["schema"] == "certforge.verify-all/1");
    const auto& rows = json["files"][0]["profiles"];
    CHECK(rows.size() == shipped_of_kind(ProfileKind::device).size());
    for (const auto& row : rows) {
        INFO(row.dump());
        if (row["profile"] == "konica-legacy") {
            CHECK(row["accepts"] == true);
        } else {
            CHECK(row["accepts"] == false);
            CHECK(row["rule"] == "signature.hash");
        }
    }
    const auto table = run_certforge({"verify", "--all-profiles", cert.string()});
    CHECK_THAT(table.out, Catch::Contains("konica-legacy          accepts"));
    CHECK_THAT(table.out, Catch::Contains("canon-imagerunner      refuses signature.hash: signed "
                                          "with sha1"));
}
