// SPDX-License-Identifier: Apache-2.0
// `certforge bundle` and the import-bundle.zip that make writes: what the
// device imports (CA certificate as PEM or DER, a device PKCS#12), the
// manifest and the README's steps; read back by unzip, sha256sum and openssl.
#include "support/issued.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certforge::test::Issued;
using certforge::test::listing;
using certforge::test::openssl_pkcs12_info;
using certforge::test::read_text;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::write_text;

TEST_CASE("bundle: the zip holds what the device imports, with a manifest", "[export][bundle]") {
    const auto names = certforge::test::backend_names();
    Issued issued(names.front());
    require_tool("unzip", "unzip");
    const std::string zip = issued.out + "/import-bundle.zip";
    const auto tested = run({"unzip", "-t", zip});
    INFO(tested.out);
    CHECK(tested.exit_code == 0);
    CHECK_THAT(tested.out, Catch::Contains("No errors detected"));
    const auto extract = run({"unzip", "-o", "-q", zip, "-d", issued.path("unzipped")});
    REQUIRE(extract.exit_code == 0);
    CHECK(listing(issued.path("unzipped")) ==
          std::vector<std::string>{"README.txt", "ca.crt", "manifest.json"});
    CHECK(read_text(issued.path("unzipped/ca.crt")) == read_text(issued.ca_cert()));
    const auto manifest = nlohmann::json::parse(read_text(issued.path("unzipped/manifest.json")));
    CHECK(manifest["schema"] == "certforge.bundle/2");
    CHECK(manifest["profile"] == "konica-legacy");
    CHECK(manifest["trust_certificate"]["subject"] == "CN=Print CA");
    for (const auto& file : manifest["files"]) {
        const auto sum =
            run({"sha256sum", issued.path("unzipped/" + file["name"].get<std::string>())});
        CHECK(sum.out.substr(0, 64) == file["sha256"].get<std::string>());
    }
    // The fingerprint as sha256sum spells it, the serial as openssl does.
    const auto der = run({"openssl", "x509", "-in", issued.ca_cert(), "-outform", "DER", "-out",
                          issued.path("ca.der")});
    REQUIRE(der.exit_code == 0);
    CHECK(run({"sha256sum", issued.path("ca.der")}).out.substr(0, 64) ==
          manifest["trust_certificate"]["sha256"]);
    CHECK(run({"openssl", "x509", "-in", issued.ca_cert(), "-noout", "-serial"}).out ==
          "serial=" + manifest["trust_certificate"]["serial"].get<std::string>() + "\n");
    const std::string readme = read_text(issued.path("unzipped/README.txt"));
    CHECK_THAT(readme, Catch::Contains(
                           "ca.crt: the certificate the device must trust (PEM/Base64), "
                           "CN=Print CA\r\n  SHA-256 " +
                           manifest["trust_certificate"]["sha256"].get<std::string>() + "\r\n"));
    CHECK_THAT(readme, Catch::Contains("2. Import the CA certificate from this bundle as a trusted "
                                       "CA certificate.\r\n"));
}

#if CERTFORGE_TEST_WITH_OPENSSL
namespace {

// canonish.toml in the test's folder: a device that takes a DER CA and
// imports a PKCS#12 of its own, with vendor steps.
void write_canonish(const Issued& issued) {
    write_text(issued.path("canonish.toml"), R"(id = "canonish"
name = "A device that imports its own key"
extends = "konica-legacy"
legacy = true
sources = ["test"]
[import]
ca_format = "der"
identity_pkcs12 = true
pkcs12_encryption = ["3des"]
steps = ["Settings > Management > Certificate Settings > Register CA Certificate: choose ca.cer", "Key and Certificate Settings > Register Key and Certificate: choose device.p12"]
)");
}

} // namespace

