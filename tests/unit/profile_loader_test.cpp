// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/profile_catalog.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace certforge;
using certforge::test::TempDir;
using certforge::test::write_text;

namespace {

// A minimal valid profile body (without id) that a test can extend.
const std::string kBody = R"(name = "Test"
sources = ["test"]
)";

// Writes ID.toml with `text` into `dir` and loads it; returns the error text
// (or "loaded" when it loads).
std::string load_error(const TempDir& dir, const std::string& id, const std::string& text) {
    write_text(dir / (id + ".toml"), text);
    try {
        ProfileCatalog({dir.path()}).load(id);
        return "loaded";
    } catch (const ProfileError& e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("profile: a minimal profile gets the modern defaults", "[profile]") {
    TempDir dir;
    write_text(dir / "mini.toml", "id = \"mini\"\n" + kBody);
    const Profile p = ProfileCatalog({dir.path()}).load("mini");
    CHECK(p.id == "mini");
    CHECK(p.key.default_rsa_bits == 2048);
    CHECK(p.signature.default_hash == HashAlgorithm::sha256);
    CHECK_FALSE(p.legacy);
    CHECK_FALSE(p.allows_weak_crypto());
    CHECK(p.extensions.extended_key_usage == std::vector<std::string>{"1.3.6.1.5.5.7.3.1"});
}

TEST_CASE("profile: the first allowed size and hash are the defaults", "[profile]") {
    TempDir dir;
    write_text(dir / "p.toml", "id = \"p\"\n" + kBody +
                                   "[key]\nrsa_bits = [4096, 2048]\n"
                                   "[signature]\nhashes = [\"sha512\", \"sha256\"]\n");
    const Profile p = ProfileCatalog({dir.path()}).load("p");
    CHECK(p.key.default_rsa_bits == 4096);
    CHECK(p.signature.default_hash == HashAlgorithm::sha512);
}

TEST_CASE("profile: errors name file, line and column", "[profile]") {
    TempDir dir;
    const std::string f = (dir / "p.toml").string();

    SECTION("unknown key with a suggestion") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bit = [2048]\n") ==
              f + ":5:1: unknown key 'rsa_bit' in [key] (did you mean 'rsa_bits'?)");
    }
    SECTION("unknown top-level key") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "legacyy = true\n") ==
              f + ":4:1: unknown key 'legacyy' at top level (did you mean 'legacy'?)");
    }
    SECTION("unknown section") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[keys]\nrsa_bits = [2048]\n") ==
              f + ":4:2: unknown section [keys] (did you mean 'key'?)");
    }
    SECTION("wrong type") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bits = \"2048\"\n") ==
              f + ":5:1: key.rsa_bits: expected an array of integers, found a string");
    }
    SECTION("wrong element type") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bits = [2048, \"x\"]\n") ==
              f + ":5:19: key.rsa_bits: expected an array of integers, found an element that "
                  "is a string");
    }
    SECTION("out of range") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[serial]\nbytes = 40\n") ==
              f + ":5:1: serial.bytes: 40 is out of range (9..20)");
    }
    SECTION("out of range element") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bits = [2048, 512]\n") ==
              f + ":5:19: key.rsa_bits: 512 is out of range (1024..16384)");
    }
    SECTION("value not among the choices") {
        CHECK(
            load_error(dir, "p",
                       "id = \"p\"\n" + kBody + "[signature]\nhashes = [\"sha256\", \"sha3\"]\n") ==
            f + ":5:21: signature.hashes: 'sha3' is not one of: md5, sha1, sha224, sha256, "
                "sha384, sha512");
    }
    SECTION("an entry listed twice") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bits = [2048, 2048]\n") ==
              f + ":5:19: key.rsa_bits: 2048 is listed twice");
    }
    SECTION("default size not in the allowed list") {
        CHECK(load_error(dir, "p",
                         "id = \"p\"\n" + kBody +
                             "[key]\nrsa_bits = [2048, 3072]\ndefault_rsa_bits = 4096\n") ==
              f + ":6:1: key.default_rsa_bits: 4096 is not in key.rsa_bits [2048, 3072]");
    }
    SECTION("default hash not in the allowed list") {
        CHECK(load_error(dir, "p",
                         "id = \"p\"\n" + kBody +
                             "[signature]\nhashes = [\"sha256\"]\ndefault_hash = \"sha512\"\n") ==
              f + ":6:1: signature.default_hash: sha512 is not in signature.hashes [sha256]");
    }
    SECTION("SHA-1 without legacy") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[signature]\nhashes = [\"sha1\"]\n") ==
              f + ":5:1: signature.hashes: sha1 is weak and allowed only in a profile marked "
                  "legacy = true");
    }
    SECTION("RSA 1024 without legacy") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key]\nrsa_bits = [1024]\n") ==
              f + ":5:1: key.rsa_bits: 1024 is below 2048 bits and allowed only in a profile "
                  "marked legacy = true");
    }
    SECTION("weak settings are fine with legacy = true") {
        CHECK(load_error(dir, "p",
                         "id = \"p\"\nlegacy = true\n" + kBody +
                             "[key]\nrsa_bits = [1024]\n[signature]\nhashes = [\"sha1\"]\n") ==
              "loaded");
    }
    SECTION("default days above the maximum") {
        CHECK(load_error(dir, "p",
                         "id = \"p\"\n" + kBody +
                             "[validity]\ndefault_days = 400\nmax_days = 300\n") ==
              f + ":5:1: validity.default_days (400) is greater than validity.max_days (300)");
    }
    SECTION("id that does not match the file name") {
        CHECK(load_error(dir, "p", "id = \"q\"\n" + kBody) ==
              f + ":1:1: id 'q' does not match the file name 'p.toml'");
    }
    SECTION("missing required key") {
        CHECK(load_error(dir, "p", "id = \"p\"\nname = \"x\"\n") ==
              f + ":1:1: missing required key 'sources'");
    }
    SECTION("TOML syntax error") {
        CHECK(load_error(dir, "p", "id = \"p\"\nname = \n") ==
              f + ":2:8: TOML syntax error: Error while parsing key-value pair: expected value, "
                  "saw '\\n'");
    }
    SECTION("nested section") {
        CHECK(load_error(dir, "p", "id = \"p\"\n" + kBody + "[key.more]\nx = 1\n") ==
              f + ":4:6: unknown section [key.more]: sections do not nest");
    }
}

