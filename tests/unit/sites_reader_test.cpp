// SPDX-License-Identifier: Apache-2.0
// The sites readers of `certforge batch` (TOML and CSV): every documented key
// and column, [defaults] and what sites inherit from it, every kind of
// problem with its exact message and place (FILE:LINE[:COL]), the error line
// and the problem list, byte-order marks, UTF-16, empty files.
#include "certforge/sites.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace certforge;
using certforge::test::error_of;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

using Lines = std::vector<std::string>;

// The documented keys (README.md, "Batches for deployment pipelines"), as
// the problems list them: every key in [[site]], all but id, cn, sans and
// devices in [defaults].
const std::string kSiteKeys =
    "id, cn, sans, profiles, profile, server_os, formats, pkcs12, password_env, password_file, "
    "organization, organizational_unit, locality, state, country, days, devices";
const std::string kDefaultsKeys =
    "profiles, profile, server_os, formats, pkcs12, password_env, password_file, organization, "
    "organizational_unit, locality, state, country, days";

// The problems of a file as "LINE:COL: message" ("LINE: message" without a
// column), in the order check_sites_file gives them.
Lines problems_of(const std::vector<SitesProblem>& problems) {
    Lines out;
    for (const auto& p : problems) {
        out.push_back(p.column == 0 ? fmt::format("{}: {}", p.line, p.message)
                                    : fmt::format("{}:{}: {}", p.line, p.column, p.message));
    }
    return out;
}

struct SitesFile {
    TempDir dir;
    fs::path path;

    SitesFile(const std::string& name, const std::string& text) : path(dir / name) {
        write_text(path, text);
    }

    // Every site the reader gives, and the problems it found on the way.
    std::vector<SiteSpec> sites(Lines* problems = nullptr) const {
        const auto reader = SitesReader::open(path);
        CHECK(reader->path() == path);
        std::vector<SiteSpec> out;
        std::vector<SitesProblem> found;
        SiteSpec site;
        while (reader->next(site, found)) {
            out.push_back(site);
        }
        // The end stays the end.
        CHECK_FALSE(reader->next(site, found));
        if (problems != nullptr) {
            *problems = problems_of(found);
        } else {
            CHECK(found.empty());
        }
        return out;
    }

    Lines problems() const { return problems_of(check_sites_file(path).problems); }
};

} // namespace