TEST_CASE("bundle: DER CA, device PKCS#12 and steps from the profile", "[export][bundle]") {
    const auto names = certforge::test::backend_names();
    require_tool("unzip", "unzip");
    Issued issued(names.front());
    write_canonish(issued);
    const auto bundle =
        run_certforge({"bundle", "--profile", issued.path("canonish.toml"), "--ca", issued.ca,
                       "--cert", issued.cert(), "--key", issued.key(), "--out",
                       issued.path("b.zip"), "--password-file", issued.password_file});
    INFO(bundle.err);
    REQUIRE(bundle.exit_code == 0);
    REQUIRE(run({"unzip", "-o", "-q", issued.path("b.zip"), "-d", issued.path("b")}).exit_code ==
            0);
    CHECK(listing(issued.path("b")) ==
          std::vector<std::string>{"README.txt", "ca.cer", "device.p12", "manifest.json"});
    const auto der = run({"openssl", "x509", "-inform", "DER", "-in", issued.path("b/ca.cer"),
                          "-noout", "-subject"});
    CHECK(der.out == "subject=CN = Print CA\n");
    const std::string info = openssl_pkcs12_info(issued.path("b/device.p12"), false);
    CHECK_THAT(info, Catch::Contains("Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC"));
    const std::string readme = read_text(issued.path("b/README.txt"));
    CHECK_THAT(readme, Catch::Contains("1. Settings > Management > Certificate Settings > Register "
                                       "CA Certificate: choose ca.cer\r\n2. Key and Certificate"));
    CHECK_THAT(readme,
               Catch::Contains(
                   "device.p12: the device's own key and certificate (print.corp.local), PKCS#12 "
                   "(3des); password: the one given to certforge"));
}
#endif

TEST_CASE("bundle: --json says what was written, errors stay one line on stderr",
          "[export][bundle][json]") {
    const std::string backend = certforge::test::backend_names().front();
    Issued issued(backend, "default");
    const std::vector<std::string> args{
        "bundle", "--profile",          "default",   "--ca",  issued.ca,
        "--out",  issued.path("k.zip"), "--backend", backend, "--json"};
    const auto bundle = run_certforge(args);
    INFO(bundle.err);
    REQUIRE(bundle.exit_code == 0);
    CHECK(bundle.err.empty());
    const auto json = nlohmann::json::parse(bundle.out);
    CHECK(json["schema"] == "certforge.bundle-result/1");
    CHECK(json["profile"] == "default");
    CHECK(json["backend"] == backend);
    CHECK(json["file"] == issued.path("k.zip"));
    CHECK(json["trust_file"] == "ca.crt");
    CHECK(json["trust_certificate"]["subject"] == "CN=Print CA");
    CHECK(json["trust_certificate"]["issuer"] == "CN=Print CA");
    CHECK(json["leaf_certificate"].is_null());
    CHECK(json["device_pkcs12"] == false);
    CHECK(json["password_generated"] == false);
    CHECK(json["files"] == nlohmann::json::array({issued.path("k.zip")}));

    const auto again = run_certforge(args);
    CHECK(again.exit_code == 3);
    CHECK(again.out.empty());
    CHECK(again.err == "certforge: error: refusing to overwrite " + issued.path("k.zip") +
                           " (use --force to replace)\n");
    const auto nothing =
        run_certforge({"bundle", "--profile", "default", "--out", issued.path("n.zip"), "--json"});
    CHECK(nothing.exit_code == 2);
    CHECK(nothing.out.empty());
    CHECK(nothing.err == "certforge: error: say what the device must trust: --ca DIR, or --cert "
                         "for a self-signed certificate\n");
}

#if CERTFORGE_TEST_WITH_OPENSSL
TEST_CASE("bundle: --json with the device's own PKCS#12 and a generated password",
          "[export][bundle][json]") {
    const std::string backend = certforge::test::backend_names().front();
    Issued issued(backend);
    write_canonish(issued);
    const auto bundle =
        run_certforge({"bundle", "--profile", issued.path("canonish.toml"), "--ca", issued.ca,
                       "--cert", issued.cert(), "--key", issued.key(), "--out",
                       issued.path("own.zip"), "--backend", backend, "--json"});
    INFO(bundle.err);
    REQUIRE(bundle.exit_code == 0);
    const auto json = nlohmann::json::parse(bundle.out);
    CHECK(json["trust_file"] == "ca.cer");
    CHECK(json["leaf_certificate"]["subject"] == "CN=print.corp.local");
    CHECK(json["leaf_certificate"]["subject_alt_names"] ==
          nlohmann::json::array({"dns:print.corp.local", "ip:10.1.2.3"}));
    CHECK(json["device_pkcs12"] == true);
    CHECK(json["password_generated"] == true);
    CHECK(json["files"] ==
          nlohmann::json::array({issued.path("own.zip"), issued.path("own.zip.pass")}));
}
#endif
