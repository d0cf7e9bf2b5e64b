// SPDX-License-Identifier: Apache-2.0
// One format vocabulary: `make --formats`, a sites file's `formats` and
// `export --format` name the same formats and write the same thing for
// each, as openssl and keytool read them; older spellings are aliases.
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <sstream>

using certforge::test::Issued;
using certforge::test::kPassword;
using certforge::test::listing;
using certforge::test::read_text;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::RunResult;
namespace fs = std::filesystem;

namespace {

bool have_openssl_backend() {
    const auto names = certforge::test::backend_names();
    return std::find(names.begin(), names.end(), "openssl") != names.end();
}

// keytool's view of a JKS: aliases, entry types, chain lengths and the
// certificates' SHA-256 fingerprints, in keytool's order (no dates).
std::string keytool_entries(const std::string& file) {
    require_tool("keytool", "openjdk-17-jre-headless");
    const auto listed = run({"keytool", "-list", "-v", "-storetype", "JKS", "-keystore", file,
                             "-storepass", kPassword});
    INFO(listed.out << listed.err);
    REQUIRE(listed.exit_code == 0);
    std::istringstream lines(listed.out);
    std::string entries;
    for (std::string line; std::getline(lines, line);) {
        for (const char* prefix : {"Alias name:", "Entry type:", "Certificate chain length:",
                                   "\t SHA256:", "Your keystore contains"}) {
            if (line.rfind(prefix, 0) == 0) {
                entries += line + "\n";
            }
        }
    }
    return entries;
}

// openssl's view of a PFX: MAC, encryption, bags and their attributes, and
// the certificates (not the key).
std::string openssl_pkcs12_bags(const std::string& file) {
    const auto info = run({"openssl", "pkcs12", "-info", "-nokeys", "-in", file, "-passin",
                           std::string("pass:") + kPassword});
    INFO(info.err);
    REQUIRE(info.exit_code == 0);
    return info.out + info.err;
}

RunResult export_from(const std::string& dir, const std::string& format, const std::string& out,
                      const std::string& password_file, const std::string& backend) {
    return run_certforge({"export", "--key", dir + "/server.key", "--cert", dir + "/server.crt",
                          "--chain", dir + "/ca.crt", "--format", format, "--out", out,
                          "--password-file", password_file, "--backend", backend});
}

} // namespace

