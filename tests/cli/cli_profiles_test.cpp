// SPDX-License-Identifier: Apache-2.0
// `certforge profiles` and `certforge version`.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

using certforge::test::run_certforge;
using certforge::test::TempDir;

TEST_CASE("cli profiles: list, show and their JSON", "[cli][profiles]") {
    const auto list = run_certforge({"profiles", "list", "--json"});
    REQUIRE(list.exit_code == 0);
    const auto json = nlohmann::json::parse(list.out);
    CHECK(json["schema"] == "certforge.profiles-list/1");
    REQUIRE(json["profiles"].size() >= 2);
    bool saw_konica = false;
    for (const auto& entry : json["profiles"]) {
        for (const char* field : {"id", "kind", "vendor", "name", "legacy", "file"}) {
            CHECK(entry.contains(field));
        }
        if (entry["id"] == "konica-legacy") {
            saw_konica = true;
            CHECK(entry["legacy"] == true);
            CHECK(entry["vendor"] == "Konica Minolta");
        }
    }
    CHECK(saw_konica);

    const auto table = run_certforge({"profiles", "list"});
    CHECK(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("konica-legacy"));

    const auto show = run_certforge({"profiles", "show", "konica-legacy", "--json"});
    REQUIRE(show.exit_code == 0);
    const auto profile = nlohmann::json::parse(show.out);
    CHECK(profile["schema"] == "certforge.profile/1");
    CHECK(profile["id"] == "konica-legacy");
    CHECK(profile["signature"]["hashes"] == nlohmann::json::array({"sha1"}));
    CHECK(profile["key"]["rsa_bits"] == nlohmann::json::array({1024}));
    CHECK(profile["extends_chain"] == nlohmann::json::array({"konica-minolta", "default"}));
    CHECK(profile["tls"]["dhe_broken"] == true);
    CHECK_FALSE(profile["sources"].empty());

    const auto human = run_certforge({"profiles", "show", "default"});
    CHECK(human.exit_code == 0);
    CHECK_THAT(human.out, Catch::Contains("rsa_bits = [2048, 3072, 4096]"));
    CHECK_THAT(human.out, Catch::Contains("sources:"));
}

TEST_CASE("cli profiles: unknown and broken profiles", "[cli][profiles]") {
    const auto unknown = run_certforge({"profiles", "show", "konica"});
    CHECK(unknown.exit_code == 3);
    CHECK(unknown.err ==
          "certforge: error: unknown profile 'konica'; did you mean: konica-bizhub-i, "
          "konica-legacy, konica-minolta?\n");

    TempDir dir;
    certforge::test::write_text(
        dir / "broken.toml",
        "id = \"broken\"\nname = \"B\"\nsources = [\"x\"]\n[key]\nrsa_bits = [1024]\n");
    const std::string broken = (dir / "broken.toml").string();
    const auto make = run_certforge(
        {"make", "--profile", broken, "--cn", "print", "--out", (dir / "out").string()});
    CHECK(make.exit_code == 3);
    CHECK(make.err == "certforge: error: " + broken +
                          ":5:1: key.rsa_bits: 1024 is below 2048 bits and allowed only in a "
                          "profile marked legacy = true\n");
    CHECK_FALSE(std::filesystem::exists(dir / "out"));

    const auto lint = run_certforge({"profiles", "lint", broken});
    CHECK(lint.exit_code == 1);
    CHECK_THAT(lint.out, Catch::Contains(broken + ":5:1: key.rsa_bits"));

    const auto with_path =
        run_certforge({"profiles", "list"}, {{"CERTFORGE_PROFILE_PATH", dir.path().string()}});
    CHECK(with_path.exit_code == 0);
    CHECK_THAT(with_path.err, Catch::Contains("skipping a profile that does not load"));
}

TEST_CASE("cli profiles: lint --all passes on the shipped profiles", "[cli][profiles]") {
    const auto lint = run_certforge({"profiles", "lint", "--all"});
    INFO(lint.out);
    CHECK(lint.exit_code == 0);
    CHECK_THAT(lint.out, Catch::Contains("konica-legacy.toml: ok"));
    CHECK_THAT(lint.out, Catch::Contains("default.toml: ok"));
    CHECK(run_certforge({"profiles", "lint"}).exit_code == 2);
}

