// SPDX-License-Identifier: Apache-2.0
// `certforge export`: PFX, JKS, PKCS#7, DER and PEM outputs, passwords, and
// what it refuses; everything read back by tools certforge did not write:
// openssl, keytool, pk12util, certtool, python3-cryptography.
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using certforge::test::Issued;
using certforge::test::kPassword;
using certforge::test::mode_of;
using certforge::test::openssl_pkcs12_info;
using certforge::test::read_text;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

std::string pubkey_of_cert(const std::string& pem) {
    return run({"openssl", "x509", "-in", pem, "-noout", "-pubkey"}).out;
}

} // namespace

TEST_CASE("export: the three PFX encryptions, as openssl reports them", "[export]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Issued issued(backend);
    const auto names = certforge::test::backend_names();
    const bool have_openssl = std::find(names.begin(), names.end(), "openssl") != names.end();
    if (!have_openssl) {
        const auto refused = issued.export_as("pfx", "x.pfx", backend);
        CHECK(refused.exit_code == 2);
        CHECK_THAT(refused.err, Catch::Contains("PKCS#12 and PKCS#7 files are written with "
                                                "OpenSSL, and this build has no OpenSSL backend"));
        return;
    }
    REQUIRE(issued.export_as("pfx", "aes.pfx", backend).exit_code == 0);
    REQUIRE(issued.export_as("pfx-3des", "3des.pfx", backend).exit_code == 0);
    REQUIRE(issued.export_as("pfx-rc2", "rc2.pfx", backend).exit_code == 0);
    CHECK(mode_of(issued.path("aes.pfx")) == 0600);

    const std::string aes = openssl_pkcs12_info(issued.path("aes.pfx"), false);
    CHECK_THAT(aes, Catch::Contains("MAC: sha256, Iteration 2048"));
    CHECK_THAT(aes, Catch::Contains("PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration "
                                    "2048, PRF hmacWithSHA256"));
    CHECK_THAT(aes, Catch::Contains("Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 2048, "
                                    "PRF hmacWithSHA256"));

    const std::string des = openssl_pkcs12_info(issued.path("3des.pfx"), false);
    CHECK_THAT(des, Catch::Contains("MAC: sha1, Iteration 2048"));
    CHECK_THAT(des, Catch::Contains("PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK_THAT(des, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK(des.find("AES") == std::string::npos);
    CHECK(des.find("sha256") == std::string::npos);

    const std::string rc2 = openssl_pkcs12_info(issued.path("rc2.pfx"), true);
    CHECK_THAT(rc2, Catch::Contains("MAC: sha1, Iteration 2048"));
    CHECK_THAT(rc2, Catch::Contains("PKCS7 Encrypted data: pbeWithSHA1And40BitRC2-CBC"));
    CHECK_THAT(rc2, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK(rc2.find("AES") == std::string::npos);

    for (const char* file : {"aes.pfx", "3des.pfx", "rc2.pfx"}) {
        INFO(file);
        std::vector<std::string> argv{"openssl",
                                      "pkcs12",
                                      "-in",
                                      issued.path(file),
                                      "-nodes",
                                      "-passin",
                                      std::string("pass:") + kPassword};
        if (std::string(file) == "rc2.pfx") {
            argv.push_back("-legacy");
        }
        const auto dump = run(argv);
        REQUIRE(dump.exit_code == 0);
        CHECK(std::count(dump.out.begin(), dump.out.end(), '\n') > 10);
        CHECK_THAT(dump.out, Catch::Contains("friendlyName: server"));
        CHECK_THAT(dump.out, Catch::Contains("subject=CN = Print CA"));
        CHECK_THAT(dump.out, Catch::Contains("-----BEGIN PRIVATE KEY-----"));
    }
}

TEST_CASE("export: PFX files read by keytool, NSS, GnuTLS and python", "[export]") {
    const auto names = certforge::test::backend_names();
    if (std::find(names.begin(), names.end(), "openssl") == names.end()) {
        // Key, certificate and password are all given: what refuses is the
        // missing OpenSSL backend, which writes PKCS#12, and nothing else.
        TempDir dir;
        const auto cert = certforge::test::openssl_cert(dir, "server", {});
        const auto refused =
            run_certforge({"export", "--key", certforge::test::fixture_key("rsa2048").string(),
                           "--cert", cert.string(), "--format", "pfx", "--out",
                           (dir / "x.pfx").string(), "--password-env", "PFX_PASSWORD"},
                          {{"PFX_PASSWORD", kPassword}});
        CHECK(refused.exit_code == 2);
        CHECK(refused.err == "certforge: error: PKCS#12 and PKCS#7 files are written with OpenSSL, "
                             "and this build has no OpenSSL backend (configure with "
                             "CERTFORGE_WITH_OPENSSL=ON)\n");
        CHECK_FALSE(fs::exists(dir / "x.pfx"));
        return;
    }
    Issued issued("openssl");
    for (const std::string format : {"pfx", "pfx-3des", "pfx-rc2"}) {
        INFO(format);
        const std::string file = issued.path(format + ".p12");
        REQUIRE(issued.export_as(format, format + ".p12", "openssl").exit_code == 0);

        require_tool("keytool", "openjdk-17-jre-headless");
        const auto keytool = run({"keytool", "-list", "-v", "-storetype", "PKCS12", "-keystore",
                                  file, "-storepass", kPassword});
        INFO(keytool.out << keytool.err);
        CHECK(keytool.exit_code == 0);
        CHECK_THAT(keytool.out, Catch::Contains("Alias name: server"));
        CHECK_THAT(keytool.out, Catch::Contains("Entry type: PrivateKeyEntry"));
        CHECK_THAT(keytool.out, Catch::Contains("Certificate chain length: 2"));

        require_tool("pk12util", "libnss3-tools");
        write_text(issued.path("nsspw"), kPassword);
        const auto nss = run({"pk12util", "-l", file, "-w", issued.path("nsspw")});
        INFO(nss.out << nss.err);
        CHECK(nss.exit_code == 0);
        CHECK_THAT(nss.out, Catch::Contains("Certificate(has private key):"));
        CHECK_THAT(nss.out, Catch::Contains("Subject: \"CN=Print CA\""));

        require_tool("certtool", "gnutls-bin");
        const auto gnutls =
            run({"certtool", "--p12-info", "--inder", "--infile", file, "--password", kPassword});
        INFO(gnutls.out << gnutls.err);
        CHECK(gnutls.exit_code == 0);
        CHECK_THAT(gnutls.out, Catch::Contains(format == "pfx" ? "MAC: SHA256" : "MAC: SHA1"));
        CHECK_THAT(gnutls.out, Catch::Contains(format == "pfx"        ? "Cipher: AES-256-CBC"
                                               : format == "pfx-3des" ? "Cipher: 3DES-CBC"
                                                                      : "Cipher: RC2-40"));

        const auto python = run(
            {"/usr/bin/python3", "-c",
             "import sys\nfrom cryptography.hazmat.primitives.serialization import pkcs12\n"
             "k, c, extra = pkcs12.load_key_and_certificates(open(sys.argv[1], 'rb').read(), "
             "sys.argv[2].encode())\n"
             "print(k.key_size, c.subject.rfc4514_string(), [e.subject.rfc4514_string() for e in "
             "extra])\n",
             file, kPassword});
        INFO(python.err);
        CHECK(python.out == "1024 CN=print.corp.local ['CN=Print CA']\n");
    }
}

TEST_CASE("export: JKS keystores that keytool lists and converts", "[export][jks]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    require_tool("keytool", "openjdk-17-jre-headless");
    Issued issued(backend);
    REQUIRE(issued.export_as("jks", "server.jks", backend).exit_code == 0);
    REQUIRE(issued.export_as("truststore-jks", "trust.jks", backend).exit_code == 0);
    CHECK(mode_of(issued.path("server.jks")) == 0600);

    const auto list = run({"keytool", "-list", "-v", "-storetype", "JKS", "-keystore",
                           issued.path("server.jks"), "-storepass", kPassword});
    INFO(list.out << list.err);
    REQUIRE(list.exit_code == 0);
    CHECK_THAT(list.out, Catch::Contains("Keystore type: JKS"));
    CHECK_THAT(list.out, Catch::Contains("Your keystore contains 2 entries"));
    CHECK_THAT(list.out, Catch::Contains("Alias name: server\nCreation date"));
    CHECK_THAT(list.out,
               Catch::Contains("Entry type: PrivateKeyEntry\nCertificate chain length: 2"));
    CHECK_THAT(list.out, Catch::Contains("Alias name: ca\nCreation date"));
    CHECK_THAT(list.out, Catch::Contains("Entry type: trustedCertEntry"));

    const auto trust = run({"keytool", "-list", "-storetype", "JKS", "-keystore",
                            issued.path("trust.jks"), "-storepass", kPassword});
    CHECK(trust.exit_code == 0);
    CHECK_THAT(trust.out, Catch::Contains("Your keystore contains 1 entry"));
    CHECK_THAT(trust.out, Catch::Contains("ca, "));
    CHECK_THAT(trust.out, Catch::Contains("trustedCertEntry"));

    const auto wrong = run({"keytool", "-list", "-storetype", "JKS", "-keystore",
                            issued.path("server.jks"), "-storepass", "not-it"});
    CHECK(wrong.exit_code != 0);
    CHECK_THAT(wrong.out + wrong.err, Catch::Contains("password was incorrect"));

    // keytool decrypts the key (Sun's key protector) when it converts the store.
    const auto converted = run({"keytool", "-importkeystore", "-noprompt", "-srckeystore",
                                issued.path("server.jks"), "-srcstoretype", "JKS", "-srcstorepass",
                                kPassword, "-destkeystore", issued.path("converted.p12"),
                                "-deststoretype", "PKCS12", "-deststorepass", kPassword});
    INFO(converted.out << converted.err);
    REQUIRE(converted.exit_code == 0);
    const auto key_out = run({"openssl", "pkcs12", "-in", issued.path("converted.p12"), "-nodes",
                              "-nocerts", "-passin", std::string("pass:") + kPassword});
    REQUIRE(key_out.exit_code == 0);
    write_text(issued.path("converted.key"), key_out.out);
    const auto pub_converted =
        run({"openssl", "pkey", "-in", issued.path("converted.key"), "-pubout"});
    CHECK(pub_converted.out == pubkey_of_cert(issued.cert()));
}

TEST_CASE("export: round trips through PFX and JKS keep the key and chain", "[export]") {
    const auto names = certforge::test::backend_names();
    const std::string backend = names.front();
    Issued issued(backend);
    const bool have_openssl = std::find(names.begin(), names.end(), "openssl") != names.end();
    std::string source = issued.path("start.jks");
    REQUIRE(issued.export_as("jks", "start.jks", backend).exit_code == 0);
    if (have_openssl) {
        REQUIRE(run_certforge({"export", "--in", source, "--in-password-file", issued.password_file,
                               "--format", "pfx", "--out", issued.path("mid.pfx"),
                               "--password-file", issued.password_file})
                    .exit_code == 0);
        source = issued.path("mid.pfx");
        REQUIRE(run_certforge({"export", "--in", source, "--in-password-file", issued.password_file,
                               "--format", "pfx-3des", "--out", issued.path("legacy.pfx"),
                               "--password-file", issued.password_file})
                    .exit_code == 0);
        source = issued.path("legacy.pfx");
    }
    REQUIRE(run_certforge({"export", "--in", source, "--in-password-file", issued.password_file,
                           "--format", "jks", "--out", issued.path("end.jks"), "--password-file",
                           issued.password_file})
                .exit_code == 0);
    const auto bundle =
        run_certforge({"export", "--in", issued.path("end.jks"), "--in-password-env", "PW",
                       "--format", "pem-bundle", "--out", issued.path("end.pem")},
                      {{"PW", kPassword}});
    INFO(bundle.err);
    REQUIRE(bundle.exit_code == 0);
    CHECK(read_text(issued.path("end.pem")) ==
          read_text(issued.cert()) + read_text(issued.ca_cert()));

    // The key survived too: a PFX made from the last JKS holds the original key.
    REQUIRE(run_certforge({"verify", "--profile", "konica-legacy", issued.path("end.jks"),
                           "--password-file", issued.password_file})
                .exit_code == 0);
}

TEST_CASE("export: PKCS#7, DER and PEM outputs", "[export]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    if (std::find(names.begin(), names.end(), "openssl") != names.end()) {
        REQUIRE(issued.export_as("p7b", "chain.p7b", names.front()).exit_code == 0);
        const auto p7 = run({"openssl", "pkcs7", "-inform", "DER", "-in", issued.path("chain.p7b"),
                             "-print_certs", "-noout"});
        INFO(p7.err);
        REQUIRE(p7.exit_code == 0);
        CHECK(p7.out == "subject=CN = print.corp.local\nissuer=CN = Print CA\n\n"
                        "subject=CN = Print CA\nissuer=CN = Print CA\n\n");
        CHECK(mode_of(issued.path("chain.p7b")) == 0644);
    }
    REQUIRE(run_certforge({"export", "--cert", issued.ca_cert(), "--format", "der", "--out",
                           issued.path("ca.cer")})
                .exit_code == 0);
    const auto der = run(
        {"openssl", "x509", "-inform", "DER", "-in", issued.path("ca.cer"), "-noout", "-subject"});
    CHECK(der.out == "subject=CN = Print CA\n");
    REQUIRE(run_certforge({"export", "--cert", issued.cert(), "--format", "pem", "--out",
                           issued.path("leaf.pem")})
                .exit_code == 0);
    CHECK(read_text(issued.path("leaf.pem")) == read_text(issued.cert()));
}

TEST_CASE("export: passwords come from files, the environment or are generated", "[export]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    const std::string format =
        std::find(names.begin(), names.end(), "openssl") != names.end() ? "pfx-3des" : "jks";
    const auto generated = run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(),
                                          "--format", format, "--out", issued.path("g.out")});
    INFO(generated.err);
    REQUIRE(generated.exit_code == 0);
    CHECK(generated.err == "certforge: note: generated a password for " + issued.path("g.out") +
                               ": it is in " + issued.path("g.out.pass") + " (0600)\n");
    CHECK(mode_of(issued.path("g.out.pass")) == 0600);
    const std::string password = read_text(issued.path("g.out.pass"));
    CHECK(password.size() == 21);
    CHECK(run_certforge({"verify", "--profile", "konica-legacy", issued.path("g.out"),
                         "--password-file", issued.path("g.out.pass")})
              .exit_code == 0);

    const auto from_env =
        run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(), "--format", format,
                       "--out", issued.path("e.out"), "--password-env", "CF_PW"},
                      {{"CF_PW", "from-the-env"}});
    REQUIRE(from_env.exit_code == 0);
    CHECK_FALSE(fs::exists(issued.path("e.out.pass")));
    write_text(issued.path("envpw"), "from-the-env\n");
    CHECK(run_certforge({"verify", "--profile", "konica-legacy", issued.path("e.out"),
                         "--password-file", issued.path("envpw")})
              .exit_code == 0);

    const auto unset =
        run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(), "--format", format,
                       "--out", issued.path("u.out"), "--password-env", "CF_NOT_SET"});
    CHECK(unset.exit_code == 3);
    CHECK(unset.err == "certforge: error: the environment variable CF_NOT_SET is not set\n");

    write_text(issued.path("empty"), "\n");
    const auto empty =
        run_certforge({"export", "--key", issued.key(), "--cert", issued.cert(), "--format", format,
                       "--out", issued.path("x.out"), "--password-file", issued.path("empty")});
    CHECK(empty.exit_code == 3);
    CHECK_THAT(empty.err, Catch::Contains("an empty password is allowed only with --profile"));
    CHECK_FALSE(fs::exists(issued.path("x.out")));

    const auto help = run_certforge({"export", "--help"});
    CHECK(help.out.find("--password ") == std::string::npos);
    CHECK_THAT(help.out, Catch::Contains("--password-file"));
}