TEST_CASE("formats: make writes each format of its set as export writes it", "[formats]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Issued issued(backend);
    const bool codec = have_openssl_backend();
    const std::string set = issued.path("set");
    const auto made = run_certforge(
        {"make", "--profile", "konica-legacy", "--cn", "print.corp.local", "--ca", issued.ca,
         "--key", issued.key(), "--out", set, "--password-file", issued.password_file, "--formats",
         "pfx,jks,p7b,der,import-bundle", "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    std::vector<std::string> expected{"ca.crt",     "chain.pem",  "import-bundle.zip", "server.cer",
                                      "server.crt", "server.jks", "server.key"};
    if (codec) {
        expected = {"ca.crt",     "chain.p7b",  "chain.pem",  "import-bundle.zip", "server.cer",
                    "server.crt", "server.jks", "server.key", "server.pfx"};
    }
    CHECK(listing(set) == expected);

    REQUIRE(
        export_from(set, "der", issued.path("e.cer"), issued.password_file, backend).exit_code ==
        0);
    CHECK(read_text(issued.path("e.cer")) == read_text(set + "/server.cer"));

    REQUIRE(
        export_from(set, "jks", issued.path("e.jks"), issued.password_file, backend).exit_code ==
        0);
    const std::string entries = keytool_entries(set + "/server.jks");
    CHECK_THAT(entries, Catch::Contains("Your keystore contains 2 entries"));
    CHECK_THAT(entries, Catch::Contains("Alias name: server\nEntry type: PrivateKeyEntry\n"
                                        "Certificate chain length: 2"));
    CHECK_THAT(entries, Catch::Contains("Alias name: ca\n"));
    CHECK(entries == keytool_entries(issued.path("e.jks")));

    if (!codec) {
        return;
    }
    REQUIRE(
        export_from(set, "p7b", issued.path("e.p7b"), issued.password_file, backend).exit_code ==
        0);
    CHECK(read_text(issued.path("e.p7b")) == read_text(set + "/chain.p7b"));
    const auto p7 = run({"openssl", "pkcs7", "-inform", "DER", "-in", set + "/chain.p7b",
                         "-print_certs", "-noout"});
    CHECK(p7.exit_code == 0);

    // make's server.pfx is 3DES unless --pkcs12 or --server-os say otherwise:
    // the same file export writes as pfx-3des.
    REQUIRE(export_from(set, "pfx-3des", issued.path("e.pfx"), issued.password_file, backend)
                .exit_code == 0);
    const std::string bags = openssl_pkcs12_bags(set + "/server.pfx");
    CHECK_THAT(bags, Catch::Contains("friendlyName: server"));
    CHECK_THAT(bags, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    CHECK(bags == openssl_pkcs12_bags(issued.path("e.pfx")));
}

TEST_CASE("formats: old spellings are aliases, and each command refuses what it cannot write",
          "[formats]") {
    const std::string backend = certforge::test::backend_names().front();
    Issued issued(backend);

    const auto chain = export_from(issued.out, "pem-bundle", issued.path("old.pem"),
                                   issued.password_file, backend);
    REQUIRE(chain.exit_code == 0);
    REQUIRE(
        export_from(issued.out, "pem-chain", issued.path("new.pem"), issued.password_file, backend)
            .exit_code == 0);
    CHECK(read_text(issued.path("old.pem")) == read_text(issued.path("new.pem")));
    CHECK(read_text(issued.path("new.pem")) ==
          read_text(issued.cert()) + read_text(issued.ca_cert()));
    const auto json =
        run_certforge({"export", "--cert", issued.cert(), "--chain", issued.ca_cert(), "--format",
                       "pem-bundle", "--out", issued.path("j.pem"), "--json"});
    CHECK_THAT(json.out, Catch::Contains("\"format\": \"pem-chain\""));

    for (const std::string name : {"import-bundle", "bundle"}) {
        const auto refused =
            export_from(issued.out, name, issued.path("b.zip"), issued.password_file, backend);
        CHECK(refused.exit_code == 2);
        CHECK(refused.err == "certforge: error: --format import-bundle is written by make, batch "
                             "and certforge bundle, not by export\n");
        CHECK_FALSE(fs::exists(issued.path("b.zip")));
    }
    const auto unknown =
        export_from(issued.out, "zip", issued.path("z"), issued.password_file, backend);
    CHECK(unknown.exit_code == 2);
    CHECK(unknown.err == "certforge: error: unknown format 'zip' (one of: pfx, pfx-3des, pfx-rc2, "
                         "jks, truststore-jks, p7b, der, pem, pem-chain, import-bundle)\n");

    const std::string aliases = issued.path("aliases");
    const auto made =
        run_certforge({"make", "--profile", "konica-legacy", "--cn", "print", "--key", issued.key(),
                       "--out", aliases, "--formats", "bundle,der", "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    CHECK(listing(aliases) == std::vector<std::string>{"chain.pem", "import-bundle.zip",
                                                       "server.cer", "server.crt", "server.key"});

    const auto export_only = run_certforge({"make", "--profile", "konica-legacy", "--cn", "print",
                                            "--out", issued.path("x"), "--formats", "pfx-3des"});
    CHECK(export_only.exit_code == 2);
    CHECK(export_only.err ==
          "certforge: error: certforge export's format 'pfx-3des' (one of: pfx, jks, p7b, der, "
          "import-bundle; server.key, server.crt and chain.pem are always written; the PFX "
          "encryption is chosen with pkcs12)\n");
    CHECK_FALSE(fs::exists(issued.path("x")));
}
