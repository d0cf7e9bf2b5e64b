// SPDX-License-Identifier: Apache-2.0
// `certforge ca init` and `certforge make` end to end, as an admin runs them,
// and the PFX encryption make chooses (read back by openssl).
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

using certforge::test::Issued;
using certforge::test::listing;
using certforge::test::mode_of;
using certforge::test::openssl_pkcs12_info;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

#if CERTFORGE_TEST_WITH_OPENSSL
constexpr bool kWritesPfx = true;
#else
constexpr bool kWritesPfx = false;
#endif

// What make says about server.pfx on stderr: where its generated password
// is, or, in a build without OpenSSL, that there is no PFX.
std::string pfx_message(const std::string& out) {
    return kWritesPfx ? "certforge: note: generated the PFX password: it is in " + out +
                            "/server.pfx.pass (0600)\n"
                      : "certforge: warning: server.pfx and the bundle's device.p12 are not "
                        "written: PKCS#12 and PKCS#7 files are written with OpenSSL, and this "
                        "build has no OpenSSL backend (configure with "
                        "CERTFORGE_WITH_OPENSSL=ON)\n";
}

// The files make writes, sorted.
std::vector<std::string> made_files(bool with_ca) {
    std::vector<std::string> files{"chain.pem", "import-bundle.zip", "server.crt", "server.key"};
    if (with_ca) {
        files.insert(files.begin(), "ca.crt");
    }
    if (kWritesPfx) {
        files.insert(files.end(), {"server.pfx", "server.pfx.pass"});
    }
    return files;
}

// What an issuing command says when it used weak crypto: what was weak, by name.
std::string weak_warning(const std::string& what) {
    return "certforge: warning: " + what +
           " has weak crypto (a SHA-1 signature and an RSA 1024-bit key), allowed by legacy "
           "profile 'konica-legacy' for the old devices that need it\n";
}

} // namespace

TEST_CASE("cli: the issue's konica-legacy walk-through", "[cli]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    TempDir dir;
    const std::string ca = (dir / "ca").string();
    const std::string out = (dir / "out").string();

    const auto init = run_certforge({"ca", "init", "--profile", "konica-legacy", "--name",
                                     "Print CA", "--out", ca, "--backend", backend});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    CHECK(init.err == weak_warning("the CA certificate"));
    CHECK(listing(ca) == std::vector<std::string>{"ca.crt", "ca.db", "ca.json", "ca.key"});
    CHECK(mode_of(dir / "ca" / "ca.key") == 0600);
    CHECK(mode_of(dir / "ca" / "ca.crt") == 0644);
    const auto metadata = nlohmann::json::parse(certforge::test::read_text(dir / "ca" / "ca.json"));
    CHECK(metadata["name"] == "Print CA");
    CHECK(metadata["profile"] == "konica-legacy");
    CHECK(metadata["backend"] == backend);

    const auto make = run_certforge(
        {"make", "--profile", "konica-legacy", "--cn", "print.corp.local", "--san", "dns:print",
         "--san", "ip:10.1.2.3", "--ca", ca, "--out", out, "--backend", backend});
    INFO(make.err);
    REQUIRE(make.exit_code == 0);
    CHECK(make.err == weak_warning("the certificate for print.corp.local") + pfx_message(out));
    CHECK_THAT(make.out, Catch::Contains("wrote " + out + "/server.key"));
    CHECK(listing(out) == made_files(true));
    if (kWritesPfx) {
        CHECK(mode_of(dir / "out" / "server.pfx") == 0600);
        CHECK(mode_of(dir / "out" / "server.pfx.pass") == 0600);
    }
    CHECK(mode_of(dir / "out" / "server.key") == 0600);
    CHECK(mode_of(dir / "out" / "server.crt") == 0644);
    CHECK(certforge::test::read_text(dir / "out" / "chain.pem") ==
          certforge::test::read_text(dir / "out" / "server.crt") +
              certforge::test::read_text(dir / "ca" / "ca.crt"));
    CHECK(certforge::test::read_text(dir / "out" / "ca.crt") ==
          certforge::test::read_text(dir / "ca" / "ca.crt"));

    const auto key_check = run({"openssl", "pkey", "-in", out + "/server.key", "-check", "-noout"});
    CHECK(key_check.exit_code == 0);
    const auto pub_from_cert =
        run({"openssl", "x509", "-in", out + "/server.crt", "-noout", "-pubkey"});
    const auto pub_from_key = run({"openssl", "pkey", "-in", out + "/server.key", "-pubout"});
    CHECK(pub_from_cert.exit_code == 0);
    CHECK(pub_from_cert.out == pub_from_key.out);
    const auto chain_ok = run(
        {"openssl", "verify", "-auth_level", "0", "-CAfile", ca + "/ca.crt", out + "/server.crt"});
    CHECK(chain_ok.exit_code == 0);

    const auto pass = run_certforge(
        {"verify", "--profile", "konica-legacy", out + "/server.crt", "--backend", backend});
    CHECK(pass.exit_code == 0);
    CHECK_THAT(pass.out, Catch::Contains("result: PASS (0 errors, 0 warnings, 14 passed)"));
    CHECK(pass.out.find("ERROR") == std::string::npos);

    const auto fail = run_certforge(
        {"verify", "--profile", "default", out + "/server.crt", "--backend", backend});
    CHECK(fail.exit_code == 1);
    CHECK_THAT(fail.out, Catch::Contains("ERROR signature.hash"));
    CHECK_THAT(fail.out, Catch::Contains("signed with sha1 (sha1WithRSAEncryption); profile "
                                         "'default' allows: sha256, sha384, sha512"));
    CHECK_THAT(fail.out, Catch::Contains("ERROR key.size"));
    CHECK_THAT(fail.out,
               Catch::Contains("RSA 1024 bits; profile 'default' allows: 2048, 3072, 4096"));
    CHECK_THAT(fail.out, Catch::Contains("result: FAIL (2 errors, 0 warnings, 12 passed)"));
}