TEST_CASE("export: wrong passwords and broken containers write nothing", "[export]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    REQUIRE(issued.export_as("jks", "s.jks", names.front()).exit_code == 0);
    write_text(issued.path("bad"), "wrong\n");
    const auto wrong_jks = run_certforge({"export", "--in", issued.path("s.jks"),
                                          "--in-password-file", issued.path("bad"), "--format",
                                          "pem-bundle", "--out", issued.path("o.pem")});
    CHECK(wrong_jks.exit_code == 3);
    CHECK(wrong_jks.err == "certforge: error: " + issued.path("s.jks") +
                               ": wrong password (the keystore integrity check failed)\n");
    CHECK_FALSE(fs::exists(issued.path("o.pem")));

    const std::string jks = read_text(issued.path("s.jks"));
    write_text(issued.path("cut.jks"), jks.substr(0, jks.size() / 2));
    const auto cut = run_certforge({"verify", "--profile", "konica-legacy", issued.path("cut.jks"),
                                    "--password-file", issued.password_file});
    CHECK(cut.exit_code == 3);
    CHECK_THAT(cut.err, Catch::Contains(": wrong password (the keystore integrity check failed)"));

    if (std::find(names.begin(), names.end(), "openssl") == names.end()) {
        return;
    }
    const std::string pfx = issued.out + "/server.pfx";
    const auto wrong_pfx =
        run_certforge({"export", "--in", pfx, "--in-password-file", issued.path("bad"), "--format",
                       "pem-bundle", "--out", issued.path("o.pem")});
    CHECK(wrong_pfx.exit_code == 3);
    CHECK(wrong_pfx.err == "certforge: error: " + pfx +
                               ": wrong password (or a damaged file: the PKCS#12 integrity check "
                               "failed)\n");
    const std::string der = read_text(pfx);
    write_text(issued.path("cut.pfx"), der.substr(0, der.size() - 100));
    const auto broken = run_certforge({"export", "--in", issued.path("cut.pfx"),
                                       "--in-password-file", issued.password_file, "--format",
                                       "pem-bundle", "--out", issued.path("o.pem")});
    CHECK(broken.exit_code == 3);
    CHECK(broken.err == "certforge: error: " + issued.path("cut.pfx") +
                            ": the PKCS#12 file is not one DER object (cut short: its declared "
                            "length runs past the end)\n");
    CHECK_FALSE(fs::exists(issued.path("o.pem")));
    const auto needs_key = run_certforge(
        {"export", "--cert", issued.cert(), "--format", "pfx", "--out", issued.path("k.pfx")});
    CHECK(needs_key.exit_code == 2);
    CHECK_THAT(needs_key.err, Catch::Contains("--format pfx needs the private key"));
}