TEST_CASE("sites: TOML with every key, and the defaults that sites inherit and override",
          "[sites]") {
    const SitesFile file("sites.toml", R"(# the deployment
[defaults]
profiles = ["konica-minolta", "hp-futuresmart"]
server_os = "windows-server-2016"
formats = ["pfx", "bundle", "jks"]
pkcs12 = "aes"
password_file = "secrets/pfx.pass"
organization = "Print Corp"
organizational_unit = "IT"
locality = "Berlin"
state = "Berlin"
country = "DE"
days = 400

[[site]]
id = "berlin-1"
cn = "print-1.corp.local"

  [[ site ]]  # the second site sets everything itself
id = "Hamburg_2.x"
cn = "10.20.0.5"
sans = ["dns:print-2.corp.local", "ip:10.20.0.5"]
profile = "kyocera"
server_os = "windows-server-2012r2"
formats = ["pfx", "der", "p7b"]
pkcs12 = "3des"
password_env = "SITE_PASSWORD"
password_file = ""
organization = "Other Corp"
organizational_unit = "Ops"
locality = "Hamburg"
state = "HH"
country = "NL"
days = 90
devices = ["mfd-1.corp.local=ip:10.20.0.21,dns:mfd-1", "mfd-2.corp.local"]

[[site]]
id = "absolute"
cn = "print-3.corp.local"
profiles = ["epson"]
password_file = "/etc/certforge/pfx.pass"
)");
    const auto sites = file.sites();
    REQUIRE(sites.size() == 3);

    const SiteSpec& first = sites[0];
    CHECK(first.id == "berlin-1");
    CHECK(first.line == 15);
    CHECK(first.cn == "print-1.corp.local");
    CHECK(first.sans.empty());
    CHECK(first.profiles == Lines{"konica-minolta", "hp-futuresmart"});
    CHECK(first.server_os == "windows-server-2016");
    CHECK(first.formats == Lines{"pfx", "bundle", "jks"});
    CHECK(first.pkcs12 == "aes");
    CHECK(first.password_env.empty());
    // Relative to the sites file, not to the working directory.
    CHECK(first.password_file == file.dir / "secrets/pfx.pass");
    CHECK(first.subject.common_name.empty());
    CHECK(first.subject.organization == "Print Corp");
    CHECK(first.subject.organizational_unit == "IT");
    CHECK(first.subject.locality == "Berlin");
    CHECK(first.subject.state == "Berlin");
    CHECK(first.subject.country == "DE");
    CHECK(first.days == 400u);
    CHECK(first.devices.empty());

    const SiteSpec& second = sites[1];
    CHECK(second.id == "Hamburg_2.x");
    CHECK(second.line == 19);
    CHECK(second.cn == "10.20.0.5");
    CHECK(second.sans == Lines{"dns:print-2.corp.local", "ip:10.20.0.5"});
    CHECK(second.profiles == Lines{"kyocera"});
    CHECK(second.server_os == "windows-server-2012r2");
    CHECK(second.formats == Lines{"pfx", "der", "p7b"});
    CHECK(second.pkcs12 == "3des");
    CHECK(second.password_env == "SITE_PASSWORD");
    // An empty password_file takes back the inherited one.
    CHECK(second.password_file.empty());
    CHECK(second.subject.organization == "Other Corp");
    CHECK(second.subject.organizational_unit == "Ops");
    CHECK(second.subject.locality == "Hamburg");
    CHECK(second.subject.state == "HH");
    CHECK(second.subject.country == "NL");
    CHECK(second.days == 90u);
    CHECK(second.devices == Lines{"mfd-1.corp.local=ip:10.20.0.21,dns:mfd-1", "mfd-2.corp.local"});

    // What the second site set stays with it: the third inherits the defaults.
    const SiteSpec& third = sites[2];
    CHECK(third.line == 37);
    CHECK(third.profiles == Lines{"epson"});
    CHECK(third.password_file == "/etc/certforge/pfx.pass");
    CHECK(third.subject.organization == "Print Corp");
    CHECK(third.days == 400u);
    CHECK(third.devices.empty());
    CHECK(third.sans.empty());

    const auto check = check_sites_file(file.path);
    CHECK(check.sites == 3);
    CHECK(check.problems.empty());
}

TEST_CASE("sites: without a defaults table a site gets the documented defaults", "[sites]") {
    const SitesFile file("SITES.TOML", "[[site]]\nid = \"a\"\ncn = \"a.example.com\"\n"
                                       "profile = \"default\"\n");
    const auto sites = file.sites();
    REQUIRE(sites.size() == 1);
    CHECK(sites[0].line == 1);
    CHECK(sites[0].formats == Lines{"pfx", "import-bundle"});
    CHECK(sites[0].profiles == Lines{"default"});
    CHECK(sites[0].server_os.empty());
    CHECK(sites[0].pkcs12.empty());
    CHECK(sites[0].password_env.empty());
    CHECK(sites[0].password_file.empty());
    CHECK_FALSE(sites[0].days);
    CHECK(sites[0].subject.organization.empty());
    CHECK(sites[0].subject.country.empty());
}