TEST_CASE("cli: make refuses to overwrite, and --force replaces", "[cli]") {
    TempDir dir;
    const std::string out = (dir / "out").string();
    const std::vector<std::string> args{"make",  "--profile", "konica-legacy", "--cn", "print",
                                        "--out", out};
    REQUIRE(run_certforge(args).exit_code == 0);
    const std::string first = certforge::test::read_text(dir / "out" / "server.crt");
    const std::string first_key = certforge::test::read_text(dir / "out" / "server.key");

    const auto again = run_certforge(args);
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.err,
               Catch::Contains(
                   "certforge: error: refusing to overwrite " + out + "/server.key, " + out +
                   "/chain.pem, " +
                   (kWritesPfx ? out + "/server.pfx, " + out + "/server.pfx.pass, " : "") + out +
                   "/import-bundle.zip, " + out + "/server.crt (use --force to replace)"));
    CHECK(certforge::test::read_text(dir / "out" / "server.crt") == first);
    CHECK(certforge::test::read_text(dir / "out" / "server.key") == first_key);

    auto forced_args = args;
    forced_args.push_back("--force");
    REQUIRE(run_certforge(forced_args).exit_code == 0);
    CHECK(certforge::test::read_text(dir / "out" / "server.crt") != first);
    CHECK(listing(out) == made_files(false));
    CHECK(mode_of(dir / "out" / "server.key") == 0600);
}