TEST_CASE("export: on a terminal the password is asked twice, without echo", "[export]") {
    require_tool("script", "bsdutils");
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    const std::string format =
        std::find(names.begin(), names.end(), "openssl") != names.end() ? "pfx-3des" : "jks";
    auto typed = [&](const std::string& first, const std::string& second, const std::string& out) {
        const std::string command = std::string(CERTFORGE_BINARY) + " export --key " +
                                    issued.key() + " --cert " + issued.cert() + " --format " +
                                    format + " --out " + issued.path(out);
        return run({"sh", "-c",
                    "(sleep 1; printf '%s\\n' \"$0\"; sleep 0.5; printf '%s\\n' \"$1\") | "
                    "script -qec \"$2\" /dev/null",
                    first, second, command});
    };
    const auto asked = typed("typed-secret", "typed-secret", "tty.out");
    INFO(asked.out << asked.err);
    CHECK(asked.exit_code == 0);
    CHECK_THAT(asked.out, Catch::Contains("Password for tty.out (Enter: generate one): "));
    CHECK_THAT(asked.out, Catch::Contains("Password for tty.out again: "));
    CHECK(asked.out.find("typed-secret") == std::string::npos);
    CHECK_FALSE(fs::exists(issued.path("tty.out.pass")));
    certforge::test::write_text(issued.path("typed"), "typed-secret\n");
    CHECK(run_certforge({"verify", "--profile", "konica-legacy", issued.path("tty.out"),
                         "--password-file", issued.path("typed")})
              .exit_code == 0);

    const auto differ = typed("one-thing", "another", "tty2.out");
    CHECK(differ.exit_code == 3);
    CHECK_THAT(differ.out, Catch::Contains("the two passwords differ"));
    CHECK_FALSE(fs::exists(issued.path("tty2.out")));

    // Enter asks for a generated password, written beside the file.
    const auto entered = typed("", "", "tty3.out");
    INFO(entered.out);
    CHECK(entered.exit_code == 0);
    CHECK(entered.out.find("again") == std::string::npos);
    CHECK_THAT(entered.out, Catch::Contains("generated a password for"));
    REQUIRE(fs::exists(issued.path("tty3.out.pass")));
    CHECK(certforge::test::mode_of(issued.path("tty3.out.pass")) == 0600);
    CHECK(run_certforge({"verify", "--profile", "konica-legacy", issued.path("tty3.out"),
                         "--password-file", issued.path("tty3.out.pass")})
              .exit_code == 0);
}