TEST_CASE("sites: every TOML problem, with its line and column, in file order", "[sites]") {
    const SitesFile file("sites.toml", R"(title = "fleet"
[defaults]
profiles = ["default"]
id = "not-here"
colour = "red"

[[site]]
id = "ok"
cn = "ok.example.com"

[[site]]
id = "typed"
cn = 42
sans = ["dns:a.example.com", 7]
days = 0
formats = "pfx"
colour = "blue"

[[site]]
id = "bad/id"
cn = "x.example.com"
sans = ["a.example.com", "dns:-bad", "ip:300.1.1.1", "uri:x"]
formats = ["pfx", "zip"]
pkcs12 = "des"
password_env = "P"
password_file = "p.txt"
devices = ["=ip:1.2.3.4", "mfd=ip:1.2.3.999", "mfd2", "mfd2=dns:other"]

[[site]]
cn = "nameless.example.com"
profiles = []

[[site]]
id = "ok"
cn = "again.example.com"
[other]
x = 1
[defaults]
days = 5

[[site]]
id = ".hidden"
cn = "h.example.com"
days = 36501
[["site"]]
id = "second"
)");
    const Lines expected{
        "1:1: unknown top-level key 'title': a sites file has [defaults] and [[site]] entries",
        "4:1: unknown key 'id' in [defaults] (known: " + kDefaultsKeys + ")",
        "5:1: unknown key 'colour' in [defaults] (known: " + kDefaultsKeys + ")",
        "11: site 'typed' has no cn",
        "13:1: 'cn' must be a string, not an integer",
        "14:1: 'sans' must be an array of strings, not an array",
        "15:1: 'days' must be 1 to 36500",
        "16:1: 'formats' must be an array of strings, not a string",
        "17:1: unknown key 'colour' in [[site]] (known: " + kSiteKeys + ")",
        "19: site id 'bad/id' is not a folder name certforge uses: 1-64 letters, digits, '-', '_' "
        "or '.', not starting with '.' or '-'",
        "19: site 'bad/id': SAN 'a.example.com' has no type: write dns:NAME or ip:ADDRESS (e.g. "
        "dns:print.corp.local)",
        "19: site 'bad/id': SAN 'dns:-bad' is not a valid host name: the label '-bad' starts or "
        "ends with a hyphen",
        "19: site 'bad/id': SAN 'ip:300.1.1.1' is not a valid IPv4 or IPv6 address",
        "19: site 'bad/id': SAN 'uri:x' has unknown type 'uri': use dns: or ip:",
        "19: site 'bad/id': device '=ip:1.2.3.4': a device entry starts with the device's name: "
        "NAME or NAME=SAN,SAN",
        "19: site 'bad/id': device 'mfd=ip:1.2.3.999': SAN 'ip:1.2.3.999' is not a valid IPv4 or "
        "IPv6 address",
        "19: site 'bad/id': device 'mfd2=dns:other' is listed twice",
        "19: site 'bad/id': unknown format 'zip' (one of: pfx, jks, p7b, der, import-bundle; "
        "server.key, server.crt and chain.pem are always written)",
        "19: site 'bad/id': pkcs12 'des' is not aes, 3des or rc2",
        "19: site 'bad/id': give password_env or password_file, not both",
        "29: the site has no id",
        "29: the site has no profile (set profiles, or profiles in [defaults])",
        "33: site id 'ok' is used already on line 7",
        "36:2: unexpected 'other': a site's settings go under its [[site]] header",
        "38:2: unexpected 'defaults': [defaults] must come before the first [[site]]",
        "41: site id '.hidden' is not a folder name certforge uses: 1-64 letters, digits, '-', '_' "
        "or '.', not starting with '.' or '-'",
        "44:1: 'days' must be 1 to 36500",
        "45:1: a second site header that is not [[site]] on its own line: write each one as "
        "[[site]]",
    };
    const auto check = check_sites_file(file.path);
    CHECK(problems_of(check.problems) == expected);
    CHECK(check.sites == 6);
}

TEST_CASE("sites: a TOML syntax error names its place in the file, and the other sites are "
          "still read",
          "[sites]") {
    const SitesFile file("sites.toml", "[defaults]\nprofiles = [\"default\"]\n\n"
                                       "[[site]]\nid = \"a\"\ncn = \"a.example.com\"\n\n"
                                       "[[site]]\nid = \"b\"\ncn = \"b.example.com\n\n"
                                       "[[site]]\nid = \"c\"\ncn = \"c.example.com\"\n");
    Lines problems;
    const auto sites = file.sites(&problems);
    REQUIRE(sites.size() == 3);
    CHECK(sites[0].id == "a");
    CHECK(sites[2].id == "c");
    CHECK(sites[2].line == 12);
    REQUIRE(problems.size() == 1);
    // The place is certforge's (line 10 of the file, not of the block); the
    // words are toml++'s.
    CHECK_THAT(problems[0], Catch::StartsWith("10:20: Error while parsing string"));

    const SitesFile prelude("p.toml", "[defaults]\nprofiles = [\"default\"\n\n[[site]]\nid = "
                                      "\"a\"\ncn = \"a.example.com\"\n");
    // A broken [defaults] is reported where the file ends it, and nothing
    // of it is inherited.
    const auto read = prelude.sites(&problems);
    REQUIRE(read.size() == 1);
    CHECK(read[0].profiles.empty());
    REQUIRE(problems.size() == 2);
    CHECK_THAT(problems[0], Catch::StartsWith("3:2: Error while parsing array"));
    CHECK(problems[1] == "4: site 'a' has no profile (set profiles, or profiles in [defaults])");
}

