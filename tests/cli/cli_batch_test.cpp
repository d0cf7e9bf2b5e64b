// SPDX-License-Identifier: Apache-2.0
// `certforge batch`: per-site certificates, idempotence, renewal, failures,
// dry runs, sites files (cli_batch_kill_test.cpp: kills and thread counts). The ledger and files
// are checked by tests/support/ledger_matches_files.py (python3 sqlite3 + cryptography).
#include "support/batch_fixture.hpp"
#include "support/sqlite_db.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <thread>

using certforge::test::Batch;
using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

std::size_t count_of(const std::string& text, const std::string& word) {
    std::size_t count = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        ++count;
    }
    return count;
}

} // namespace

TEST_CASE("batch: every site gets make's files, a second run issues nothing", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch batch(backend);
    batch.write_sites(4, "password_env = \"SITE_PASSWORD\"");
    const std::map<std::string, std::string> env{{"SITE_PASSWORD", "site secret"}};

    const auto first = batch.run_batch({"--jobs", "2"}, env);
    INFO(first.out << first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(count_of(first.out, "created  site-") == 4);
    CHECK_THAT(first.out, Catch::Contains("4 sites: 4 created, 0 renewed, 0 skipped, 0 failed"));
    std::vector<std::string> files{"ca.crt", "chain.pem", "import-bundle.zip", "server.crt",
                                   "server.key"};
    if (CERTFORGE_TEST_WITH_OPENSSL) {
        files.emplace_back("server.pfx");
    }
    CHECK(certforge::test::listing(batch.out / "site-3") == files);
    CHECK(certforge::test::mode_of(batch.out / "site-3" / "server.key") == 0600);
    batch.require_ledger_matches_files();

    const auto verified =
        run({"openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile",
             (batch.ca / "ca.crt").string(), (batch.out / "site-2" / "server.crt").string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);
    const auto text = run({"openssl", "x509", "-in", (batch.out / "site-2" / "server.crt").string(),
                           "-noout", "-ext", "subjectAltName"});
    CHECK_THAT(text.out, Catch::Contains("DNS:print-2.example.com, IP Address:10.0.0.2"));
    if (CERTFORGE_TEST_WITH_OPENSSL) {
        const auto pfx =
            run({"openssl", "pkcs12", "-in", (batch.out / "site-2" / "server.pfx").string(),
                 "-noout", "-passin", "env:SITE_PASSWORD"},
                env);
        INFO(pfx.err);
        CHECK(pfx.exit_code == 0);
    }
    const std::string before = batch.query("SELECT serial, status FROM certificates");

    const auto second = batch.run_batch({"--json"}, env);
    INFO(second.out << second.err);
    REQUIRE(second.exit_code == 0);
    const auto json = nlohmann::json::parse(second.out);
    CHECK(json["schema"] == "certforge.batch/1");
    REQUIRE(json["sites"].size() == 4);
    for (const auto& site : json["sites"]) {
        CHECK(site["status"] == "skipped");
        CHECK(site["files"].empty());
        CHECK(site["sha256"].get<std::string>().size() == 64);
    }
    CHECK(json["sites"][0]["id"] == "site-1");
    CHECK(json["sites"][0]["line"] == 4);
    CHECK(json["summary"]["skipped"] == 4);
    CHECK(batch.query("SELECT serial, status FROM certificates") == before);
}

TEST_CASE("batch: renewal window and changed names re-issue, the old entry stays", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch batch(backend);
    batch.write_sites(3);
    const auto first = batch.run_batch();
    REQUIRE(first.exit_code == 0);
    if (CERTFORGE_TEST_WITH_OPENSSL) {
        CHECK_THAT(first.err, Catch::Contains("certforge: note: 3 sites got a generated PFX "
                                              "password, in server.pfx.pass (0600) in the "
                                              "site's folder"));
        CHECK(certforge::test::mode_of(batch.out / "site-1" / "server.pfx.pass") == 0600);
    }
    const std::string first_crt = read_text(batch.out / "site-1" / "server.crt");

    // The certificates last 825 days: a 900-day window renews all of them.
    const auto renewed = batch.run_batch({"--renew-within", "900d"});
    INFO(renewed.out << renewed.err);
    REQUIRE(renewed.exit_code == 0);
    CHECK(count_of(renewed.out, "renewed  site-") == 3);
    CHECK_THAT(renewed.out, Catch::Contains("within the renewal window"));
    CHECK(read_text(batch.out / "site-1" / "server.crt") != first_crt);
    CHECK(
        batch.query("SELECT status, count(*) FROM certificates GROUP BY status ORDER BY status") ==
        "superseded|3\nvalid|3\n");
    batch.require_ledger_matches_files();

    // A 100-day window renews nothing; a changed SAN renews that site only.
    std::string sites = read_text(batch.sites);
    sites.replace(sites.find("ip:10.0.0.2"), 11, "ip:10.0.9.2");
    write_text(batch.sites, sites);
    const auto changed = batch.run_batch({"--renew-within", "100d"});
    INFO(changed.out << changed.err);
    REQUIRE(changed.exit_code == 0);
    CHECK_THAT(changed.out,
               Catch::Contains("renewed  site-2") &&
                   Catch::Contains("names changed: CN print-2.example.com SAN "
                                   "dns:print-2.example.com ip:10.0.0.2 -> CN print-2.example.com "
                                   "SAN dns:print-2.example.com ip:10.0.9.2"));
    CHECK_THAT(changed.out,
               Catch::Contains("skipped  site-1") && Catch::Contains("skipped  site-3"));
    CHECK(
        batch.query("SELECT status, count(*) FROM certificates GROUP BY status ORDER BY status") ==
        "superseded|4\nvalid|3\n");
    batch.require_ledger_matches_files();
}

TEST_CASE("batch: a failing site does not stop the others", "[batch]") {
    Batch batch(certforge::test::backend_names().front());
    write_text(batch.sites, fmt::format(R"([defaults]
profiles = ["{}"]

[[site]]
id = "good-1"
cn = "good-1.example.com"

[[site]]
id = "bad-cn"
cn = "bad_host!"

[[site]]
id = "no-profile"
cn = "no-profile.example.com"
profiles = ["no-such-profile"]

[[site]]
id = "no-password"
cn = "no-password.example.com"
password_env = "CERTFORGE_TEST_UNSET_VARIABLE"

[[site]]
id = "good-2"
cn = "good-2.example.com"
)",
                                        batch.profile.string()));
    const auto result = batch.run_batch();
    INFO(result.out << result.err);
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.out,
               Catch::Contains("created  good-1") && Catch::Contains("created  good-2"));
    CHECK_THAT(result.out,
               Catch::Contains("failed   bad-cn (line 8): CN 'bad_host!' is neither a host name "
                               "nor an IP address"));
    CHECK_THAT(result.out, Catch::Contains("failed   no-profile (line 12): unknown profile "
                                           "'no-such-profile'"));
    const bool pfx_needs_password = CERTFORGE_TEST_WITH_OPENSSL;
    if (pfx_needs_password) {
        CHECK_THAT(result.out,
                   Catch::Contains("failed   no-password (line 17): the environment variable "
                                   "CERTFORGE_TEST_UNSET_VARIABLE is not set"));
    }
    // Without the OpenSSL backend no PFX is written, so no password is needed.
    CHECK_THAT(result.err,
               Catch::Contains(pfx_needs_password
                                   ? "certforge: error: 3 sites failed: bad-cn (line 8), "
                                     "no-profile (line 12), no-password (line 17)"
                                   : "certforge: error: 2 sites failed: bad-cn (line 8), "
                                     "no-profile (line 12)"));
    CHECK_FALSE(fs::exists(batch.out / "bad-cn"));
    batch.require_ledger_matches_files();
}