TEST_CASE("export: a JKS with a valid digest but a broken key entry is refused cleanly",
          "[export][jks]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    REQUIRE(issued.export_as("jks", "good.jks", names.front()).exit_code == 0);
    // Python rewrites part of the key entry and recomputes the store digest
    // (SHA-1 over UTF-16BE password, "Mighty Aphrodite", contents), so only
    // the structure is wrong: the key protector's algorithm identifier.
    const std::string script = R"(
import hashlib, sys
data = bytearray(open(sys.argv[1], 'rb').read()[:-20])
at = data.find(bytes([0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a]))
assert at > 0
data[at + 1] = 0x03
password = sys.argv[3].encode('utf-16-be')
digest = hashlib.sha1(password + b'Mighty Aphrodite' + bytes(data)).digest()
open(sys.argv[2], 'wb').write(bytes(data) + digest)
)";
    const auto patched = run({"/usr/bin/python3", "-c", script, issued.path("good.jks"),
                              issued.path("bad.jks"), kPassword});
    INFO(patched.err);
    REQUIRE(patched.exit_code == 0);
    const auto refused =
        run_certforge({"verify", "--profile", "konica-legacy", issued.path("bad.jks"),
                       "--password-file", issued.password_file});
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.err, Catch::EndsWith("certforge: error: " + issued.path("bad.jks") +
                                            ": a JKS key entry is not protected with the JKS key "
                                            "protector (JCEKS and PKCS#12 keystores are not "
                                            "JKS)\n"));
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("verify and export --in read RC2 PFX files with the right password", "[export]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Issued issued(backend);
    REQUIRE(issued.export_as("pfx-rc2", "ours.pfx", backend).exit_code == 0);
    const auto legacy = run({"openssl", "pkcs12", "-export", "-legacy", "-inkey", issued.key(),
                             "-in", issued.cert(), "-certfile", issued.ca_cert(), "-passout",
                             "file:" + issued.password_file, "-out", issued.path("legacy.pfx")});
    REQUIRE(legacy.exit_code == 0);
    for (const char* name : {"ours.pfx", "legacy.pfx"}) {
        INFO(name);
        const auto verified =
            run_certforge({"verify", "--profile", "konica-legacy", issued.path(name),
                           "--password-file", issued.password_file, "--backend", backend});
        INFO(verified.out << verified.err);
        // Read and decrypted: the key matches; konica-legacy itself imports no RC2.
        CHECK(verified.exit_code == 1);
        CHECK_THAT(verified.out, Catch::Contains("pass  container.key-matches"));
        CHECK_THAT(verified.out, Catch::Contains("ERROR container.encryption           rc2 (key "
                                                 "PBE-SHA1-3DES"));
        const auto exported =
            run_certforge({"export", "--in", issued.path(name), "--in-password-file",
                           issued.password_file, "--format", "pem-bundle", "--out",
                           issued.path(std::string(name) + ".pem"), "--backend", backend});
        INFO(exported.err);
        CHECK(exported.exit_code == 0);
        write_text(issued.path("wrong"), "not-the-password\n");
        const auto wrong =
            run_certforge({"verify", "--profile", "konica-legacy", issued.path(name),
                           "--password-file", issued.path("wrong"), "--backend", backend});
        CHECK(wrong.exit_code == 3);
        CHECK_THAT(wrong.err, Catch::Contains(": wrong password"));
    }
}
#endif
