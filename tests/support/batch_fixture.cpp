// SPDX-License-Identifier: Apache-2.0
#include "support/batch_fixture.hpp"

#include "support/sqlite_db.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>
#include <thread>

namespace certforge::test {
namespace {

constexpr const char* kFastProfile = R"(id = "test-fast"
name = "batch tests: RSA 1024, SHA-256"
extends = "default"
legacy = true
sources = ["certforge tests: small keys keep the batch tests fast"]

[key]
rsa_bits = [1024]
)";

} // namespace

Batch::Batch(std::string backend_name, std::string ca_profile) : backend(std::move(backend_name)) {
    init_ca(ca_profile, {});
}

Batch::Batch(std::string backend_name, const PostgresServer& postgres)
    : backend(std::move(backend_name)), server(&postgres) {
    database = postgres.new_database("batch");
    init_ca("", {"--ledger", postgres.url(database)});
}

Batch::Batch(std::string backend_name, const SoftHsmToken& token, const std::string& object)
    : backend(std::move(backend_name)), env(token.env()) {
    init_ca("", {"--ca-key", token.uri(object), "--pin-file", token.pin_file().string()});
}

void Batch::init_ca(const std::string& ca_profile, const std::vector<std::string>& extra) {
    write_text(profile, kFastProfile);
    std::vector<std::string> args{
        "ca",        "init",     "--profile", ca_profile.empty() ? profile.string() : ca_profile,
        "--name",    "Batch CA", "--out",     ca.string(),
        "--backend", backend};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto made = run_certforge(args, env);
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
}

void Batch::write_sites(unsigned count, const std::string& extra) const {
    std::string text =
        fmt::format("[defaults]\nprofiles = [\"{}\"]\n{}\n", profile.string(), extra);
    for (unsigned i = 1; i <= count; ++i) {
        text += fmt::format("[[site]]\nid = \"site-{}\"\ncn = \"print-{}.example.com\"\n"
                            "sans = [\"ip:10.0.0.{}\"]\n\n",
                            i, i, i);
    }
    write_text(sites, text);
}

std::vector<std::string> Batch::batch_args(const std::filesystem::path& out_dir) const {
    return {"batch", sites.string(),   "--ca",      ca.string(),
            "--out", out_dir.string(), "--backend", backend};
}

RunResult Batch::run_batch(std::vector<std::string> extra,
                           std::map<std::string, std::string> more_env) const {
    auto args = batch_args(out);
    args.insert(args.end(), extra.begin(), extra.end());
    more_env.insert(env.begin(), env.end());
    return run_certforge(args, more_env);
}

unsigned Batch::sites_done(const std::filesystem::path& out_dir, unsigned sites) {
    unsigned done = 0;
    for (unsigned i = 1; i <= sites; ++i) {
        done += std::filesystem::exists(out_dir / fmt::format("site-{}", i) / "server.crt") ? 1 : 0;
    }
    return done;
}

void Batch::wait_for_sites(const std::filesystem::path& out_dir, unsigned sites,
                           unsigned at_least) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (sites_done(out_dir, sites) < at_least && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

void Batch::require_ledger_matches_files(std::vector<std::filesystem::path> folders) const {
    require_tool("/usr/bin/python3", "python3");
    if (folders.empty()) {
        folders.push_back(out);
    }
    std::vector<std::string> argv{
        "/usr/bin/python3",
        std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/ledger_matches_files.py", ca.string()};
    for (const auto& folder : folders) {
        argv.push_back(folder.string());
    }
    const auto checked = run(argv);
    INFO(checked.out << checked.err);
    require_python_cryptography(checked);
    REQUIRE(checked.exit_code == 0);
}

std::string Batch::query(const std::string& sql) const {
    if (server != nullptr) {
        return server->psql(database, sql);
    }
    return SqliteDb(ca / "ca.db").query(sql);
}

} // namespace certforge::test