TEST_CASE("cli profiles: lint --json, one entry per file, exit 1 on a problem",
          "[cli][profiles][json]") {
    TempDir dir;
    const std::string good = (certforge::test::shipped_profiles() / "default.toml").string();
    const std::string broken = (dir / "broken.toml").string();
    certforge::test::write_text(
        broken, "id = \"broken\"\nname = \"B\"\nsources = [\"x\"]\n[key]\nrsa_bits = [1024]\n");
    const std::string idle = (dir / "idle.toml").string();
    certforge::test::write_text(idle, "id = \"idle\"\nname = \"I\"\nextends = \"default\"\n"
                                      "legacy = true\nsources = [\"x\"]\n");

    const auto clean = run_certforge({"profiles", "lint", good, idle, "--json"});
    INFO(clean.err);
    CHECK(clean.exit_code == 0);
    CHECK(clean.err.empty());
    CHECK(nlohmann::json::parse(clean.out) ==
          nlohmann::json{
              {"schema", "certforge.profiles-lint/1"},
              {"result", "pass"},
              {"problems", 0},
              {"files", nlohmann::json::array(
                            {{{"file", good},
                              {"ok", true},
                              {"warnings", nlohmann::json::array()},
                              {"error", nullptr}},
                             {{"file", idle},
                              {"ok", true},
                              {"warnings", nlohmann::json::array({"legacy = true, but the profile "
                                                                  "allows nothing weak"})},
                              {"error", nullptr}}})}});

    const auto failed = run_certforge({"profiles", "lint", broken, good, "--json"});
    CHECK(failed.exit_code == 1);
    const auto json = nlohmann::json::parse(failed.out);
    CHECK(json["result"] == "fail");
    CHECK(json["problems"] == 1);
    REQUIRE(json["files"].size() == 2);
    CHECK(json["files"][0]["ok"] == false);
    CHECK(json["files"][0]["error"] ==
          broken + ":5:1: key.rsa_bits: 1024 is below 2048 bits and allowed only in a profile "
                   "marked legacy = true");
    CHECK(json["files"][1]["ok"] == true);

    // A usage error stays one line on stderr, with nothing on stdout.
    const auto nothing = run_certforge({"profiles", "lint", "--json"});
    CHECK(nothing.exit_code == 2);
    CHECK(nothing.out.empty());
    CHECK(nothing.err == "certforge: error: name profile files to lint, or use --all\n");
}

TEST_CASE("cli version: names every backend built", "[cli]") {
    const auto version = run_certforge({"version", "--json"});
    REQUIRE(version.exit_code == 0);
    const auto json = nlohmann::json::parse(version.out);
    CHECK(json["schema"] == "certforge.version/1");
    // The version CMake took from git describe (or the project version).
    CHECK(json["certforge"] == CERTFORGE_EXPECTED_VERSION);
    REQUIRE(json["backends"].size() == certforge::test::backend_names().size());
    for (const auto& backend : json["backends"]) {
        CHECK_FALSE(backend["library"].get<std::string>().empty());
    }
    const auto human = run_certforge({"version"});
    CHECK_THAT(human.out, Catch::StartsWith(std::string("certforge ") + CERTFORGE_EXPECTED_VERSION +
                                            "\nbackend "));
}

TEST_CASE("cli profiles: lint is linear in the length of a list", "[cli][profiles][hostile]") {
    certforge::test::TempDir dir;
    std::string models;
    for (int i = 0; i < 100000; ++i) {
        models += fmt::format("\"model {}\", ", i);
    }
    const std::string head = "id = \"big\"\nname = \"big\"\nextends = \"default\"\nkind = "
                             "\"device\"\nvendor = \"x\"\nsources = [\"x\"]\n";
    certforge::test::write_text(dir / "big.toml", head + "models = [" + models + "]\n");
    // A hang guard only: the list takes well under a second (28 s when each
    // entry was compared with every other).
    const std::string binary = CERTFORGE_BINARY;
    const auto ok = certforge::test::run(
        {"timeout", "20", binary, "profiles", "lint", (dir / "big.toml").string()});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    certforge::test::write_text(dir / "big.toml",
                                head + "models = [" + models + "\"model 99999\"]\n");
    const auto twice = certforge::test::run(
        {"timeout", "20", binary, "profiles", "lint", (dir / "big.toml").string()});
    CHECK(twice.exit_code == 1);
    CHECK_THAT(twice.out,
               Catch::Contains(":7:") && Catch::Contains("models: model 99999 is listed twice"));
}

