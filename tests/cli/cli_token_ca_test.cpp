// SPDX-License-Identifier: Apache-2.0
// A CA whose key is on a PKCS#11 token (SoftHSM2, a token each test makes):
// ca init --ca-key makes it there, and make, ca sign, batch and ca crl sign
// with it, the PIN from --pin-file or --pin-env, never argv. Read back with
// pkcs11-tool (the key is on the token, sensitive and not extractable),
// openssl and tests/support/ledger_matches_files.py (python3-cryptography).
#include "support/batch_fixture.hpp"
#include "support/softhsm_token.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

using namespace certforge::test;
namespace fs = std::filesystem;

namespace {

std::string public_key_of(const fs::path& certificate) {
    const auto shown = run({"openssl", "x509", "-in", certificate.string(), "-noout", "-pubkey"});
    REQUIRE(shown.exit_code == 0);
    return shown.out;
}

std::map<std::string, std::string> with(std::map<std::string, std::string> env,
                                        const std::string& name, const std::string& value) {
    env[name] = value;
    return env;
}

} // namespace

TEST_CASE("token CA: the key is made on the token, and make, ca sign, batch and ca crl sign "
          "with it",
          "[pkcs11][cli]") {
    const std::string backend = GENERATE(from_range(backend_names()));
    INFO("backend " << backend);
    const SoftHsmToken token;
    const Batch batch(backend, token);
    const std::string pin_file = token.pin_file().string();

    CHECK_FALSE(fs::exists(batch.ca / "ca.key"));
    const auto ca_json = nlohmann::json::parse(read_text(batch.ca / "ca.json"));
    CHECK(ca_json["key"] == token.uri("batch-ca"));
    const auto objects = token.tool({"--list-objects", "--type", "privkey"});
    INFO(objects.out << objects.err);
    CHECK_THAT(objects.out, Catch::Contains("label:      batch-ca"));
    CHECK_THAT(objects.out, Catch::Contains("never extractable"));

    batch.write_sites(3);
    const auto ran = batch.run_batch({"--pin-file", pin_file, "--jobs", "2"});
    INFO(ran.out << ran.err);
    REQUIRE(ran.exit_code == 0);
    batch.require_ledger_matches_files();

    const auto made = run_certforge(
        {"make", "--profile", batch.profile.string(), "--cn", "print.example.com", "--ca",
         batch.ca.string(), "--out", (batch.dir / "made").string(), "--formats", "pfx",
         "--out-password-file", pin_file, "--pin-env", "CA_PIN", "--backend", backend},
        with(batch.env, "CA_PIN", token.pin()));
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const auto verified = run({"openssl", "verify", "-CAfile", (batch.ca / "ca.crt").string(),
                               (batch.dir / "made" / "server.crt").string()});
    INFO(verified.out << verified.err);
    CHECK(verified.exit_code == 0);

    const auto csr = run_certforge({"csr", "--profile", batch.profile.string(), "--cn",
                                    "mfd.example.com", "--out", (batch.dir / "req").string()});
    REQUIRE(csr.exit_code == 0);
    const auto signed_csr = run_certforge(
        {"ca", "sign", (batch.dir / "req" / "server.csr").string(), "--ca", batch.ca.string(),
         "--profile", batch.profile.string(), "--out", (batch.dir / "mfd.crt").string(),
         "--pin-file", pin_file, "--backend", backend},
        batch.env);
    INFO(signed_csr.err);
    REQUIRE(signed_csr.exit_code == 0);
    CHECK(run({"openssl", "verify", "-CAfile", (batch.ca / "ca.crt").string(),
               (batch.dir / "mfd.crt").string()})
              .exit_code == 0);

    const auto crl =
        run_certforge({"ca", "crl", "--ca", batch.ca.string(), "--profile", batch.profile.string(),
                       "--pin-file", pin_file, "--backend", backend},
                      batch.env);
    INFO(crl.err);
    REQUIRE(crl.exit_code == 0);
    const auto crl_checked = run({"openssl", "crl", "-in", (batch.ca / "crl.pem").string(),
                                  "-CAfile", (batch.ca / "ca.crt").string(), "-noout"});
    CHECK_THAT(crl_checked.err, Catch::Contains("verify OK"));

    const std::string uri = token.uri("batch-ca");
    // ca status shows where the key and the ledger are, without the token.
    const auto status = run_certforge({"ca", "status", "--ca", batch.ca.string(), "--json"});
    INFO(status.out << status.err);
    // Exit 1: the CA's profile is a file (test-fast.toml) the catalog cannot
    // load by its id, so status cannot say the CA may issue.
    REQUIRE(status.exit_code == 1);
    const auto shown = nlohmann::json::parse(status.out);
    CHECK(shown["key"] == uri);
    CHECK(shown["key_on_token"] == true);
    CHECK(shown["ledger_location"] == (batch.ca / "ca.db").string());
    CHECK(shown["ledger"]["valid"] == 5);
    const auto status_text = run_certforge({"ca", "status", "--ca", batch.ca.string()});
    CHECK_THAT(status_text.out, Catch::Contains("  key: on a PKCS#11 token, " + uri + "\n"));
    const Batch file_ca(backend);
    const auto file_status = run_certforge({"ca", "status", "--ca", file_ca.ca.string()});
    CHECK_THAT(file_status.out,
               Catch::Contains("  key: " + (file_ca.ca / "ca.key").string() + "\n  ledger " +
                               (file_ca.ca / "ca.db").string() + ": no certificates\n"));

    const auto no_pin = batch.run_batch({"--renew-within", "9000d"});
    CHECK(no_pin.exit_code == 3);
    CHECK(no_pin.err ==
          "certforge: error: the token \"certforge test\" needs its PIN: use --pin-file or "
          "--pin-env\n");
    write_text(batch.dir / "wrong-pin", "0000\n");
    const auto wrong_pin = run_certforge(
        {"ca", "crl", "--ca", batch.ca.string(), "--pin-file", (batch.dir / "wrong-pin").string()},
        batch.env);
    CHECK(wrong_pin.exit_code == 3);
    CHECK(wrong_pin.err ==
          "certforge: error: " + uri + ": the token \"certforge test\" refused the PIN\n");
    const auto no_terminal =
        run_certforge({"ca", "crl", "--ca", batch.ca.string(), "--force"}, batch.env);
    CHECK(no_terminal.exit_code == 3);
    CHECK(no_terminal.err ==
          "certforge: error: the token \"certforge test\" needs its PIN and standard input is "
          "not a terminal: use --pin-file or --pin-env\n");
}