TEST_CASE("batch: a bad sites file is refused with every problem and its line", "[batch]") {
    Batch batch(certforge::test::backend_names().front());
    SECTION("TOML") {
        write_text(batch.sites, R"([defaults]
profiles = ["default"]
colour = "red"

[[site]]
id = "a"
cn = "a.example.com"
sans = "dns:a"

[[site]]
id = "a"
cn = "b.example.com"

[[site]]
id = "../x"
cn = "c.example.com"
formats = ["pfx", "zip"]

[[site]]
id = "d"
cn = = "x"

[[site]]
id = "e"
)");
        const auto result = batch.run_batch();
        CHECK(result.exit_code == 3);
        const std::string file = batch.sites.string();
        const std::string first = "3:1: unknown key 'colour' in [defaults] (known: profiles, "
                                  "profile, server_os, formats, pkcs12, password_env, "
                                  "password_file, organization, organizational_unit, locality, "
                                  "state, country, days)";
        CHECK(result.err == "certforge: error: " + file +
                                ": 7 problems, listed on standard output; no site was touched "
                                "(first: " +
                                first + ")\n");
        CHECK(result.out == file + ":" + first + "\n" + file +
                                ":8:1: 'sans' must be an array of strings, not a string\n" + file +
                                ":10: site id 'a' is used already on line 5\n" + file +
                                ":14: site id '../x' is not a folder name certforge uses: 1-64 "
                                "letters, digits, '-', '_' or '.', not starting with '.' or '-'\n" +
                                file +
                                ":14: site '../x': unknown format 'zip' (one of: pfx, jks, p7b, "
                                "der, import-bundle; server.key, server.crt and chain.pem are "
                                "always written)\n" +
                                file +
                                ":21:6: Error while parsing value: could not determine value "
                                "type\n" +
                                file + ":23: site 'e' has no cn\n");
    }
    SECTION("TOML: a site header that is not spelled [[site]]") {
        write_text(batch.sites, "[[site]]\nid = \"a\"\ncn = \"a.example.com\"\nprofile = "
                                "\"default\"\n\n[[\"site\"]]\nid = \"b\"\ncn = "
                                "\"b.example.com\"\n");
        const auto result = batch.run_batch();
        CHECK(result.exit_code == 3);
        CHECK_THAT(result.err, Catch::Contains(batch.sites.string() +
                                               ":6:1: a second site header that is not [[site]] "
                                               "on its own line: write each one as [[site]]"));
    }
    SECTION("CSV") {
        batch.sites = batch.dir / "sites.csv";
        write_text(batch.sites, "id,cn,sans,profile,colour\n"
                                "a,a.example.com,dns:a;ip:10.1.1.1,default,\n"
                                "b,b.example.com,\"dns:b\nip:300.1.1.1\",default,\n"
                                "c,,,default\n"
                                "d,d.example.com,,,\n");
        const auto result = batch.run_batch();
        CHECK(result.exit_code == 3);
        const std::string file = batch.sites.string();
        const std::string first = "1: unknown column 'colour' (known: id, cn, sans, profiles, "
                                  "profile, server_os, formats, pkcs12, password_env, "
                                  "password_file, organization, organizational_unit, locality, "
                                  "state, country, days, devices)";
        CHECK(result.err == "certforge: error: " + file +
                                ": 4 problems, listed on standard output; no site was touched "
                                "(first: " +
                                first + ")\n");
        CHECK(result.out ==
              file + ":" + first + "\n" + file +
                  ":3: site 'b': SAN 'ip:300.1.1.1' is not a valid IPv4 or IPv6 address\n" + file +
                  ":5: site 'c' has no cn\n" + file +
                  ":6: site 'd' has no profile (set profiles, or profiles in [defaults])\n");
    }
    CHECK_FALSE(fs::exists(batch.out));
}