TEST_CASE("profile: extends inherits and overrides", "[profile]") {
    TempDir dir;
    write_text(dir / "base.toml", "id = \"base\"\n" + kBody +
                                      "vendor = \"Acme\"\n[validity]\nmax_days = 900\n"
                                      "[extensions]\nextended_key_usage = [\"serverAuth\", "
                                      "\"clientAuth\"]\n");
    write_text(dir / "child.toml", "id = \"child\"\nname = \"Child\"\nextends = \"base\"\n"
                                   "[validity]\ndefault_days = 100\n");
    const Profile p = ProfileCatalog({dir.path()}).load("child");
    CHECK(p.name == "Child");
    CHECK(p.vendor == "Acme");
    CHECK(p.validity.max_days == 900);
    CHECK(p.validity.default_days == 100);
    CHECK(p.extensions.extended_key_usage.size() == 2);
    CHECK(p.extends_chain == std::vector<std::string>{"base"});
}

TEST_CASE("profile: a child may not drop its own name", "[profile]") {
    TempDir dir;
    write_text(dir / "base.toml", "id = \"base\"\n" + kBody);
    CHECK(load_error(dir, "child", "id = \"child\"\nextends = \"base\"\n") ==
          (dir / "child.toml").string() + ":1:1: missing required key 'name'");
}

TEST_CASE("profile: extends cycles and unknown parents are errors", "[profile]") {
    TempDir dir;
    write_text(dir / "a.toml", "id = \"a\"\nextends = \"b\"\n" + kBody);
    write_text(dir / "b.toml", "id = \"b\"\nextends = \"c\"\n" + kBody);
    write_text(dir / "c.toml", "id = \"c\"\nextends = \"a\"\n" + kBody);
    try {
        ProfileCatalog({dir.path()}).load("a");
        FAIL("the cycle was not detected");
    } catch (const ProfileError& e) {
        CHECK(std::string(e.what()) ==
              (dir / "c.toml").string() + ":2:1: extends cycle: a -> b -> c -> a");
    }
    CHECK(load_error(dir, "d", "id = \"d\"\nextends = \"bb\"\n" + kBody) ==
          (dir / "d.toml").string() + ":2:1: extends 'bb': no such profile (did you mean: b?)");
    CHECK(load_error(dir, "e", "id = \"e\"\nextends = \"e\"\n" + kBody) ==
          (dir / "e.toml").string() + ":2:1: extends cycle: e -> e");
}

TEST_CASE("profile: the weak check applies to inherited settings", "[profile]") {
    TempDir dir;
    write_text(dir / "old.toml", "id = \"old\"\n" + kBody + "[signature]\nhashes = [\"sha1\"]\n");
    CHECK(load_error(dir, "new",
                     "id = \"new\"\nname = \"New\"\nextends = \"old\"\nlegacy = false\n") ==
          (dir / "old.toml").string() +
              ":5:1: signature.hashes: sha1 is weak and allowed only in a profile marked legacy "
              "= true");
}