TEST_CASE("profiles: search by model, vendor, id or name, and show lists as TOML", "[profiles]") {
    const auto by_model = run_certforge({"profiles", "list", "--model", "BIZHUB 751"});
    CHECK(by_model.exit_code == 0);
    CHECK_THAT(by_model.out, Catch::Contains("\nkonica-legacy "));
    CHECK(by_model.out.find("ricoh") == std::string::npos);
    const auto family = run_certforge({"profiles", "list", "--vendor", "bizhub"});
    CHECK(family.out == "no profile matches (certforge profiles search WORD looks in ids, "
                        "names, vendors and models)\n");
    const auto searched = run_certforge({"profiles", "search", "bizhub", "751"});
    CHECK(searched.exit_code == 0);
    CHECK_THAT(searched.out, Catch::Contains("\nkonica-legacy "));
    CHECK(searched.out.find("konica-bizhub-i") == std::string::npos);
    const auto json = run_certforge({"profiles", "search", "ricoh", "--json"});
    const auto found = nlohmann::json::parse(json.out);
    CHECK(found["schema"] == "certforge.profiles-list/1");
    REQUIRE_FALSE(found["profiles"].empty());
    for (const auto& profile : found["profiles"]) {
        CHECK(profile["vendor"] == "Ricoh");
    }
    CHECK(run_certforge({"profiles", "search"}).exit_code == 2);

    const auto shown = run_certforge({"profiles", "show", "konica-legacy"});
    CHECK_THAT(shown.out, Catch::Contains("    hashes = [\"sha1\"]\n"));
    CHECK_THAT(shown.out,
               Catch::Contains("    key_usage = [\"digitalSignature\", \"keyEncipherment\"]\n"));
    CHECK_THAT(shown.out, Catch::Contains("  models = [\"bizhub 751/601\", "));
}

TEST_CASE("profiles: the admin's folder overrides a shipped profile, and show says so",
          "[profiles]") {
    TempDir etc;
    TempDir mine;
    const std::string shipped = certforge::test::shipped_profiles().string() + "/default.toml";
    std::string text = certforge::test::read_text(shipped);
    const auto name_at = text.find("\nname = ");
    REQUIRE(name_at != std::string::npos);
    text.insert(name_at + 8, "\"Site default\" #");
    certforge::test::write_text(etc / "default.toml", text);
    const std::map<std::string, std::string> env{
        {"CERTFORGE_TEST_SYSTEM_PROFILES_DIR", etc.path().string()}};

    const auto shown = run_certforge({"profiles", "show", "default"}, env);
    INFO(shown.err);
    CHECK(shown.exit_code == 0);
    CHECK_THAT(shown.out, Catch::StartsWith(
                              "default — Site default\n  file: " + (etc / "default.toml").string() +
                              "\n  overrides: " + shipped + "\n"));
    const auto listed = run_certforge({"profiles", "list"}, env);
    CHECK_THAT(listed.out, Catch::Contains("Site default"));
    const auto made = run_certforge({"make", "--profile", "default", "--cn", "print", "--key",
                                     certforge::test::fixture_key("rsa2048").string(), "-o",
                                     (mine / "out").string()},
                                    env);
    INFO(made.err);
    CHECK(made.exit_code == 0);

    // $CERTFORGE_PROFILE_PATH comes first, then the admin's, then the shipped.
    certforge::test::write_text(mine / "default.toml", text);
    auto both = env;
    both["CERTFORGE_PROFILE_PATH"] = mine.path().string();
    const auto first = run_certforge({"profiles", "show", "default"}, both);
    CHECK_THAT(first.out, Catch::StartsWith("default — Site default\n  file: " +
                                            (mine / "default.toml").string() +
                                            "\n  overrides: " + (etc / "default.toml").string() +
                                            "\n  overrides: " + shipped + "\n"));
    const auto first_json = run_certforge({"profiles", "show", "default", "--json"}, both);
    REQUIRE(first_json.exit_code == 0);
    const auto document = nlohmann::json::parse(first_json.out);
    CHECK(document["file"] == (mine / "default.toml").string());
    CHECK(document["overrides"] ==
          nlohmann::json::array({(etc / "default.toml").string(), shipped}));
    // Without the admin's folder, the shipped file is the only one.
    const auto plain = run_certforge({"profiles", "show", "default"});
    CHECK_THAT(plain.out, Catch::StartsWith("default — Terminal Server default"));
    CHECK(plain.out.find("overrides") == std::string::npos);
    const auto plain_json = run_certforge({"profiles", "show", "default", "--json"});
    CHECK(nlohmann::json::parse(plain_json.out)["overrides"] == nlohmann::json::array());
}