TEST_CASE("batch: a dry run says what it would do and writes nothing", "[batch]") {
    Batch batch(certforge::test::backend_names().front());
    batch.write_sites(3);
    const auto dry = batch.run_batch({"--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK(count_of(dry.out, "would be created  site-") == 3);
    CHECK_THAT(dry.out, Catch::Contains("3 sites (dry run: nothing written): 3 created"));
    CHECK_FALSE(fs::exists(batch.out));
    CHECK(batch.query("SELECT count(*) FROM certificates") == "0\n");
}

TEST_CASE("batch: a dry run fails every site the real run would fail", "[batch]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    Batch batch(backend);
    fs::create_directories(batch.dir / "a-folder");
    write_text(batch.dir / "empty", "");
    std::string text = fmt::format("[defaults]\nprofiles = [\"{}\"]\n", batch.profile.string());
    const std::vector<std::string> passwords{
        "password_env = \"CERTFORGE_TEST_UNSET\"",
        fmt::format("password_file = \"{}\"", (batch.dir / "a-folder").string()),
        fmt::format("password_file = \"{}\"", (batch.dir / "empty").string()),
        fmt::format("password_file = \"{}\"", (batch.dir / "missing").string()), ""};
    for (std::size_t i = 0; i < passwords.size(); ++i) {
        text += fmt::format("[[site]]\nid = \"site-{}\"\ncn = \"print-{}.example.com\"\n{}\n\n",
                            i + 1, i + 1, passwords[i]);
    }
    write_text(batch.sites, text);
    const auto dry = batch.run_batch({"--dry-run", "--json"});
    const auto real = batch.run_batch({"--json"});
    INFO(dry.out << dry.err << real.out << real.err);
    CHECK(dry.exit_code == real.exit_code);
    const auto planned = nlohmann::json::parse(dry.out)["sites"];
    const auto done = nlohmann::json::parse(real.out)["sites"];
    REQUIRE(planned.size() == passwords.size());
    REQUIRE(done.size() == passwords.size());
    for (std::size_t i = 0; i < passwords.size(); ++i) {
        INFO(passwords[i]);
        CHECK(planned[i]["status"] == done[i]["status"]);
        CHECK(planned[i]["reason"] == done[i]["reason"]);
        // Without OpenSSL there is no PFX, so no password is read at all.
        const bool refused = CERTFORGE_TEST_WITH_OPENSSL && i + 1 < passwords.size();
        CHECK(done[i]["status"] == (refused ? "failed" : "created"));
    }
    if (CERTFORGE_TEST_WITH_OPENSSL) {
        CHECK(planned[0]["reason"] == "the environment variable CERTFORGE_TEST_UNSET is not set");
    }
}

TEST_CASE("batch: the shipped examples work", "[batch]") {
    Batch batch(certforge::test::backend_names().back(), "default");
    for (const char* name : {"sites.toml", "sites.csv"}) {
        INFO(name);
        batch.sites = fs::path(CERTFORGE_SOURCE_DIR) / "examples" / name;
        const auto dry = batch.run_batch({"--dry-run", "--json"});
        INFO(dry.err);
        REQUIRE(dry.exit_code == 0);
        const auto json = nlohmann::json::parse(dry.out);
        REQUIRE(json["sites"].size() == 3);
        CHECK(json["sites"][0]["id"] == "brno-hq");
        CHECK(json["sites"][0]["profile"] == "konica-bizhub-i+ricoh-im-act2");
        CHECK(json["sites"][2]["id"] == "ostrava-warehouse");
    }
    batch.sites = fs::path(CERTFORGE_SOURCE_DIR) / "examples" / "sites.toml";
    const auto real = batch.run_batch();
    INFO(real.out << real.err);
    REQUIRE(real.exit_code == 0);
    batch.require_ledger_matches_files();
    const auto jks =
        run({"keytool", "-list", "-keystore",
             (batch.out / "ostrava-warehouse" / "server.jks").string(), "-storepass",
             read_text(batch.out / "ostrava-warehouse" / "server.pfx.pass").substr(0, 20)});
    INFO(jks.out << jks.err);
    CHECK(jks.exit_code == 0);
    CHECK_THAT(jks.out, Catch::Contains("server, ") && Catch::Contains("PrivateKeyEntry"));
}

TEST_CASE("batch: a progress line on a terminal, none when piped", "[batch]") {
    certforge::test::require_tool("script", "bsdutils");
    Batch batch(certforge::test::backend_names().front());
    batch.write_sites(3);
    const std::string command = std::string(CERTFORGE_BINARY) + " batch " + batch.sites.string() +
                                " --ca " + batch.ca.string() + " --out " + batch.out.string() +
                                " --backend " + batch.backend;
    const auto tty = run({"script", "-qec", command, "/dev/null"});
    INFO(tty.out << tty.err);
    CHECK(tty.exit_code == 0);
    CHECK_THAT(tty.out, Catch::Contains("[1/3] ") && Catch::Contains("[3/3] ") &&
                            Catch::Contains(" sites/s, ETA "));

    const auto piped = batch.run_batch({"--renew-within", "900d"});
    INFO(piped.out << piped.err);
    CHECK(piped.exit_code == 0);
    CHECK_THAT(piped.out, Catch::Contains("3 sites: 0 created, 3 renewed"));
    CHECK(piped.err.find("ETA") == std::string::npos);
    CHECK(piped.out.find("ETA") == std::string::npos);
}

TEST_CASE("batch: sites files with a UTF-8 byte-order mark are read, UTF-16 ones refused",
          "[batch]") {
    Batch batch(certforge::test::backend_names().front());
    const std::string bom = "\xEF\xBB\xBF";
    const std::string profile = batch.profile.string();
    const std::string csv = "id,cn,profiles\ns1,s1.example.com," + profile + "\n";
    const std::string toml =
        "[[site]]\nid = \"t1\"\ncn = \"t1.example.com\"\nprofiles = [\"" + profile + "\"]\n";

    const auto sites_of = [&](const std::string& name, const std::string& bytes) {
        batch.sites = batch.dir / name;
        write_text(batch.sites, bytes);
        const auto result = batch.run_batch({"--dry-run", "--json"});
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        const auto json = nlohmann::json::parse(result.out);
        std::vector<std::string> ids;
        for (const auto& site : json["sites"]) {
            ids.push_back(site["id"].get<std::string>());
        }
        return ids;
    };
    CHECK(sites_of("excel.csv", bom + csv) == std::vector<std::string>{"s1"});
    CHECK(sites_of("notepad.toml", bom + toml) == std::vector<std::string>{"t1"});
    CHECK(sites_of("plain.csv", csv) == std::vector<std::string>{"s1"});
    CHECK(sites_of("crlf.csv", bom + "id,cn,profiles\r\ns1,s1.example.com," + profile + "\r\n") ==
          std::vector<std::string>{"s1"});

    const auto utf16 = [](const std::string& text, bool little_endian) {
        std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
        for (const char c : text) {
            out += little_endian ? std::string{c, '\0'} : std::string{'\0', c};
        }
        return out;
    };
    for (const auto& [name, bytes, mark] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"unicode.csv", utf16(csv, true), "FF FE"},
             {"unicode.toml", utf16(toml, true), "FF FE"},
             {"big-endian.csv", utf16(csv, false), "FE FF"}}) {
        batch.sites = batch.dir / name;
        write_text(batch.sites, bytes);
        const auto refused = batch.run_batch();
        CHECK(refused.exit_code == 3);
        CHECK(refused.err == "certforge: error: " + batch.sites.string() +
                                 ": the file is UTF-16 (byte-order mark " + mark +
                                 "); save it as UTF-8 (in Excel: CSV UTF-8)\n");
        CHECK_FALSE(fs::exists(batch.out));
    }
}