TEST_CASE("sites: CSV with every column, quoting, lists, comments and CRLF", "[sites]") {
    const SitesFile file(
        "sites.csv",
        "# exported from the fleet sheet\r\n"
        "ID, CN ,sans,profiles,server_os,formats,pkcs12,password_env,password_file,organization,"
        "organizational_unit,locality,state,country,days,devices\r\n"
        "\r\n"
        "berlin-1,print-1.corp.local,dns:print-1;ip:10.0.0.1,konica-minolta hp-futuresmart,"
        "windows-server-2016,pfx;jks,aes,,secrets/pw,\"Print Corp, Berlin\",IT,Berlin,BE,DE,"
        "400,mfd-1=ip:10.0.0.21\r\n"
        "# a comment between sites\r\n"
        "hamburg-2,  print-2.corp.local  ,\"dns:a\n dns:b\",kyocera,,,,SITE_PW,,\"The "
        "\"\"Print\"\" "
        "Co\"\n"
        "hamburg-3,print-3.corp.local,,epson\n");
    const auto sites = file.sites();
    REQUIRE(sites.size() == 3);

    const SiteSpec& first = sites[0];
    CHECK(first.line == 4);
    CHECK(first.id == "berlin-1");
    CHECK(first.cn == "print-1.corp.local");
    CHECK(first.sans == Lines{"dns:print-1", "ip:10.0.0.1"});
    CHECK(first.profiles == Lines{"konica-minolta", "hp-futuresmart"});
    CHECK(first.server_os == "windows-server-2016");
    CHECK(first.formats == Lines{"pfx", "jks"});
    CHECK(first.pkcs12 == "aes");
    CHECK(first.password_env.empty());
    CHECK(first.password_file == file.dir / "secrets/pw");
    CHECK(first.subject.organization == "Print Corp, Berlin");
    CHECK(first.subject.organizational_unit == "IT");
    CHECK(first.subject.locality == "Berlin");
    CHECK(first.subject.state == "BE");
    CHECK(first.subject.country == "DE");
    CHECK(first.days == 400u);
    CHECK(first.devices == Lines{"mfd-1=ip:10.0.0.21"});

    // A quoted cell across two lines; cells trimmed; empty cells keep the
    // defaults; a short row leaves the rest empty.
    const SiteSpec& second = sites[1];
    CHECK(second.line == 6);
    CHECK(second.cn == "print-2.corp.local");
    CHECK(second.sans == Lines{"dns:a", "dns:b"});
    CHECK(second.formats == Lines{"pfx", "import-bundle"});
    CHECK(second.password_env == "SITE_PW");
    CHECK(second.password_file.empty());
    CHECK(second.subject.organization == "The \"Print\" Co");
    CHECK_FALSE(second.days);

    CHECK(sites[2].line == 8);
    CHECK(sites[2].profiles == Lines{"epson"});
    CHECK(check_sites_file(file.path).sites == 3);
}

TEST_CASE("sites: the CSV column profile, and columns in any order", "[sites]") {
    const SitesFile file("s.csv", "profile,cn,id\ndefault,a.example.com,a\n");
    const auto sites = file.sites();
    REQUIRE(sites.size() == 1);
    CHECK(sites[0].id == "a");
    CHECK(sites[0].cn == "a.example.com");
    CHECK(sites[0].profiles == Lines{"default"});
}