TEST_CASE("token CA: the other backend signs with a token CA one backend made", "[pkcs11][cli]") {
    const auto names = backend_names();
    if (names.size() < 2) {
        SUCCEED("one backend in this build");
        return;
    }
    const SoftHsmToken token;
    const Batch batch(names.front(), token);
    for (const auto& other : names) {
        const auto made =
            run_certforge({"make", "--profile", batch.profile.string(), "--cn", "print.example.com",
                           "--ca", batch.ca.string(), "--out", (batch.dir / other).string(),
                           "--formats", "pfx", "--out-password-file", token.pin_file().string(),
                           "--pin-file", token.pin_file().string(), "--backend", other},
                          batch.env);
        INFO(other << ": " << made.err);
        REQUIRE(made.exit_code == 0);
        CHECK(run({"openssl", "verify", "-CAfile", (batch.ca / "ca.crt").string(),
                   (batch.dir / other / "server.crt").string()})
                  .exit_code == 0);
    }
}

TEST_CASE("token CA: an existing key with --existing-key, p11-kit's modules, and refusals",
          "[pkcs11][cli]") {
    const SoftHsmToken token;
    const TempDir dir;
    const std::string pin_file = token.pin_file().string();
    const auto init = [&](const fs::path& out, const std::string& uri,
                          std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"ca",       "init",     "--profile",  "default",
                                      "--name",   "Token CA", "--out",      out.string(),
                                      "--ca-key", uri,        "--pin-file", pin_file};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_certforge(args, token.env());
    };
    const std::string uri = token.uri("print-ca");
    const auto first = init(dir / "first", uri);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);

    const auto again = init(dir / "again", uri);
    CHECK(again.exit_code == 3);
    CHECK(again.err == "certforge: error: " + uri +
                           ": the token \"certforge test\" already holds a private key the URI "
                           "names: give the new key another object=, or use that one\n");
    CHECK_FALSE(fs::exists(dir / "again" / "ca.crt"));

    // Without module-path: the modules p11-kit has registered (softhsm2 is).
    const std::string registered = "pkcs11:token=certforge%20test;object=print-ca";
    const auto reused = init(dir / "reused", registered, {"--existing-key"});
    INFO(reused.err);
    REQUIRE(reused.exit_code == 0);
    CHECK(public_key_of(dir / "reused" / "ca.crt") == public_key_of(dir / "first" / "ca.crt"));

    const auto without_uri = run_certforge({"ca", "init", "--profile", "default", "--name", "X",
                                            "--out", (dir / "x").string(), "--existing-key"});
    CHECK(without_uri.exit_code == 2);
    CHECK(without_uri.err ==
          "certforge: error: --existing-key needs --ca-key: the URI of the key on the token\n");
    const auto file_key = init(dir / "x", "ca.key");
    CHECK(file_key.exit_code == 2);
    CHECK(file_key.err ==
          "certforge: error: --ca-key ca.key: give the URI of a key on a PKCS#11 token "
          "(pkcs11:token=...;object=...); a CA key in a file is made by ca init itself\n");
    const auto pin_in_uri = init(dir / "x", "pkcs11:token=certforge%20test;object=k;pin-value=1");
    CHECK(pin_in_uri.exit_code == 2);
    CHECK(pin_in_uri.err == "certforge: error: the PKCS#11 URI must not carry the PIN "
                            "(pin-value, pin-source): certforge asks for it\n");
    CHECK_FALSE(fs::exists(dir / "x"));
}

TEST_CASE("token CA: on a terminal the PIN is asked once, without echo", "[pkcs11][cli]") {
    require_tool("script", "bsdutils");
    const SoftHsmToken token;
    const Batch batch(backend_names().front(), token);
    const std::string command = std::string(CERTFORGE_BINARY) + " ca crl --ca " +
                                batch.ca.string() + " --profile " + batch.profile.string();
    const auto typed = [&](const std::string& pin) {
        return run({"sh", "-c", "(sleep 1; printf '%s\\n' \"$0\") | script -qec \"$1\" /dev/null",
                    pin, command},
                   batch.env);
    };
    const auto asked = typed(token.pin());
    INFO(asked.out << asked.err);
    CHECK(asked.exit_code == 0);
    CHECK_THAT(asked.out, Catch::Contains("PIN of the token \"certforge test\": "));
    CHECK(asked.out.find(token.pin()) == std::string::npos);
    CHECK(fs::exists(batch.ca / "crl.pem"));

    const auto wrong = typed("not-the-pin");
    CHECK(wrong.exit_code == 3);
    CHECK_THAT(wrong.out, Catch::Contains("refused the PIN"));
    CHECK(wrong.out.find("not-the-pin") == std::string::npos);
}