TEST_CASE("cli: self-signed make says devices must trust this certificate", "[cli]") {
    TempDir dir;
    const auto result = run_certforge({"make", "--profile", "default", "--cn", "10.1.2.3", "--out",
                                       (dir / "out").string(), "--key",
                                       certforge::test::fixture_key("rsa2048").string(), "--json"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err == pfx_message((dir / "out").string()) +
                            "certforge: note: no --ca given: the certificate is self-signed, so "
                            "every device must trust this exact certificate (import server.crt "
                            "as a trusted CA on each device)\n");
    const auto json = nlohmann::json::parse(result.out);
    CHECK(json["schema"] == "certforge.make/2");
    CHECK(json["self_signed"] == true);
    CHECK(json["legacy"] == false);
    CHECK(json["certificate"]["subject_alt_names"] == nlohmann::json::array({"ip:10.1.2.3"}));
    CHECK(json["certificate"]["signature_hash"] == "sha256");
    CHECK(json["files"].size() == made_files(false).size());
    CHECK(certforge::test::read_text(dir / "out" / "chain.pem") ==
          certforge::test::read_text(dir / "out" / "server.crt"));
    const auto verified =
        run({"openssl", "verify", "-CAfile", (dir / "out" / "server.crt").string(),
             (dir / "out" / "server.crt").string()});
    CHECK(verified.exit_code == 0);
    const auto key_in =
        run({"openssl", "pkey", "-in", (dir / "out" / "server.key").string(), "-pubout"});
    const auto fixture = run(
        {"openssl", "pkey", "-in", certforge::test::fixture_key("rsa2048").string(), "-pubout"});
    CHECK(key_in.out == fixture.out);
}

TEST_CASE("cli: failures leave no output behind", "[cli]") {
    TempDir dir;
    const std::string out = (dir / "out").string();

    SECTION("a bad SAN") {
        const auto result = run_certforge({"make", "--profile", "default", "--cn", "print", "--san",
                                           "ip:999.1.1.1", "--out", out});
        CHECK(result.exit_code == 3);
        CHECK(result.err ==
              "certforge: error: SAN 'ip:999.1.1.1' is not a valid IPv4 or IPv6 address\n");
    }
    SECTION("a bad CN") {
        const auto result =
            run_certforge({"make", "--profile", "default", "--cn", "print_server!", "--out", out});
        CHECK(result.exit_code == 3);
        CHECK(result.err == "certforge: error: CN 'print_server!' is neither a host name nor an "
                            "IP address: the character '!' is not allowed in a host name "
                            "(profile default, rule subject.cn); fix: give the host name or IP "
                            "address devices use with --cn\n");
    }
    SECTION("a missing CA folder") {
        const auto result = run_certforge({"make", "--profile", "konica-legacy", "--cn", "print",
                                           "--ca", (dir / "nope").string(), "--out", out});
        CHECK(result.exit_code == 3);
        CHECK_THAT(result.err,
                   Catch::Contains("no such CA folder (make one with certforge ca init)"));
    }
    SECTION("a CA whose key does not belong to its certificate") {
        const std::string ca_a = (dir / "a").string();
        const std::string ca_b = (dir / "b").string();
        REQUIRE(run_certforge(
                    {"ca", "init", "--profile", "konica-legacy", "--name", "A", "--out", ca_a})
                    .exit_code == 0);
        REQUIRE(run_certforge(
                    {"ca", "init", "--profile", "konica-legacy", "--name", "B", "--out", ca_b})
                    .exit_code == 0);
        fs::copy_file(ca_b + "/ca.key", ca_a + "/ca.key", fs::copy_options::overwrite_existing);
        const auto result = run_certforge(
            {"make", "--profile", "konica-legacy", "--cn", "print", "--ca", ca_a, "--out", out});
        CHECK(result.exit_code == 3);
        CHECK_THAT(result.err, Catch::Contains(ca_a + "/ca.key: the key does not belong to " +
                                               ca_a + "/ca.crt"));
    }
    SECTION("a rsa size the profile does not allow") {
        const auto result = run_certforge({"make", "--profile", "konica-legacy", "--cn", "print",
                                           "--rsa-bits", "2048", "--out", out});
        CHECK(result.exit_code == 3);
        CHECK_THAT(result.err, Catch::Contains("RSA 2048 bits is not allowed by profile "
                                               "'konica-legacy' (allowed: 1024)"));
    }
    SECTION("an unknown hash name") {
        const auto result = run_certforge(
            {"make", "--profile", "default", "--cn", "print", "--hash", "sha3", "--out", out});
        CHECK(result.exit_code == 2);
        CHECK(result.err == "certforge: error: --hash 'sha3' is not a hash name: use sha1, "
                            "sha256, sha384 or sha512\n");
    }
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("cli: usage errors exit 2", "[cli]") {
    CHECK(run_certforge({}).exit_code == 2);
    const auto missing_cn = run_certforge({"make", "--profile", "default", "--out", "x"});
    CHECK(missing_cn.exit_code == 2);
    CHECK_THAT(missing_cn.err, Catch::Contains("--cn is required"));
    const auto backend = run_certforge(
        {"make", "--profile", "default", "--cn", "print", "--out", "x", "--backend", "gnutls"});
    CHECK(backend.exit_code == 2);
    CHECK_THAT(backend.err, Catch::StartsWith("certforge: error: unknown backend 'gnutls': this "
                                              "build has "));
    CHECK(run_certforge({"frobnicate"}).exit_code == 2);
    const auto help = run_certforge({"make", "--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains("--san"));
}

TEST_CASE("cli: ca init --json and its refusal to overwrite", "[cli]") {
    TempDir dir;
    const std::string ca = (dir / "ca").string();
    const auto result =
        run_certforge({"ca", "init", "--profile", "konica-legacy", "--name", "Print CA", "--out",
                       ca, "--org", "Acme", "--country", "DE", "--json"});
    REQUIRE(result.exit_code == 0);
    const auto json = nlohmann::json::parse(result.out);
    CHECK(json["schema"] == "certforge.ca-init/2");
    CHECK(json["certificate"]["subject"] == "CN=Print CA,O=Acme,C=DE");
    CHECK(json["certificate"]["key"] == "rsa 1024");
    CHECK(json["legacy"] == true);
    const auto again = run_certforge(
        {"ca", "init", "--profile", "konica-legacy", "--name", "Print CA", "--out", ca});
    CHECK(again.exit_code == 3);
    CHECK_THAT(again.err, Catch::Contains("refusing to overwrite"));
}

TEST_CASE("cli: a backend missing from this build is named as such", "[cli]") {
    const auto built = certforge::test::backend_names();
    for (const std::string known : {"openssl", "botan"}) {
        INFO("backend " << known);
        const auto result = run_certforge(
            {"verify", "--profile", "default", "--backend", known, "/nonexistent/x.crt"});
        if (std::find(built.begin(), built.end(), known) != built.end()) {
            CHECK(result.exit_code == 3);
            CHECK(result.err == "certforge: error: /nonexistent/x.crt: no such file\n");
        } else {
            std::string option = known;
            std::transform(option.begin(), option.end(), option.begin(), ::toupper);
            CHECK(result.exit_code == 2);
            CHECK_THAT(result.err,
                       Catch::StartsWith("certforge: error: backend '" + known +
                                         "' is not in this build (it was configured with "
                                         "CERTFORGE_WITH_" +
                                         option + "=OFF); this build has "));
        }
    }
}

TEST_CASE("make: server.pfx is 3DES by default and AES when asked", "[export][make]") {
    const auto names = certforge::test::backend_names();
    if (std::find(names.begin(), names.end(), "openssl") == names.end()) {
        TempDir dir;
        const auto made = run_certforge({"make", "--profile", "konica-legacy", "--cn", "print",
                                         "--out", (dir / "out").string()});
        CHECK(made.exit_code == 0);
        CHECK_THAT(made.err, Catch::Contains("server.pfx and the bundle's device.p12 are not "
                                             "written: PKCS#12 and PKCS#7 files are written with "
                                             "OpenSSL"));
        CHECK_FALSE(fs::exists(dir / "out" / "server.pfx"));
        return;
    }
    Issued issued(names.front());
    const std::string des = openssl_pkcs12_info(issued.out + "/server.pfx", false);
    CHECK_THAT(des, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK_THAT(des, Catch::Contains("MAC: sha1"));
    CHECK(des.find("AES") == std::string::npos);

    const std::string aes_out = issued.path("aes");
    REQUIRE(run_certforge({"make", "--profile", "default", "--cn", "print.corp.local", "--out",
                           aes_out, "--pkcs12", "aes", "--password-file", issued.password_file,
                           "--key", certforge::test::fixture_key("rsa2048").string()})
                .exit_code == 0);
    const std::string aes = openssl_pkcs12_info(aes_out + "/server.pfx", false);
    CHECK_THAT(aes, Catch::Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC"));
    CHECK_THAT(aes, Catch::Contains("MAC: sha256"));
    const auto bad = run_certforge({"make", "--profile", "default", "--cn", "print", "--out",
                                    issued.path("x"), "--pkcs12", "des"});
    CHECK(bad.exit_code == 2);
}

TEST_CASE("make: a folder given with a trailing slash is named once in the messages", "[cli]") {
    TempDir dir;
    const std::string out = (dir / "ts").string();
    const auto made =
        run_certforge({"make", "--profile", "default", "--cn", "print", "--key",
                       certforge::test::fixture_key("rsa2048").string(), "--out", out + "/"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK_THAT(made.err, Catch::Contains(pfx_message(out)));
    CHECK(made.err.find("//") == std::string::npos);
    CHECK(made.out.find("//") == std::string::npos);
}