TEST_CASE("sites: every CSV problem, with its line", "[sites]") {
    const SitesFile file("sites.csv", "id,cn,profile,colour,cn,days\n"
                                      "a,a.example.com,default,red,,12\n"
                                      "b,b.example.com,default,,,twelve\n"
                                      "c,c.example.com,default,,,0,extra\n"
                                      "\n"
                                      "a,\"d.example.com\n"
                                      "\",default,,,99999999\n"
                                      "e,e.example.com,,,,\n"
                                      "f,\"f.example.com,default\n");
    const Lines expected{
        "1: unknown column 'colour' (known: " + kSiteKeys + ")",
        "1: column 'cn' appears twice",
        "3: column 'days': 'twelve' is not a number",
        "4: 7 cells, but the header names 6 columns",
        "4: site 'c': days must be 1 to 36500",
        "6: column 'days': '99999999' is not a number",
        "6: site id 'a' is used already on line 2",
        "8: site 'e' has no profile (set profiles, or profiles in [defaults])",
        "9: a quoted cell is not closed",
        "9: site 'f' has no profile (set profiles, or profiles in [defaults])",
    };
    CHECK(file.problems() == expected);

    const SitesFile missing("m.csv", "profile,days\ndefault,3\n");
    CHECK(missing.problems() == Lines{"1: no 'id' column", "1: no 'cn' column",
                                      "2: the site has no id", "2: the site has no cn"});
}

TEST_CASE("sites: empty files", "[sites]") {
    for (const std::string text : {"", "\xEF\xBB\xBF", "\n\n# only a comment\n"}) {
        INFO("CSV of " << text.size() << " bytes");
        const SitesFile csv("sites.csv", text);
        const auto check = check_sites_file(csv.path);
        CHECK(check.sites == 0);
        CHECK(problems_of(check.problems) ==
              Lines{"1: the file is empty: the first row names the columns"});
    }
    // A header alone is a file without sites, not a problem.
    const SitesFile header("sites.csv", "id,cn,profile\n");
    CHECK(check_sites_file(header.path).sites == 0);
    CHECK(header.problems().empty());

    for (const std::string text :
         {"", "\xEF\xBB\xBF", "# nothing yet\n", "[defaults]\nprofiles = [\"default\"]\n"}) {
        INFO("TOML of " << text.size() << " bytes");
        const SitesFile toml("sites.toml", text);
        const auto check = check_sites_file(toml.path);
        CHECK(check.sites == 0);
        CHECK(check.problems.empty());
    }
}

TEST_CASE("sites: a UTF-8 byte-order mark is skipped, UTF-16 is refused in one line", "[sites]") {
    const std::string bom = "\xEF\xBB\xBF";
    const SitesFile csv("sites.csv", bom + "id,cn,profile\nsite-1,a.example.com,default\n");
    const auto csv_sites = csv.sites();
    REQUIRE(csv_sites.size() == 1);
    CHECK(csv_sites[0].id == "site-1");
    CHECK(csv_sites[0].line == 2);

    const SitesFile toml("sites.toml",
                         bom + "[[site]]\nid = \"site-1\"\ncn = \"a.example.com\"\nsans = 1\n");
    Lines problems;
    const auto toml_sites = toml.sites(&problems);
    REQUIRE(toml_sites.size() == 1);
    CHECK(toml_sites[0].id == "site-1");
    CHECK(toml_sites[0].line == 1);
    CHECK(problems ==
          Lines{"4:1: 'sans' must be an array of strings, not an integer",
                "1: site 'site-1' has no profile (set profiles, or profiles in [defaults])"});

    for (const std::string name : {"sites.csv", "sites.toml"}) {
        const auto utf16 = [&](const std::string& mark) {
            std::string text = mark;
            for (const char c : std::string("id,cn\n")) {
                text += mark == "\xFF\xFE" ? std::string{c, '\0'} : std::string{'\0', c};
            }
            return text;
        };
        const SitesFile le(name, utf16("\xFF\xFE"));
        const std::string le_error = "InputError: " + le.path.string() +
                                     ": the file is UTF-16 (byte-order mark FF FE); save it as "
                                     "UTF-8 (in Excel: CSV UTF-8)";
        CHECK(error_of([&] { SitesReader::open(le.path); }) == le_error);
        CHECK(error_of([&] { check_sites_file(le.path); }) == le_error);
        const SitesFile be(name, utf16("\xFE\xFF"));
        CHECK(error_of([&] { check_sites_file(be.path); }) ==
              "InputError: " + be.path.string() +
                  ": the file is UTF-16 (byte-order mark FE FF); save it as UTF-8 (in Excel: CSV "
                  "UTF-8)");
        // The mark alone is enough to tell.
        const SitesFile bare(name, "\xFF\xFE");
        CHECK_THAT(
            error_of([&] { check_sites_file(bare.path); }),
            Catch::StartsWith("InputError: ") &&
                Catch::EndsWith(": the file is UTF-16 (byte-order mark FF FE); save it as UTF-8 "
                                "(in Excel: CSV UTF-8)"));
    }
}