TEST_CASE("profile: a profile below a legacy one says legacy = true itself", "[profile]") {
    TempDir dir;
    write_text(dir / "old.toml",
               "id = \"old\"\nlegacy = true\n" + kBody + "[signature]\nhashes = [\"sha1\"]\n");
    write_text(dir / "middle.toml", "id = \"middle\"\nname = \"Middle\"\nextends = \"old\"\n"
                                    "legacy = true\nsources = [\"x\"]\n");
    const std::string expected =
        ":3:1: extends legacy profile 'old': a profile that extends a legacy profile must say "
        "legacy = true itself";
    CHECK(load_error(dir, "new",
                     "id = \"new\"\nname = \"New\"\nextends = \"old\"\nlegacy = false\n") ==
          (dir / "new.toml").string() + expected);
    CHECK(load_error(dir, "quiet", "id = \"quiet\"\nname = \"Quiet\"\nextends = \"old\"\n") ==
          (dir / "quiet.toml").string() + expected);
    CHECK(load_error(dir, "deep", "id = \"deep\"\nname = \"Deep\"\nextends = \"middle\"\n") ==
          (dir / "deep.toml").string() +
              ":3:1: extends legacy profile 'middle': a profile that extends a legacy profile "
              "must say legacy = true itself");
    CHECK(ProfileCatalog({dir.path()}).load("middle").legacy);
}

TEST_CASE("profile: names are found along the search path, first folder first", "[profile]") {
    TempDir first;
    TempDir second;
    write_text(first / "shared.toml", "id = \"shared\"\nname = \"First\"\nsources = [\"x\"]\n");
    write_text(second / "shared.toml", "id = \"shared\"\nname = \"Second\"\nsources = [\"x\"]\n");
    write_text(second / "only.toml", "id = \"only\"\nname = \"Only\"\nsources = [\"x\"]\n");
    const ProfileCatalog catalog({first.path(), second.path()});
    CHECK(catalog.load("shared").name == "First");
    CHECK(catalog.load("only").name == "Only");
    const auto entries = catalog.entries();
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].id == "only");
    CHECK(entries[1].file == first / "shared.toml");
}

TEST_CASE("profile: an unknown name lists the closest known names", "[profile]") {
    const ProfileCatalog catalog({certforge::test::shipped_profiles()});
    try {
        catalog.load("konica-legcy");
        FAIL("loaded an unknown profile");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "unknown profile 'konica-legcy'; did you mean: konica-legacy?");
    }
    try {
        catalog.load("zzzzzzzzzzzz");
        FAIL("loaded an unknown profile");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "unknown profile 'zzzzzzzzzzzz' (certforge profiles list shows them all)");
    }
}

TEST_CASE("profile: $CERTFORGE_PROFILE_PATH comes before the shipped folder", "[profile]") {
    TempDir dir;
    write_text(dir / "default.toml", "id = \"default\"\nname = \"Mine\"\nsources = [\"x\"]\n");
    ::setenv("CERTFORGE_PROFILE_PATH", (dir.path().string() + ":/nonexistent").c_str(), 1);
    const auto catalog = ProfileCatalog::from_environment();
    ::unsetenv("CERTFORGE_PROFILE_PATH");
    REQUIRE(catalog.search_dirs().size() == 3);
    CHECK(catalog.load("default").name == "Mine");
    CHECK(catalog.load("konica-legacy").legacy);
}

TEST_CASE("profile: a path loads a file directly", "[profile]") {
    TempDir dir;
    write_text(dir / "site.toml", "id = \"site\"\nname = \"Site\"\nsources = [\"x\"]\n"
                                  "extends = \"konica-legacy\"\nlegacy = true\n");
    const ProfileCatalog catalog({certforge::test::shipped_profiles()});
    const Profile p = catalog.load((dir / "site.toml").string());
    CHECK(p.id == "site");
    CHECK(p.legacy);
    CHECK(p.key.rsa_bits == std::vector<unsigned>{1024});
    CHECK(p.extends_chain ==
          std::vector<std::string>{"konica-legacy", "konica-minolta", "default"});
    CHECK_THROWS_AS(catalog.load((dir / "missing.toml").string()), InputError);
}

TEST_CASE("profile: the shipped profiles load and say what they are", "[profile]") {
    const Profile modern = certforge::test::shipped_profile("default");
    CHECK_FALSE(modern.legacy);
    CHECK(modern.signature.default_hash == HashAlgorithm::sha256);
    CHECK(modern.key.default_rsa_bits == 2048);
    CHECK_FALSE(modern.sources.empty());

    const Profile konica = certforge::test::shipped_profile("konica-legacy");
    CHECK(konica.legacy);
    CHECK(konica.signature.hashes == std::vector<HashAlgorithm>{HashAlgorithm::sha1});
    CHECK(konica.key.rsa_bits == std::vector<unsigned>{1024});
    CHECK(konica.tls.dhe_broken);
    CHECK(konica.vendor == "Konica Minolta");
    CHECK_FALSE(konica.sources.empty());
}
