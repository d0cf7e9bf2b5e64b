// SPDX-License-Identifier: Apache-2.0
// The JSON documents as a whole: serials and SHA-256 fingerprints spelled as
// `openssl x509 -serial` and sha256sum spell them by every command, every
// document kind printed or written and valid against docs/schema/, and the
// schemas refusing wrong documents (tests/support/check_schemas.py). Each
// run_certforge with --json is validated on its own (test_support.cpp).
#include "certforge/json_documents.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

using certforge::test::BackgroundProcess;
using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::RunResult;
using certforge::test::TempDir;
using certforge::test::write_text;
using nlohmann::json;
namespace fs = std::filesystem;
namespace schema = certforge::schema;

namespace {

const fs::path kSource = CERTFORGE_SOURCE_DIR;

// A certificate's serial and SHA-256 fingerprint as certforge spells them,
// from `openssl x509 -serial -fingerprint -sha256`: the serial as openssl
// prints it, the fingerprint's hex digits in lower case.
struct Names {
    std::string serial;
    std::string sha256;
    bool operator==(const Names&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Names& names) {
    return out << "{serial " << names.serial << ", sha256 " << names.sha256 << "}";
}

Names openssl_names(const fs::path& cert) {
    certforge::test::require_tool("openssl", "openssl");
    const auto read = run(
        {"openssl", "x509", "-in", cert.string(), "-noout", "-serial", "-fingerprint", "-sha256"});
    INFO(read.err);
    REQUIRE(read.exit_code == 0);
    std::smatch m;
    const std::regex printed("^serial=(-?[0-9A-F]+)\nsha256 Fingerprint=([0-9A-F:]+)\n$");
    REQUIRE(std::regex_match(read.out, m, printed));
    std::string sha256;
    for (const char c : m[2].str()) {
        if (c != ':') {
            sha256 += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return {m[1], sha256};
}

Names names_in(const json& object) {
    return {object.at("serial").get<std::string>(), object.at("sha256").get<std::string>()};
}

// The document a successful --json run printed.
json document_of(const RunResult& result) {
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
}

// A CA, a certificate made with --ca and one signed from a request, on one
// backend, each with its --json document.
struct Issued {
    TempDir dir;
    std::string backend;
    fs::path ca = dir / "ca";
    fs::path made = dir / "made";
    fs::path signed_cert = dir / "signed.crt";
    json ca_init;
    json make;
    json ca_sign;

    explicit Issued(std::string name) : backend(std::move(name)) {
        write_text(dir / "pw", "Pr1nt-s3cret\n");
        ca_init =
            document_of(run_certforge({"ca", "init", "--profile", "default", "--name", "JSON CA",
                                       "--out", ca.string(), "--backend", backend, "--json"}));
        make = document_of(run_certforge(
            {"make", "--profile", "default", "--cn", "print.corp.local", "--san", "ip:10.1.2.3",
             "--ca", ca.string(), "--key", certforge::test::fixture_key("rsa2048").string(),
             "--out-password-file", (dir / "pw").string(), "--out", made.string(), "--backend",
             backend, "--json"}));
        REQUIRE(run_certforge({"csr", "--profile", "default", "--cn", "scan.corp.local", "--out",
                               (dir / "request").string(), "--backend", backend})
                    .exit_code == 0);
        ca_sign =
            document_of(run_certforge({"ca", "sign", "--ca", ca.string(), "--profile", "default",
                                       (dir / "request" / "server.csr").string(), "--out",
                                       signed_cert.string(), "--backend", backend, "--json"}));
    }

    // `batch --json` of one site, "site-1", into dir/sites.
    json batch(const std::string& sites_file_text, int exit_code = 0) const {
        write_text(dir / "sites.toml", sites_file_text);
        const auto result =
            run_certforge({"batch", (dir / "sites.toml").string(), "--ca", ca.string(), "--out",
                           (dir / "sites").string(), "--backend", backend, "--json"});
        INFO(result.err);
        REQUIRE(result.exit_code == exit_code);
        return json::parse(result.out);
    }
};

// The manifest.json of an import bundle, read by python3's zipfile.
std::string manifest_of(const fs::path& zip) {
    const auto read = run({"/usr/bin/python3", "-c",
                           "import sys, zipfile\n"
                           "sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read("
                           "'manifest.json').decode())\n",
                           zip.string()});
    INFO(read.err);
    REQUIRE(read.exit_code == 0);
    return read.out;
}

constexpr const char* kOneSite = "[[site]]\nid = \"site-1\"\ncn = \"mfd-1.corp.local\"\n"
                                 "profile = \"default\"\n";

#if CERTFORGE_TEST_WITH_OPENSSL
// `probe --json` of a loopback openssl s_server that serves `cert`.
RunResult probe_serving(const fs::path& cert, const fs::path& key,
                        const std::vector<std::string>& extra = {}) {
    const unsigned port = certforge::test::free_port();
    BackgroundProcess server({"openssl", "s_server", "-accept", fmt::format("127.0.0.1:{}", port),
                              "-quiet", "-cert", cert.string(), "-key", key.string()});
    REQUIRE(certforge::test::wait_for_port(port));
    std::vector<std::string> args{"probe", fmt::format("127.0.0.1:{}", port), "--timeout", "3",
                                  "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_certforge(args);
}
#endif

} // namespace

TEST_CASE("json: serials and fingerprints are spelled as openssl x509 -serial and sha256sum "
          "spell them, by every command",
          "[cli][json]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Issued issued(backend);
    const Names ca = openssl_names(issued.ca / "ca.crt");
    const Names made = openssl_names(issued.made / "server.crt");
    const Names signed_ = openssl_names(issued.signed_cert);
    // Upper-case serials, lower-case fingerprints: the spellings differ.
    CHECK(std::regex_match(made.serial, std::regex("^([0-9A-F]{2})+$")));
    CHECK(std::regex_match(made.sha256, std::regex("^[0-9a-f]{64}$")));

    CHECK(names_in(issued.ca_init["certificate"]) == ca);
    CHECK(names_in(issued.make["certificate"]) == made);
    CHECK(names_in(issued.ca_sign["certificate"]) == signed_);
    const auto ca_json = json::parse(read_text(issued.ca / "ca.json"));
    CHECK(ca_json["certificate_sha256"] == ca.sha256);

    const json batch = issued.batch(kOneSite);
    REQUIRE(batch["sites"].size() == 1);
    const Names site = openssl_names(issued.dir / "sites" / "site-1" / "server.crt");
    CHECK(names_in(batch["sites"][0]) == site);

    const json listed =
        document_of(run_certforge({"ca", "list", "--ca", issued.ca.string(), "--json"}));
    CHECK(names_in(listed["ca_certificate"]) == ca);
    std::vector<Names> ledger;
    for (const auto& entry : listed["certificates"]) {
        ledger.push_back(names_in(entry));
    }
    CHECK(ledger == std::vector<Names>{made, signed_, site});
    const json status =
        document_of(run_certforge({"ca", "status", "--ca", issued.ca.string(), "--json"}));
    CHECK(names_in(status["certificate"]) == ca);

    const auto verified = run_certforge({"verify", "--profile", "default", "--backend", backend,
                                         (issued.made / "chain.pem").string(), "--json"});
    const json verify = document_of(verified);
    REQUIRE(verify["files"][0]["certificates"].size() == 2);
    CHECK(names_in(verify["files"][0]["certificates"][0]) == made);
    CHECK(names_in(verify["files"][0]["certificates"][1]) == ca);

    // The text output spells them the same way.
    const auto text = run_certforge({"verify", "--profile", "default", "--backend", backend,
                                     (issued.made / "chain.pem").string()});
    CHECK_THAT(
        text.out,
        Catch::Contains(fmt::format("    serial {}, sha256 {}\n", made.serial, made.sha256)) &&
            Catch::Contains(fmt::format("    serial {}, sha256 {}\n", ca.serial, ca.sha256)));
    const auto list_text = run_certforge({"ca", "list", "--ca", issued.ca.string()});
    CHECK_THAT(list_text.out, Catch::Contains("\n" + made.serial + " ") &&
                                  Catch::Contains("\n" + signed_.serial + " ") &&
                                  Catch::Contains("\n" + site.serial + " "));
    const auto status_text = run_certforge({"ca", "status", "--ca", issued.ca.string()});
    CHECK_THAT(status_text.out, Catch::Contains("  sha256 " + ca.sha256 + "\n"));

    CHECK(names_in(json::parse(
              manifest_of(issued.made / "import-bundle.zip"))["trust_certificate"]) == ca);

#if CERTFORGE_TEST_WITH_OPENSSL
    const json probed =
        document_of(probe_serving(issued.made / "server.crt", issued.made / "server.key",
                                  {"--profile", "default", "--backend", backend}));
    REQUIRE(probed["certificates"].size() == 1);
    CHECK(names_in(probed["certificates"][0]) == made);
    CHECK(names_in(probed["verify"]["certificates"][0]) == made);
#endif
}

TEST_CASE("json: every document kind is printed or written, valid against its schema, and the "
          "schemas refuse wrong documents",
          "[cli][json]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Issued issued(backend);
    const fs::path documents = issued.dir / "documents";
    fs::create_directories(documents);
    std::set<std::string> kinds;
    const auto keep = [&](const std::string& name, const std::string& text) {
        INFO(name << ": " << text);
        const json document = json::parse(text);
        kinds.insert(document.at("schema").get<std::string>());
        write_text(documents / (name + ".json"), text);
    };
    const auto keep_run = [&](const std::string& name, const RunResult& result, int exit_code) {
        INFO(name << ": " << result.err);
        CHECK(result.exit_code == exit_code);
        keep(name, result.out);
    };
    keep("ca-init", issued.ca_init.dump());
    keep("make", issued.make.dump());
    keep("ca-sign", issued.ca_sign.dump());
    keep("ca-folder", read_text(issued.ca / "ca.json"));
    keep("bundle-manifest", manifest_of(issued.made / "import-bundle.zip"));

    const std::string ca = issued.ca.string();
    const std::string chain = (issued.made / "chain.pem").string();
    const std::string key = (issued.made / "server.key").string();
    const std::string cert = (issued.made / "server.crt").string();
    keep_run("version", run_certforge({"version", "--json"}), 0);
    keep_run("profiles-list", run_certforge({"profiles", "list", "--json"}), 0);
    keep_run("profiles-search", run_certforge({"profiles", "search", "konica", "--json"}), 0);
    keep_run("profile", run_certforge({"profiles", "show", "konica-legacy", "--json"}), 0);
    keep_run("profiles-lint", run_certforge({"profiles", "lint", "--all", "--json"}), 0);
    keep_run("csr",
             run_certforge({"csr", "--profile", "default", "--cn", "c.corp.local", "--out",
                            (issued.dir / "csr").string(), "--backend", backend, "--json"}),
             0);
    keep_run(
        "export",
        run_certforge({"export", "--key", key, "--cert", cert, "--format", "pem-chain", "--chain",
                       ca + "/ca.crt", "--out", (issued.dir / "chain-export.pem").string(),
                       "--backend", backend, "--json"}),
        0);
    keep_run("bundle",
             run_certforge({"bundle", "--profile", "default", "--ca", ca, "--out",
                            (issued.dir / "bundle.zip").string(), "--backend", backend, "--json"}),
             0);
    keep_run(
        "verify",
        run_certforge({"verify", "--profile", "default", chain, "--backend", backend, "--json"}),
        0);
    keep_run("verify-all",
             run_certforge({"verify", "--all-profiles", chain, "--backend", backend, "--json"}), 1);
    keep("batch", issued.batch(kOneSite).dump());
    keep("batch-problems",
         issued.batch("[[site]]\nid = \"a\"\n\n[[site]]\nid = \"a\"\ncn = \"a.corp.local\"\n", 3)
             .dump());
    const json listed = document_of(run_certforge({"ca", "list", "--ca", ca, "--json"}));
    keep("ca-list", listed.dump());
    keep_run("ca-revoke",
             run_certforge({"ca", "revoke", "--ca", ca,
                            listed["certificates"][1]["serial"].get<std::string>(), "--reason",
                            "superseded", "--json"}),
             0);
    keep_run("ca-crl", run_certforge({"ca", "crl", "--ca", ca, "--backend", backend, "--json"}), 0);
    keep("ca-list-revoked",
         document_of(run_certforge({"ca", "list", "--ca", ca, "--json"})).dump());
    keep_run("ca-status", run_certforge({"ca", "status", "--ca", ca, "--json"}), 0);
    keep_run("schannel",
             run_certforge({"schannel", "--enable", "tls1.2", "--side", "client", "--out",
                            (issued.dir / "fix.reg").string(), "--json"}),
             0);
    write_text(
        issued.dir / "clean.json",
        R"({"speaks_tls": true, "diagnosis": [{"os": "Windows Server 2019", "cases": []}]})");
    keep_run("schannel-nothing",
             run_certforge({"schannel", "--from-probe", (issued.dir / "clean.json").string(),
                            "--out", (issued.dir / "none.reg").string(), "--json"}),
             0);
    std::set<std::string_view> expected(schema::kAll.begin(), schema::kAll.end());
#if CERTFORGE_TEST_WITH_OPENSSL
    keep_run("probe",
             probe_serving(cert, key,
                           {"--server-os", "windows-server-2012r2", "--profile", "default",
                            "--backend", backend}),
             0);
    write_text(issued.dir / "fleet.txt",
               fmt::format("127.0.0.1:{} switched-off\n", certforge::test::free_port()));
    keep_run("fleet-probe",
             run_certforge({"probe", "--targets", (issued.dir / "fleet.txt").string(), "--timeout",
                            "2", "--backend", backend, "--json"}),
             1);
#else
    expected.erase(schema::kProbe); // a build without OpenSSL cannot probe
    expected.erase(schema::kFleetProbe);
#endif
    CHECK(kinds == std::set<std::string>(expected.begin(), expected.end()));

    // Each document valid, each wrong version of it refused.
    const auto checked =
        run({"/usr/bin/python3", (kSource / "tests" / "support" / "check_schemas.py").string(),
             (kSource / "docs" / "schema").string(), documents.string()});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK(checked.out.empty());
}

TEST_CASE("json: the validator refuses a wrong document with one line per error", "[cli][json]") {
    const json version = json::parse(run_certforge({"version", "--json"}).out);
    CHECK(certforge::test::validate_json(version.dump()).exit_code == 0);

    auto extra = version;
    extra["colour"] = "blue";
    const auto refused = certforge::test::validate_json(extra.dump());
    CHECK(refused.exit_code == 1);
    CHECK(refused.out == "$: Additional properties are not allowed ('colour' was unexpected)\n");

    auto unnamed = version;
    unnamed.erase("schema");
    CHECK(certforge::test::validate_json(unnamed.dump()).out ==
          "$: no \"schema\" member (certforge.NAME/N)\n");

    auto older = version;
    older["schema"] = "certforge.version/0";
    CHECK(certforge::test::validate_json(older.dump()).out ==
          "$.schema: 'certforge.version/0' is not certforge.NAME/N\n");
    older["schema"] = "certforge.version/2";
    CHECK(certforge::test::validate_json(older.dump()).out ==
          "$.schema: version.schema.json describes certforge.version/1, not "
          "certforge.version/2\n");
    older["schema"] = "certforge.colour/1";
    CHECK_THAT(certforge::test::validate_json(older.dump()).out,
               Catch::StartsWith("$.schema: certforge.colour/1 has no schema file"));

    const json crl{{"schema", schema::kCaCrl},
                   {"file", "ca/crl.pem"},
                   {"crl_number", 1},
                   {"this_update", "2026-06-01T12:00:00Z"},
                   {"next_update", "2026-06-08T12:00:00Z"},
                   {"signature_hash", "sha256"},
                   {"revoked", json::array({"0A1B2C", "0a1b2c", "0A:1B"})}};
    const auto serials = certforge::test::validate_json(crl.dump());
    CHECK(serials.exit_code == 1);
    CHECK(serials.out == "$.revoked[1]: '0a1b2c' does not match '^-?(?:[0-9A-F]{2})+$'\n"
                         "$.revoked[2]: '0A:1B' does not match '^-?(?:[0-9A-F]{2})+$'\n");
    CHECK(certforge::test::validate_json("[1, 2]").out ==
          "$: not a JSON object, so no schema id\n");
    CHECK(certforge::test::validate_json("{").out.rfind("$: not JSON: ", 0) == 0);
}

TEST_CASE("json: every schema id has its schema file, and only those ids are in the code",
          "[cli][json]") {
    const fs::path schemas = kSource / "docs" / "schema";
    std::set<std::string> files;
    for (const auto& entry : fs::directory_iterator(schemas)) {
        files.insert(entry.path().filename().string());
    }
    std::set<std::string> expected{"defs.schema.json"};
    for (const std::string_view id : schema::kAll) {
        INFO(id);
        const std::regex spelled(R"(^certforge\.([a-z][a-z0-9-]*)/([1-9][0-9]*)$)");
        std::smatch m;
        const std::string text(id);
        REQUIRE(std::regex_match(text, m, spelled));
        const std::string file = m[1].str() + ".schema.json";
        expected.insert(file);
        REQUIRE(fs::exists(schemas / file));
        const json described = json::parse(read_text(schemas / file));
        CHECK(described["properties"]["schema"]["const"] == text);
    }
    // No file without its id, and ids unique per kind.
    CHECK(files == expected);
    CHECK(expected.size() == schema::kAll.size() + 1);

    // Every id spelled in the sources, the README and the help is one of them.
    const std::regex any_id(R"(certforge\.[a-z][a-z0-9-]*/[0-9]+)");
    std::vector<fs::path> texts{kSource / "README.md"};
    for (const auto& folder : {kSource / "src", kSource / "include"}) {
        for (const auto& entry : fs::recursive_directory_iterator(folder)) {
            if (entry.is_regular_file()) {
                texts.push_back(entry.path());
            }
        }
    }
    for (const auto& path : texts) {
        const std::string text = read_text(path);
        for (auto it = std::sregex_iterator(text.begin(), text.end(), any_id);
             it != std::sregex_iterator(); ++it) {
            INFO(path.string() << " spells " << it->str());
            CHECK(std::find(schema::kAll.begin(), schema::kAll.end(), it->str()) !=
                  schema::kAll.end());
        }
    }

    // The README's example documents are valid.
    const std::string readme = read_text(kSource / "README.md");
    const std::regex block("```json\n([^`]*)```");
    int examples = 0;
    for (auto it = std::sregex_iterator(readme.begin(), readme.end(), block);
         it != std::sregex_iterator(); ++it, ++examples) {
        INFO("README.md example:\n" << (*it)[1].str());
        CHECK(certforge::test::validate_json((*it)[1].str()).out.empty());
    }
    CHECK(examples >= 1);

    // Each schema file is a valid schema of its draft, named for its kind.
    const auto checked =
        run({"/usr/bin/python3", (kSource / "tests" / "support" / "check_schemas.py").string(),
             schemas.string()});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);
}

TEST_CASE("json: a negative serial, which RFC 5280 forbids, is spelled as openssl spells it",
          "[cli][json]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    certforge::test::OpenSslCert spec;
    spec.serial = "-0x0aff00";
    const fs::path cert = certforge::test::openssl_cert(dir, "negative", spec);
    const Names expected = openssl_names(cert);
    CHECK(expected.serial == "-0AFF00");
    const auto verified = run_certforge(
        {"verify", "--profile", "default", cert.string(), "--backend", backend, "--json"});
    CHECK(verified.exit_code == 1);
    const json report = json::parse(verified.out);
    CHECK(names_in(report["files"][0]["certificates"][0]) == expected);
    bool refused = false;
    for (const auto& finding : report["files"][0]["certificates"][0]["findings"]) {
        if (finding["rule"] == "serial.size") {
            refused = finding["status"] == "fail";
        }
    }
    CHECK(refused);
}
