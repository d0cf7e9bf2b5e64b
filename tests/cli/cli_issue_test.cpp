// SPDX-License-Identifier: Apache-2.0
// The one issuing path: what make, batch and ca sign refuse (a CA that does
// not fit, an expired or ending CA, bad requests), what they cut back (a
// leaf never outlives its CA), what verify sees (roles, forged signatures),
// and the device bundle (the device's own key, real zip modes). Outputs are
// read back by openssl and python3 (zipfile, cryptography).
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

using certforge::test::fixture_key;
using certforge::test::listing;
using certforge::test::mode_of;
using certforge::test::read_text;
using certforge::test::require_python_cryptography;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kDay = 86400;

std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

// "2026-11-30T03:00:00Z", as certforge prints times.
std::string utc(std::int64_t unix) {
    const std::time_t t = static_cast<std::time_t>(unix);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

std::string python_certs() {
    return std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/make_test_certs.py";
}

// A CA folder whose certificate python3-cryptography made with the given
// dates, for the fixture key rsa2048 (ca.key).
fs::path dated_ca(const TempDir& dir, const std::string& name, std::int64_t not_before,
                  std::int64_t not_after) {
    require_python_cryptography();
    const fs::path folder = dir / name;
    fs::create_directories(folder);
    const auto made = run({"/usr/bin/python3", python_certs(), "ca",
                           fixture_key("rsa2048").string(), (folder / "ca.crt").string(),
                           "Dated CA", std::to_string(not_before), std::to_string(not_after)});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    fs::copy_file(fixture_key("rsa2048"), folder / "ca.key");
    fs::permissions(folder / "ca.key", fs::perms::owner_read | fs::perms::owner_write);
    return folder;
}

fs::path make_ca(const TempDir& dir, const std::string& name, const std::string& profile,
                 const std::string& backend) {
    const fs::path folder = dir / name;
    const auto made = run_certforge({"ca", "init", "--profile", profile, "--name", name + " CA",
                                     "--out", folder.string(), "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return folder;
}

// A PKCS#10 request made by the openssl command line from a fixture key.
fs::path openssl_csr(const TempDir& dir, const std::string& name, const std::string& key,
                     const std::string& subject, const std::string& san) {
    const fs::path csr = dir / (name + ".csr");
    std::vector<std::string> args{
        "openssl", "req",   "-new", "-key",      fixture_key(key).string(),
        "-subj",   subject, "-out", csr.string()};
    if (!san.empty()) {
        args.insert(args.end(), {"-addext", "subjectAltName=" + san});
    }
    const auto made = run(args);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return csr;
}

std::string sites_file(const TempDir& dir, const std::string& body) {
    const fs::path file = dir / "sites.toml";
    write_text(file, body);
    return file.string();
}

#if CERTFORGE_TEST_WITH_OPENSSL
std::string pubkey_of(const std::vector<std::string>& openssl_args) {
    const auto key = run(openssl_args);
    INFO(key.err);
    REQUIRE(key.exit_code == 0);
    const auto pub = run({"openssl", "pkey", "-pubout"}, {}, key.out);
    REQUIRE(pub.exit_code == 0);
    return pub.out;
}

// name -> Unix mode of each zip entry, read by python3's zipfile.
std::string zip_modes(const fs::path& zip) {
    const auto listed = run({"/usr/bin/python3", "-c",
                             "import sys, zipfile\n"
                             "for i in zipfile.ZipFile(sys.argv[1]).infolist():\n"
                             "    print(i.filename, oct((i.external_attr >> 16) & 0o777))\n",
                             zip.string()});
    INFO(listed.err);
    REQUIRE(listed.exit_code == 0);
    return listed.out;
}

std::string zip_member(const fs::path& zip, const std::string& name, const fs::path& to) {
    const auto got = run({"/usr/bin/python3", "-c",
                          "import sys, zipfile\n"
                          "open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read("
                          "sys.argv[2]))\n",
                          zip.string(), name, to.string()});
    INFO(got.err);
    REQUIRE(got.exit_code == 0);
    return to.string();
}
#endif

} // namespace

TEST_CASE("issue: make, batch and ca sign refuse a CA that does not fit, writing nothing",
          "[issue]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const fs::path ca = make_ca(dir, "legacy", "konica-legacy", backend);
    const std::string crt = (ca / "ca.crt").string();
    const std::string why =
        "the CA certificate " + crt +
        " does not fit profile 'canon-imagerunner': signed with sha1 (sha1WithRSAEncryption); "
        "profile 'canon-imagerunner' allows: sha256, sha384, sha512 (profile canon-imagerunner, "
        "rule signature.hash); fix: ";

    const fs::path out = dir / "out";
    const auto make = run_certforge({"make", "--profile", "canon-imagerunner", "--cn",
                                     "print.corp.local", "--san", "ip:10.1.2.3", "--ca",
                                     ca.string(), "--key", fixture_key("rsa2048").string(), "--out",
                                     out.string(), "--backend", backend});
    CHECK(make.exit_code == 3);
    CHECK(make.err == "certforge: error: " + why +
                          "make a CA for it (certforge ca init --profile canon-imagerunner "
                          "--name NAME --out NEW-DIR) and give --ca NEW-DIR\n");
    CHECK_FALSE(fs::exists(out));

    const fs::path csr = openssl_csr(dir, "req", "rsa2048", "/CN=print.corp.local", "IP:10.1.2.3");
    const fs::path signed_crt = dir / "signed.crt";
    const auto sign =
        run_certforge({"ca", "sign", "--ca", ca.string(), "--profile", "canon-imagerunner",
                       csr.string(), "--out", signed_crt.string(), "--backend", backend});
    CHECK(sign.exit_code == 3);
    CHECK(sign.err == "certforge: error: " + csr.string() + ": refused: " + why +
                          "make a CA for it (certforge ca init --profile canon-imagerunner "
                          "--name NAME --out NEW-DIR) and give --ca NEW-DIR to ca sign\n");
    CHECK_FALSE(fs::exists(signed_crt));

    const std::string sites =
        sites_file(dir, "[[site]]\nid = \"canon\"\ncn = \"print.corp.local\"\n"
                        "sans = [\"ip:10.1.2.3\"]\n"
                        "profiles = [\"canon-imagerunner\"]\n");
    const auto batch = run_certforge({"batch", sites, "--ca", ca.string(), "--out",
                                      (dir / "sites").string(), "--backend", backend, "--json"});
    CHECK(batch.exit_code == 1);
    const auto json = nlohmann::json::parse(batch.out);
    REQUIRE(json["sites"].size() == 1);
    CHECK(json["sites"][0]["status"] == "failed");
    CHECK(json["sites"][0]["reason"] ==
          why + "issue this site from a CA made for it (certforge ca init --profile "
                "canon-imagerunner) in a batch of its own");
    CHECK_FALSE(fs::exists(dir / "sites" / "canon"));

    const auto listed = run_certforge({"ca", "list", "--ca", ca.string(), "--json"});
    REQUIRE(listed.exit_code == 0);
    CHECK(nlohmann::json::parse(listed.out)["certificates"].empty());
}

TEST_CASE("issue: an expired CA and a CA near its end refuse, and a leaf ends with its CA",
          "[issue]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const std::int64_t t = now();
    const std::string key = fixture_key("rsa2048").string();
    const auto make = [&](const fs::path& ca, const std::string& out) {
        return run_certforge({"make", "--profile", "default", "--cn", "print.corp.local", "--ca",
                              ca.string(), "--key", key, "--out", (dir / out).string(), "--backend",
                              backend});
    };
    const std::string renew_hint = "; fix: make a new CA (certforge ca init --profile default "
                                   "--name NAME --out NEW-DIR) and give --ca NEW-DIR\n";

    const std::int64_t expired_at = t - 2 * kDay;
    const fs::path expired = dated_ca(dir, "expired", t - 400 * kDay, expired_at);
    const auto old = make(expired, "old");
    CHECK(old.exit_code == 3);
    CHECK(old.err == "certforge: error: the CA certificate " + (expired / "ca.crt").string() +
                         " expired on " + utc(expired_at) +
                         " (profile default, rule validity.current)" + renew_hint);
    CHECK_FALSE(fs::exists(dir / "old"));

    const std::int64_t ending_at = t + 9 * kDay + 3600;
    const fs::path ending = dated_ca(dir, "ending", t - kDay, ending_at);
    const auto late = make(ending, "late");
    CHECK(late.exit_code == 3);
    CHECK(late.err == "certforge: error: the CA certificate " + (ending / "ca.crt").string() +
                          " ends on " + utc(ending_at) +
                          ", in 9 days: a CA needs at least 30 days left to issue (profile "
                          "default, rule validity.current)" +
                          renew_hint);
    CHECK_FALSE(fs::exists(dir / "late"));

    const fs::path csr = openssl_csr(dir, "req", "rsa2048", "/CN=print.corp.local", "");
    const auto sign =
        run_certforge({"ca", "sign", "--ca", ending.string(), "--profile", "default", csr.string(),
                       "--out", (dir / "signed.crt").string(), "--backend", backend});
    CHECK(sign.exit_code == 3);
    CHECK_THAT(sign.err, Catch::Contains("in 9 days: a CA needs at least 30 days left to issue"));
    CHECK_FALSE(fs::exists(dir / "signed.crt"));

    // ca list --expiring names the CA itself; ca status says it cannot issue.
    const auto listed =
        run_certforge({"ca", "list", "--ca", ending.string(), "--expiring", "30d", "--json"});
    REQUIRE(listed.exit_code == 0);
    const auto list_json = nlohmann::json::parse(listed.out);
    CHECK(list_json["ca_certificate"]["expiring"] == true);
    CHECK(list_json["ca_certificate"]["state"] == "expiring");
    CHECK(list_json["ca_certificate"]["not_after"] == utc(ending_at));
    const auto listed_text =
        run_certforge({"ca", "list", "--ca", ending.string(), "--expiring", "30d"});
    CHECK_THAT(listed_text.out, Catch::Contains(" ca         " + utc(ending_at) + " (the CA)"));
    CHECK(listed_text.err == "certforge: warning: the CA certificate itself expires on " +
                                 utc(ending_at) +
                                 ": certificates it issued stop working then; make a new CA "
                                 "(certforge ca init) and renew them\n");
    const auto status = run_certforge({"ca", "status", "--ca", expired.string(), "--json"});
    CHECK(status.exit_code == 1);
    const auto status_json = nlohmann::json::parse(status.out);
    CHECK(status_json["schema"] == "certforge.ca-status/2");
    CHECK(status_json["certificate"]["state"] == "expired");
    CHECK(status_json["can_issue"] == false);

    // 100 days left: the 825-day leaf is cut back to the CA's notAfter.
    const std::int64_t short_end = t + 100 * kDay;
    const fs::path short_ca = dated_ca(dir, "short", t - kDay, short_end);
    const auto cut = make(short_ca, "cut");
    INFO(cut.err);
    REQUIRE(cut.exit_code == 0);
    CHECK_THAT(cut.err, Catch::Contains("certforge: note: the certificate for print.corp.local "
                                        "ends with its CA on " +
                                        utc(short_end) +
                                        ", before the 825 days of its profile: a certificate "
                                        "never outlives its CA\n"));
    const auto leaf_end = run(
        {"openssl", "x509", "-in", (dir / "cut" / "server.crt").string(), "-noout", "-enddate"});
    const auto ca_end =
        run({"openssl", "x509", "-in", (short_ca / "ca.crt").string(), "-noout", "-enddate"});
    CHECK(leaf_end.out == ca_end.out);
    const auto verified =
        run_certforge({"verify", "--profile", "default", (dir / "cut" / "chain.pem").string(),
                       "--backend", backend});
    INFO(verified.out);
    CHECK(verified.exit_code == 0);
    const auto ok = run({"openssl", "verify", "-x509_strict", "-CAfile",
                         (short_ca / "ca.crt").string(), (dir / "cut" / "server.crt").string()});
    CHECK(ok.exit_code == 0);
}

TEST_CASE("verify: a leaf that names the CA but was not signed by its key is an error",
          "[issue][verify]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const fs::path ca = dated_ca(dir, "ca", now() - kDay, now() + 3000 * kDay);
    const auto leaf = [&](const std::string& name, const std::string& signer) {
        const fs::path out = dir / (name + ".pem");
        const auto made = run({"/usr/bin/python3", python_certs(), "leaf", (ca / "ca.crt").string(),
                               fixture_key(signer).string(), fixture_key("rsa4096").string(),
                               out.string(), "print.corp.local"});
        INFO(made.err);
        REQUIRE(made.exit_code == 0);
        write_text(out, read_text(out) + read_text(ca / "ca.crt"));
        return out;
    };
    const fs::path genuine = leaf("genuine", "rsa2048");
    const fs::path forged = leaf("forged", "rsa1024");
    // openssl agrees on both.
    CHECK(run({"openssl", "verify", "-CAfile", (ca / "ca.crt").string(), genuine.string()})
              .exit_code == 0);
    CHECK(run({"openssl", "verify", "-CAfile", (ca / "ca.crt").string(), forged.string()})
              .exit_code != 0);

    const auto good =
        run_certforge({"verify", "--profile", "default", genuine.string(), "--backend", backend});
    INFO(good.out);
    CHECK(good.exit_code == 0);
    CHECK_THAT(good.out, Catch::Contains("pass  chain.signatures               each signature "
                                         "verifies with its issuer's key\n"));
    const auto bad = run_certforge(
        {"verify", "--profile", "default", forged.string(), "--backend", backend, "--json"});
    CHECK(bad.exit_code == 1);
    const auto json = nlohmann::json::parse(bad.out);
    const auto& chain = json["files"][0]["chain"];
    REQUIRE(chain.size() == 3);
    CHECK(chain[1]["rule"] == "chain.links");
    CHECK(chain[1]["status"] == "pass");
    CHECK(chain[2]["rule"] == "chain.signatures");
    CHECK(chain[2]["status"] == "fail");
    CHECK(chain[2]["severity"] == "error");
    CHECK(chain[2]["message"] == "forged or damaged signature: #0 'CN=print.corp.local' names "
                                 "#1 'CN=Dated CA' as issuer but was not signed by its key");
}

TEST_CASE("verify: a self-signed `openssl req -x509` certificate is judged as the server's",
          "[issue][verify]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const fs::path cert = dir / "self.pem";
    const auto made =
        run({"openssl", "req", "-x509", "-key", fixture_key("rsa2048").string(), "-subj",
             "/CN=print.corp.local", "-addext", "subjectAltName=DNS:print.corp.local", "-days",
             "365", "-out", cert.string()});
    REQUIRE(made.exit_code == 0);
    REQUIRE_THAT(
        run({"openssl", "x509", "-in", cert.string(), "-noout", "-ext", "basicConstraints"}).out,
        Catch::Contains("CA:TRUE"));

    const auto as_server =
        run_certforge({"verify", "--profile", "default", cert.string(), "--backend", backend});
    INFO(as_server.out);
    CHECK(as_server.exit_code == 1);
    CHECK_THAT(as_server.out, Catch::Contains("certificate #0 (leaf) CN=print.corp.local"));
    CHECK_THAT(as_server.out, Catch::Contains("ERROR extensions.basic-constraints   a server "
                                              "certificate marked CA:TRUE"));
    CHECK_THAT(as_server.out,
               Catch::Contains("warn  certificate.role               'CN=print.corp.local' is "
                               "self-signed and marked CA:TRUE, as `openssl req -x509` makes "
                               "certificates by default: it is checked as the server "
                               "certificate it is used as"));
    CHECK_THAT(as_server.out, Catch::Contains("pass  chain.signatures"));

    const auto as_ca = run_certforge(
        {"verify", "--profile", "default", "--role", "ca", cert.string(), "--backend", backend});
    INFO(as_ca.out);
    CHECK_THAT(as_ca.out, Catch::Contains("certificate #0 (ca) CN=print.corp.local"));
    CHECK(as_ca.out.find("certificate.role") == std::string::npos);
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("make: device.p12 holds the device's own key, never the server's, and zip modes are real",
          "[issue][bundle]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    require_python_cryptography();
    TempDir dir;
    const fs::path ca = make_ca(dir, "modern", "default", backend);
    const fs::path password = dir / "pw";
    write_text(password, "bundle-secret\n");
    const fs::path out = dir / "out";
    const auto made = run_certforge({"make",
                                     "--profile",
                                     "canon-imagerunner",
                                     "--cn",
                                     "ts.corp.local",
                                     "--san",
                                     "ip:10.1.2.4",
                                     "--device-cn",
                                     "mfd-1.corp.local",
                                     "--device-san",
                                     "ip:10.1.2.50",
                                     "--ca",
                                     ca.string(),
                                     "--key",
                                     fixture_key("rsa2048").string(),
                                     "--password-file",
                                     password.string(),
                                     "--out",
                                     out.string(),
                                     "--backend",
                                     backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const fs::path zip = out / "import-bundle.zip";
    CHECK(mode_of(zip) == 0600);
    CHECK(zip_modes(zip) ==
          "ca.cer 0o644\ndevice.p12 0o600\nREADME.txt 0o644\nmanifest.json 0o644\n");
    const std::string p12 = zip_member(zip, "device.p12", dir / "device.p12");
    const std::string pass = "file:" + password.string();
    const std::string device_key =
        pubkey_of({"openssl", "pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", pass});
    const std::string server_key =
        pubkey_of({"openssl", "pkey", "-in", (out / "server.key").string()});
    CHECK(device_key != server_key);
    const fs::path device_cert = dir / "device.crt";
    const auto certs = run({"openssl", "pkcs12", "-in", p12, "-nokeys", "-clcerts", "-passin", pass,
                            "-out", device_cert.string()});
    REQUIRE(certs.exit_code == 0);
    CHECK(run({"openssl", "x509", "-in", device_cert.string(), "-noout", "-subject"}).out ==
          "subject=CN = mfd-1.corp.local\n");
    CHECK(run({"openssl", "x509", "-in", device_cert.string(), "-noout", "-ext", "subjectAltName"})
              .out.find("IP Address:10.1.2.50") != std::string::npos);
    CHECK(run({"openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile",
               (ca / "ca.crt").string(), device_cert.string()})
              .exit_code == 0);
    const auto device_verify =
        run_certforge({"verify", "--profile", "canon-imagerunner", p12, "--password-file",
                       password.string(), "--backend", backend});
    INFO(device_verify.out);
    CHECK(device_verify.exit_code == 0);
    const auto ledger = run_certforge({"ca", "list", "--ca", ca.string(), "--json"});
    const auto entries = nlohmann::json::parse(ledger.out)["certificates"];
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["common_name"] == "ts.corp.local");
    CHECK(entries[1]["common_name"] == "mfd-1.corp.local");
    CHECK(entries[1]["status"] == "valid");

    // No device named: no device.p12, and README.txt says why.
    const fs::path plain = dir / "plain";
    const auto without = run_certforge(
        {"make", "--profile", "canon-imagerunner", "--cn", "ts.corp.local", "--san", "ip:10.1.2.4",
         "--ca", ca.string(), "--key", fixture_key("rsa2048").string(), "--password-file",
         password.string(), "--out", plain.string(), "--backend", backend});
    REQUIRE(without.exit_code == 0);
    CHECK(mode_of(plain / "import-bundle.zip") == 0644);
    CHECK(zip_modes(plain / "import-bundle.zip") ==
          "ca.cer 0o644\nREADME.txt 0o644\nmanifest.json 0o644\n");
    const std::string readme =
        read_text(zip_member(plain / "import-bundle.zip", "README.txt", dir / "README.txt"));
    CHECK_THAT(readme,
               Catch::Contains("device.p12 is not in this bundle: these devices import a key and "
                               "certificate of their own, made for the device's own name, and "
                               "certforge never hands out the Terminal Server's key. To get one, "
                               "run certforge make again with the device's own names: "
                               "--device-cn NAME (and --device-san dns:NAME or --device-san "
                               "ip:ADDRESS).\r\n"));

    // A profile whose devices import only the CA takes no device names.
    const auto refused = run_certforge({"make", "--profile", "default", "--cn", "ts.corp.local",
                                        "--device-cn", "mfd-1.corp.local", "--ca", ca.string(),
                                        "--key", fixture_key("rsa2048").string(), "--out",
                                        (dir / "no").string(), "--backend", backend});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err == "certforge: error: profile 'default' says its devices import only the "
                         "CA certificate, not a key and certificate of their own (profile "
                         "default, rule import.identity_pkcs12); fix: leave out --device-cn and "
                         "--device-san for this profile\n");
    CHECK_FALSE(fs::exists(dir / "no"));
}

TEST_CASE("batch: devices get their own certificates, and a change of devices renews the site",
          "[issue][batch]") {
    const std::string backend = certforge::test::backend_names().front();
    TempDir dir;
    const fs::path ca = make_ca(dir, "modern", "default", backend);
    const auto sites = [&](const std::string& devices) {
        return sites_file(dir, "[[site]]\nid = \"canon\"\ncn = \"ts.corp.local\"\n"
                               "sans = [\"ip:10.1.2.4\"]\nprofiles = [\"canon-imagerunner\"]\n"
                               "devices = [" +
                                   devices + "]\n");
    };
    const auto batch = [&](const std::string& file) {
        return run_certforge({"batch", file, "--ca", ca.string(), "--out", (dir / "sites").string(),
                              "--backend", backend, "--json"});
    };
    const auto first = batch(sites("\"mfd-1.corp.local=ip:10.1.2.50\""));
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(nlohmann::json::parse(first.out)["sites"][0]["status"] == "created");
    const fs::path zip = dir / "sites" / "canon" / "import-bundle.zip";
    CHECK(zip_modes(zip) ==
          "ca.cer 0o644\ndevice.p12 0o600\nREADME.txt 0o644\nmanifest.json 0o644\n");
    CHECK(mode_of(zip) == 0600);

    const auto again = batch(sites("\"mfd-1.corp.local=ip:10.1.2.50\""));
    CHECK(nlohmann::json::parse(again.out)["sites"][0]["status"] == "skipped");

    const auto moved_san = batch(sites("\"mfd-1.corp.local=ip:10.1.2.51\""));
    CHECK(nlohmann::json::parse(moved_san.out)["sites"][0]["status"] == "renewed");
    const auto back = batch(sites("\"mfd-1.corp.local=ip:10.1.2.50\""));
    CHECK(nlohmann::json::parse(back.out)["sites"][0]["status"] == "renewed");
    const auto changed = batch(sites("\"mfd-1.corp.local=ip:10.1.2.50\", \"mfd-2.corp.local\""));
    const auto site = nlohmann::json::parse(changed.out)["sites"][0];
    CHECK(site["status"] == "renewed");
    CHECK(site["reason"] ==
          "devices changed: mfd-1.corp.local dns:mfd-1.corp.local,ip:10.1.2.50 -> "
          "mfd-1.corp.local dns:mfd-1.corp.local,ip:10.1.2.50; mfd-2.corp.local "
          "dns:mfd-2.corp.local");
    CHECK(zip_modes(zip) == "ca.cer 0o644\ndevice-mfd-1.corp.local.p12 0o600\n"
                            "device-mfd-2.corp.local.p12 0o600\nREADME.txt 0o644\n"
                            "manifest.json 0o644\n");
    const auto valid =
        run_certforge({"ca", "list", "--ca", ca.string(), "--status", "valid", "--json"});
    const auto entries = nlohmann::json::parse(valid.out)["certificates"];
    REQUIRE(entries.size() == 3);
    CHECK(entries[1]["common_name"] == "mfd-1.corp.local");
    CHECK(entries[2]["common_name"] == "mfd-2.corp.local");

    // Killed after the ledger took the site and its device, before the files
    // landed: the re-run abandons both entries and issues again.
    const std::string moved = sites("\"mfd-3.corp.local\"");
    const auto killed = run_certforge({"batch", moved, "--ca", ca.string(), "--out",
                                       (dir / "sites").string(), "--backend", backend},
                                      {{"CERTFORGE_FAULT_KILL_AFTER_RECORD", "1"}});
    CHECK(killed.exit_code == 128 + 9);
    const auto repaired = batch(moved);
    INFO(repaired.err);
    CHECK(nlohmann::json::parse(repaired.out)["sites"][0]["status"] == "renewed");
    const auto abandoned =
        run_certforge({"ca", "list", "--ca", ca.string(), "--status", "abandoned", "--json"});
    CHECK(nlohmann::json::parse(abandoned.out)["certificates"].size() == 2);
    const auto checked =
        run({"/usr/bin/python3",
             std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/ledger_matches_files.py",
             ca.string(), (dir / "sites").string()});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
}
#endif

TEST_CASE("batch: a site is skipped only when its whole chain passes its profiles today",
          "[issue][batch]") {
    const std::string backend = certforge::test::backend_names().back();
    TempDir dir;
    const fs::path ca = make_ca(dir, "modern", "default", backend);
    write_text(dir / "short.toml", "id = \"short\"\nname = \"Short-lived leaves\"\n"
                                   "extends = \"default\"\nsources = [\"test\"]\n"
                                   "[validity]\nmax_days = 397\ndefault_days = 397\n");
    write_text(dir / "big.toml", "id = \"big\"\nname = \"Only 4096-bit keys\"\n"
                                 "extends = \"default\"\nsources = [\"test\"]\n"
                                 "[key]\nrsa_bits = [4096]\n");
    const auto run_with = [&](const std::string& profile) {
        const std::string file =
            sites_file(dir, "[[site]]\nid = \"s\"\ncn = \"print.corp.local\"\nprofiles = [\"" +
                                profile + "\"]\nformats = [\"bundle\"]\n");
        const auto result = run_certforge({"batch", file, "--ca", ca.string(), "--out",
                                           (dir / "out").string(), "--backend", backend, "--json"});
        INFO(result.err);
        return nlohmann::json::parse(result.out)["sites"][0];
    };
    CHECK(run_with("default")["status"] == "created");
    CHECK(run_with("default")["status"] == "skipped");
    const auto renewed = run_with((dir / "short.toml").string());
    CHECK(renewed["status"] == "renewed");
    CHECK(renewed["reason"].get<std::string>().rfind(
              "does not pass profile short with its CA: validity.length: valid for 825.0 days; "
              "profile 'short' allows at most 397",
              0) == 0);
    const auto failed = run_with((dir / "big.toml").string());
    CHECK(failed["status"] == "failed");
    CHECK_THAT(failed["reason"].get<std::string>(),
               Catch::StartsWith("the CA certificate " + (ca / "ca.crt").string() +
                                 " does not fit profile 'big': RSA 2048 bits; profile 'big' "
                                 "allows: 4096"));
}

TEST_CASE("ca sign: a request with two CNs is refused", "[issue][csr]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    TempDir dir;
    const fs::path ca = dated_ca(dir, "ca", now() - kDay, now() + 3000 * kDay);
    const fs::path csr =
        openssl_csr(dir, "two", "rsa2048", "/CN=a.corp.local/CN=b.corp.local", "DNS:a.corp.local");
    const auto sign =
        run_certforge({"ca", "sign", "--ca", ca.string(), "--profile", "default", csr.string(),
                       "--out", (dir / "two.crt").string(), "--backend", backend});
    CHECK(sign.exit_code == 3);
    CHECK(sign.err == "certforge: error: " + csr.string() +
                          ": refused: the request's subject has more than one CN; certforge "
                          "issues a certificate for exactly one name in the CN (profile default, "
                          "rule subject.cn); fix: ask the requester for a new request (CSR) that "
                          "profile 'default' accepts\n");
    CHECK_FALSE(fs::exists(dir / "two.crt"));
}

TEST_CASE("make: the weak-crypto warning names what was used", "[issue]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    write_text(dir / "md5.toml", "id = \"md5\"\nname = \"MD5 devices\"\nextends = \"default\"\n"
                                 "legacy = true\nsources = [\"test\"]\n"
                                 "[key]\nrsa_bits = [1024]\n[signature]\nhashes = [\"md5\"]\n");
    const auto made = run_certforge({"make", "--profile", (dir / "md5.toml").string(), "--cn",
                                     "print.corp.local", "--key", fixture_key("rsa1024").string(),
                                     "--out", (dir / "out").string(), "--backend", backend},
                                    {});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK_THAT(made.err,
               Catch::StartsWith("certforge: warning: the certificate for print.corp.local has "
                                 "weak crypto (an MD5 signature and an RSA 1024-bit key), "
                                 "allowed by legacy profile 'md5' for the old devices that need "
                                 "it\n"));
    CHECK_THAT(
        run({"openssl", "x509", "-in", (dir / "out" / "server.crt").string(), "-noout", "-text"})
            .out,
        Catch::Contains("Signature Algorithm: md5WithRSAEncryption"));
}

TEST_CASE("ca list: JSON and text survive whatever bytes a ledger entry holds", "[issue]") {
    const std::string backend = certforge::test::backend_names().front();
    TempDir dir;
    const fs::path ca = dated_ca(dir, "ca", now() - kDay, now() + 3000 * kDay);
    const auto made = run_certforge({"make", "--profile", "default", "--cn", "print.corp.local",
                                     "--ca", ca.string(), "--key", fixture_key("rsa2048").string(),
                                     "--out", (dir / "out").string(), "--backend", backend});
    REQUIRE(made.exit_code == 0);
    // A ledger written by an older certforge may hold raw bytes: invalid
    // UTF-8 (\xff) and control characters (ESC, NUL) in a name.
    certforge::test::SqliteDb(ca / "ca.db")
        .execute("UPDATE certificates SET common_name = CAST(X'7072696e74ff1b5b33316d00' AS TEXT)");
    const auto json = run_certforge({"ca", "list", "--ca", ca.string(), "--json"});
    INFO(json.err);
    REQUIRE(json.exit_code == 0);
    const auto parsed = nlohmann::json::parse(json.out);
    CHECK(parsed["certificates"][0]["common_name"] ==
          std::string("print\xEF\xBF\xBD\x1b[31m\0", 14));
    const auto text = run_certforge({"ca", "list", "--ca", ca.string()});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("print\xff\\x1b[31m\\x00\n"));
}