TEST_CASE("sites: files that cannot be read, or are of no known kind", "[sites]") {
    TempDir dir;
    CHECK(error_of([&] { SitesReader::open(dir / "missing.csv"); }) ==
          "InputError: cannot read " + (dir / "missing.csv").string());
    CHECK(error_of([&] { check_sites_file(dir / "missing.toml"); }) ==
          "InputError: cannot read " + (dir / "missing.toml").string());
    write_text(dir / "sites.txt", "id,cn\n");
    CHECK(error_of([&] { SitesReader::open(dir / "sites.txt"); }) ==
          "InputError: " + (dir / "sites.txt").string() +
              ": a sites file is TOML (.toml) or CSV (.csv)");
    write_text(dir / "sites", "id,cn\n");
    CHECK(error_of([&] { check_sites_file(dir / "sites"); }) ==
          "InputError: " + (dir / "sites").string() +
              ": a sites file is TOML (.toml) or CSV (.csv)");
}

TEST_CASE("sites: the error line names the first problem, the list every one", "[sites]") {
    const fs::path path = "/srv/fleet/sites.toml";
    const SitesFileError one(path, {{12, 3, "unknown key 'colour' in [[site]]"}});
    CHECK(std::string(one.what()) ==
          "/srv/fleet/sites.toml:12:3: unknown key 'colour' in [[site]]; no site was touched");
    CHECK(one.path() == path);
    CHECK(one.problems().size() == 1);

    const SitesFileError no_column(path, {{7, 0, "site 'a' has no cn"}});
    CHECK(std::string(no_column.what()) ==
          "/srv/fleet/sites.toml:7: site 'a' has no cn; no site was touched");

    // Control characters from the file are shown escaped, never sent to the
    // terminal as they are.
    const std::vector<SitesProblem> three{
        {2, 1, "first"}, {5, 0, "site 'a\x1b[31m' has no cn"}, {9, 4, "third\nline"}};
    const SitesFileError several(path, three);
    CHECK(std::string(several.what()) ==
          "/srv/fleet/sites.toml: 3 problems, listed on standard output; no site was touched "
          "(first: 2:1: first)");
    CHECK(format_problems(path, three) == "/srv/fleet/sites.toml:2:1: first\n"
                                          "/srv/fleet/sites.toml:5: site 'a\\x1b[31m' has no cn\n"
                                          "/srv/fleet/sites.toml:9:4: third\\x0aline\n");
    CHECK(format_problems(path, three, 1) == "/srv/fleet/sites.toml:2:1: first\n"
                                             "... and 2 more\n");
    CHECK(format_problems(path, {}) == "");
}

TEST_CASE("sites: a device entry is a name and optional SANs", "[sites]") {
    const CertRequest full = parse_device_entry("mfd-1.corp=ip:10.0.0.5,dns:MFD-1");
    CHECK(full.subject.common_name == "mfd-1.corp");
    CHECK(full.subject_alt_names ==
          std::vector<SubjectAltName>{{SanType::ip, "10.0.0.5"}, {SanType::dns, "mfd-1"}});
    CHECK(parse_device_entry("mfd-2").subject_alt_names.empty());
    CHECK(parse_device_entry("mfd-3=").subject_alt_names.empty());
    CHECK(error_of([] { parse_device_entry("=dns:a"); }) ==
          "InputError: a device entry starts with the device's name: NAME or NAME=SAN,SAN");
    CHECK(error_of([] { parse_device_entry("mfd=10.0.0.5"); }) ==
          "InputError: SAN '10.0.0.5' has no type: write dns:NAME or ip:ADDRESS (e.g. "
          "dns:print.corp.local)");
}
