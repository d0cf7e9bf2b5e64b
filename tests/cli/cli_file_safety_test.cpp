// SPDX-License-Identifier: Apache-2.0
// File safety of the commands that write (issue 12): two writers into one
// folder, kills and signals in the middle of a write, the umask, symbolic
// links. Sets are read back with the openssl command line.
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

using certforge::test::fixture_key;
using certforge::test::listing;
using certforge::test::mode_of;
using certforge::test::read_text;
using certforge::test::require_tool;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPasswordEnv = "CERTFORGE_TEST_PFX_PASSWORD";
const std::map<std::string, std::string> kEnv{{kPasswordEnv, "file-safety-password"}};

#if CERTFORGE_TEST_WITH_OPENSSL
constexpr bool kWritesPfx = true;
#else
constexpr bool kWritesPfx = false;
#endif

std::map<std::string, std::string> with_env(std::map<std::string, std::string> extra) {
    extra.insert(kEnv.begin(), kEnv.end());
    return extra;
}

std::vector<std::string> make_args(const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"make",       "--profile",         "default",
                                  "--cn",       "print.example.com", "--out",
                                  out.string(), "--password-env",    kPasswordEnv};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// The files make writes with --password-env and no --ca, sorted.
std::vector<std::string> made_files() {
    std::vector<std::string> files{"chain.pem", "import-bundle.zip", "server.crt", "server.key"};
    if (kWritesPfx) {
        files.emplace_back("server.pfx");
    }
    return files;
}

std::size_t lines_in(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A certforge in the background, stdout to /dev/null, stderr to a file.
class Spawned {
public:
    Spawned(const std::vector<std::string>& args, fs::path err,
            const std::map<std::string, std::string>& env = kEnv)
        : err_(std::move(err)) {
        std::vector<std::string> argv{CERTFORGE_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<std::string> envv;
        for (char** entry = environ; *entry != nullptr; ++entry) {
            const std::string text(*entry);
            const std::string name = text.substr(0, text.find('='));
            if (name != "CERTFORGE_PROFILE_PATH" && env.count(name) == 0) {
                envv.push_back(text);
            }
        }
        for (const auto& [name, value] : env) {
            envv.push_back(name + "=" + value);
        }
        std::vector<char*> arg_ptrs;
        for (auto& arg : argv) {
            arg_ptrs.push_back(arg.data());
        }
        arg_ptrs.push_back(nullptr);
        std::vector<char*> env_ptrs;
        for (auto& entry : envv) {
            env_ptrs.push_back(entry.data());
        }
        env_ptrs.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                         0600);
        const int failed =
            ::posix_spawn(&pid_, arg_ptrs[0], &actions, nullptr, arg_ptrs.data(), env_ptrs.data());
        posix_spawn_file_actions_destroy(&actions);
        REQUIRE(failed == 0);
    }
    ~Spawned() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Spawned(const Spawned&) = delete;
    Spawned& operator=(const Spawned&) = delete;

    pid_t pid() const { return pid_; }

    // The exit code, or 128 + the signal that ended it.
    int wait() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0) {
        }
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::string err() const { return read_text(err_); }

private:
    fs::path err_;
    pid_t pid_ = -1;
};

std::string openssl_out(const std::vector<std::string>& args, const std::string& input = {}) {
    const auto result = run(args, kEnv, input);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

std::string cert_public_key(const fs::path& pem) {
    return openssl_out({"openssl", "x509", "-in", pem.string(), "-noout", "-pubkey"});
}

// The first certificate of a PEM file, re-encoded by openssl.
std::string first_certificate(const fs::path& pem) {
    return openssl_out({"openssl", "x509", "-in", pem.string()});
}

// The folder holds one whole set: the key belongs to the certificate,
// chain.pem and server.pfx carry that certificate, and no temporary or
// lock file is left.
void require_whole_set(const fs::path& out) {
    const std::string key =
        openssl_out({"openssl", "pkey", "-in", (out / "server.key").string(), "-pubout"});
    REQUIRE(key == cert_public_key(out / "server.crt"));
    const std::string leaf = first_certificate(out / "server.crt");
    REQUIRE(first_certificate(out / "chain.pem") == leaf);
    if (kWritesPfx) {
        const std::string bags =
            openssl_out({"openssl", "pkcs12", "-in", (out / "server.pfx").string(), "-nokeys",
                         "-clcerts", "-passin", std::string("env:") + kPasswordEnv},
                        {});
        REQUIRE(openssl_out({"openssl", "x509"}, bags) == leaf);
    }
    for (const auto& name : listing(out)) {
        INFO(name);
        REQUIRE(name.find(".certforge") == std::string::npos);
    }
}

// The pid in the names an interrupted commit left in `dir`.
std::string pid_of_temporaries(const fs::path& dir) {
    for (const auto& name : listing(dir)) {
        const auto at = name.find(".certforge-tmp-");
        if (at != std::string::npos) {
            const std::string rest = name.substr(at + 15);
            return rest.substr(0, rest.find('-'));
        }
    }
    FAIL("no temporary file in " << dir);
    return {};
}

std::size_t temporaries_in(const fs::path& dir) {
    std::size_t count = 0;
    for (const auto& name : listing(dir)) {
        count += name.find(".certforge-tmp-") != std::string::npos ? 1 : 0;
    }
    return count;
}

// certforge started with umask 000.
certforge::test::RunResult run_with_umask_0(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"sh", "-c", "umask 000; exec \"$0\" \"$@\"", CERTFORGE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, with_env({{"CERTFORGE_PROFILE_PATH", ""}}));
}

// Private files 0600, the others 0644.
void require_file_modes(const fs::path& dir) {
    for (const auto& name : listing(dir)) {
        INFO(dir / name);
        const bool secret = name.ends_with(".key") || name.ends_with(".pfx") ||
                            name.ends_with(".pass") || name.ends_with(".jks");
        CHECK(mode_of(dir / name) == (secret ? 0600u : 0644u));
    }
}

void write_two_sites(const fs::path& sites) {
    write_text(sites, "[defaults]\nprofiles = [\"default\"]\n\n"
                      "[[site]]\nid = \"site-1\"\ncn = \"print-1.example.com\"\n\n"
                      "[[site]]\nid = \"site-2\"\ncn = \"print-2.example.com\"\n");
}

void init_ca(const fs::path& ca) {
    const auto made = run_certforge(
        {"ca", "init", "--profile", "default", "--name", "Safety CA", "--out", ca.string()});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
}

} // namespace

TEST_CASE("file safety: two makes into one folder at once never mix their files", "[file-safety]") {
    require_tool("openssl", "openssl");
    TempDir dir;
    const std::string key = fixture_key("rsa2048").string();
    constexpr int kTries = 20;
    for (int i = 0; i < kTries; ++i) {
        // Without --force both reuse one key, so that they reach their writes
        // together and one must refuse; with --force (into the folder of the
        // try before) each makes its own key, so a mixed set shows as a key
        // that does not match its certificate.
        const bool forced = i % 2 == 1;
        INFO("try " << i << (forced ? " with --force" : ""));
        const fs::path out = dir / fmt::format("out-{}", forced ? i - 1 : i);
        const auto extra =
            forced ? std::vector<std::string>{"--force"} : std::vector<std::string>{"--key", key};
        Spawned first(make_args(out, extra), dir / "first.err");
        Spawned second(make_args(out, extra), dir / "second.err");
        const int codes[] = {first.wait(), second.wait()};
        const std::string errs[] = {first.err(), second.err()};
        for (int which = 0; which < 2; ++which) {
            INFO("exit " << codes[which] << ", stderr: " << errs[which]);
            CHECK((codes[which] == 0 || codes[which] == 3));
            if (codes[which] == 3) {
                CHECK(lines_in(errs[which]) == 1);
                // The check before the commit lists the files it finds, which
                // may be part of the set while the other process renames them.
                const bool refused =
                    errs[which].starts_with("certforge: error: refusing to overwrite " +
                                            out.string() + "/") &&
                    errs[which].ends_with("(use --force to replace)\n");
                const bool in_use = errs[which].starts_with(
                    "certforge: error: folder " + out.string() + " is in use by another certforge");
                CHECK((refused || in_use));
            }
        }
        if (!forced) {
            CHECK(((codes[0] == 0) != (codes[1] == 0)));
        }
        require_whole_set(out);
        CHECK(listing(out) == made_files());
    }
}

TEST_CASE("file safety: make killed while renaming is finished by the next run, killed "
          "before is undone",
          "[file-safety]") {
    require_tool("openssl", "openssl");
    TempDir dir;
    const fs::path out = dir / "out";
    REQUIRE(run_certforge(make_args(out), kEnv).exit_code == 0);
    const std::string old_key = read_text(out / "server.key");
    const std::string old_crt = read_text(out / "server.crt");

    // Killed after the first rename: the audit's new key beside the old
    // certificate.
    const auto killed = run_certforge(make_args(out, {"--force"}),
                                      with_env({{"CERTFORGE_FAULT_IN_COMMIT", "renamed-1:kill"}}));
    REQUIRE(killed.exit_code == 128 + SIGKILL);
    CHECK(read_text(out / "server.key") != old_key);
    CHECK(read_text(out / "server.crt") == old_crt);
    const std::string pid = pid_of_temporaries(out);

    const auto next = run_certforge(make_args(out), kEnv);
    CHECK(next.exit_code == 3);
    CHECK(next.err ==
          fmt::format("certforge: note: certforge (pid {}) was stopped while it renamed its files "
                      "into {}: finished the renames ({} files)\n",
                      pid, out.string(), made_files().size() - 1) +
              fmt::format("certforge: error: refusing to overwrite {0}/server.key, {0}/chain.pem, "
                          "{1}{0}/import-bundle.zip, {0}/server.crt (use --force to replace)\n",
                          out.string(), kWritesPfx ? out.string() + "/server.pfx, " : ""));
    require_whole_set(out);
    CHECK(listing(out) == made_files());
    CHECK(read_text(out / "server.crt") != old_crt);

    // Killed with every file written but none renamed: the set stays as it
    // was and the next run removes the temporary files.
    const std::string kept_key = read_text(out / "server.key");
    const std::string kept_crt = read_text(out / "server.crt");
    const auto killed_early = run_certforge(
        make_args(out, {"--force"}), with_env({{"CERTFORGE_FAULT_IN_COMMIT", "written:kill"}}));
    REQUIRE(killed_early.exit_code == 128 + SIGKILL);
    CHECK(temporaries_in(out) == made_files().size());
    const std::string early_pid = pid_of_temporaries(out);
    const auto after = run_certforge(make_args(out), kEnv);
    CHECK(after.exit_code == 3);
    CHECK_THAT(after.err,
               Catch::StartsWith(fmt::format(
                   "certforge: note: certforge (pid {}) was stopped while it wrote into {}: undid "
                   "its unfinished write ({} files), the folder is as it was before\n"
                   "certforge: error: refusing to overwrite ",
                   early_pid, out.string(), made_files().size())));
    CHECK(read_text(out / "server.key") == kept_key);
    CHECK(read_text(out / "server.crt") == kept_crt);
    require_whole_set(out);
}

TEST_CASE("file safety: batch killed while renaming a site's files is repaired by the next run",
          "[file-safety]") {
    require_tool("/usr/bin/python3", "python3");
    TempDir dir;
    const fs::path ca = dir / "ca";
    const fs::path out = dir / "out";
    const fs::path sites = dir / "sites.toml";
    init_ca(ca);
    write_two_sites(sites);
    const std::vector<std::string> args{"batch", sites.string(), "--ca",   ca.string(),
                                        "--out", out.string(),   "--jobs", "1"};
    const auto killed = run_certforge(args, {{"CERTFORGE_FAULT_IN_COMMIT", "renamed-2:kill"}});
    REQUIRE(killed.exit_code == 128 + SIGKILL);
    CHECK(temporaries_in(out / "site-1") > 0);

    const auto rerun = run_certforge(args);
    INFO(rerun.out << rerun.err);
    REQUIRE(rerun.exit_code == 0);
    CHECK_THAT(rerun.out, Catch::Contains("2 sites: 1 created, 0 renewed, 1 skipped, 0 failed"));
    const auto checked =
        run({"/usr/bin/python3",
             std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/ledger_matches_files.py",
             ca.string(), out.string()});
    INFO(checked.out << checked.err);
    certforge::test::require_python_cryptography(checked);
    CHECK(checked.exit_code == 0);
}

TEST_CASE("file safety: SIGINT and SIGTERM during a write leave no temporary file",
          "[file-safety]") {
    require_tool("openssl", "openssl");
    TempDir dir;
    const fs::path out = dir / "out";

    // Before the renames: the write is undone, and the signal ends certforge.
    const auto fresh =
        run_certforge(make_args(out), with_env({{"CERTFORGE_FAULT_IN_COMMIT", "written:int"}}));
    CHECK(fresh.exit_code == 128 + SIGINT);
    CHECK(fresh.err.empty());
    CHECK_FALSE(fs::exists(out));

    REQUIRE(run_certforge(make_args(out), kEnv).exit_code == 0);
    const std::string old_crt = read_text(out / "server.crt");
    const auto replaced = run_certforge(make_args(out, {"--force"}),
                                        with_env({{"CERTFORGE_FAULT_IN_COMMIT", "written:term"}}));
    CHECK(replaced.exit_code == 128 + SIGTERM);
    CHECK(listing(out) == made_files());
    CHECK(read_text(out / "server.crt") == old_crt);

    // Once the renames have begun they finish first.
    const auto renaming = run_certforge(make_args(out, {"--force"}),
                                        with_env({{"CERTFORGE_FAULT_IN_COMMIT", "renamed-2:int"}}));
    CHECK(renaming.exit_code == 128 + SIGINT);
    CHECK(listing(out) == made_files());
    CHECK(read_text(out / "server.crt") != old_crt);
    require_whole_set(out);

    // A SIGTERM from outside while the temporary files are there.
    const std::string current_crt = read_text(out / "server.crt");
    Spawned waiting(make_args(out, {"--force"}), dir / "waiting.err",
                    with_env({{"CERTFORGE_FAULT_IN_COMMIT", "written:wait"}}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (temporaries_in(out) < made_files().size() &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(temporaries_in(out) == made_files().size());
    REQUIRE(::kill(waiting.pid(), SIGTERM) == 0);
    CHECK(waiting.wait() == 128 + SIGTERM);
    CHECK(waiting.err().empty());
    CHECK(listing(out) == made_files());
    CHECK(read_text(out / "server.crt") == current_crt);
    require_whole_set(out);
}

TEST_CASE("file safety: later runs remove the temporary files of dead processes, not of live "
          "ones",
          "[file-safety]") {
    TempDir dir;
    const fs::path out = dir / "out";
    REQUIRE(run_certforge(make_args(out), kEnv).exit_code == 0);
    // 99999999 is above any pid_max: no such process. The test's own pid is
    // alive.
    write_text(out / "server.key.certforge-tmp-99999999-0123456789abcdef", "dead");
    write_text(out / "chain.pem.certforge-tmp-99999999-0123456789abcdef", "dead");
    const std::string live =
        fmt::format("server.crt.certforge-tmp-{}-fedcba9876543210", ::getpid());
    write_text(out / live, "live");

    const auto forced = run_certforge(make_args(out, {"--force"}), kEnv);
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK_THAT(forced.err,
               Catch::StartsWith(fmt::format(
                   "certforge: note: certforge (pid 99999999) was stopped while it wrote into {}: "
                   "undid its unfinished write (2 files), the folder is as it was before\n",
                   out.string())));
    auto expected = made_files();
    expected.push_back(live);
    std::sort(expected.begin(), expected.end());
    CHECK(listing(out) == expected);
}

TEST_CASE("file safety: folders 0700 for keys, 0755 otherwise, files 0600 or 0644, whatever the "
          "umask",
          "[file-safety]") {
    TempDir dir;
    const fs::path ca = dir / "new" / "ca";
    const auto init = run_with_umask_0(
        {"ca", "init", "--profile", "default", "--name", "Umask CA", "--out", ca.string()});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    CHECK(mode_of(dir / "new") == 0755);
    CHECK(mode_of(ca) == 0700);
    CHECK(listing(ca) == std::vector<std::string>{"ca.crt", "ca.db", "ca.json", "ca.key"});
    require_file_modes(ca);

    const fs::path made = dir / "made" / "out";
    const auto make = run_with_umask_0(make_args(made, {"--ca", ca.string()}));
    INFO(make.err);
    REQUIRE(make.exit_code == 0);
    CHECK(mode_of(dir / "made") == 0755);
    CHECK(mode_of(made) == 0700);
    require_file_modes(made);

    const fs::path sites = dir / "sites.toml";
    write_two_sites(sites);
    const fs::path batch_out = dir / "batch";
    const auto batch = run_with_umask_0(
        {"batch", sites.string(), "--ca", ca.string(), "--out", batch_out.string(), "--jobs", "1"});
    INFO(batch.out << batch.err);
    REQUIRE(batch.exit_code == 0);
    CHECK(mode_of(batch_out) == 0755);
    CHECK(listing(batch_out) == std::vector<std::string>{"site-1", "site-2"});
    for (const auto* site : {"site-1", "site-2"}) {
        CHECK(mode_of(batch_out / site) == 0700);
        require_file_modes(batch_out / site);
    }
    require_file_modes(ca);
}

TEST_CASE("file safety: make refuses a symbolic link as its folder or as a file, and --force "
          "replaces the link, never its target",
          "[file-safety]") {
    TempDir dir;
    const fs::path elsewhere = dir / "elsewhere";
    fs::create_directory(elsewhere);
    const fs::path linked = dir / "linked";
    fs::create_directory_symlink(elsewhere, linked);

    const auto refused = run_certforge(make_args(linked), kEnv);
    CHECK(refused.exit_code == 3);
    CHECK(refused.err == "certforge: error: " + linked.string() +
                             " is a symbolic link: refusing to write through it (use --force to "
                             "replace the link with a folder)\n");
    CHECK(listing(elsewhere).empty());

    const auto forced = run_certforge(make_args(linked, {"--force"}), kEnv);
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK_FALSE(fs::is_symlink(linked));
    CHECK(listing(linked) == made_files());
    CHECK(listing(elsewhere).empty());

    // A dangling link where server.key goes, and a link to a file someone
    // keeps where server.crt goes.
    const fs::path out = dir / "out";
    fs::create_directory(out);
    const fs::path victim = dir / "victim.key";
    const fs::path precious = dir / "precious.crt";
    write_text(precious, "precious");
    fs::create_symlink(victim, out / "server.key");
    fs::create_symlink(precious, out / "server.crt");
    const auto through = run_certforge(make_args(out), kEnv);
    CHECK(through.exit_code == 3);
    CHECK(through.err == fmt::format("certforge: error: refusing to write through the symbolic "
                                     "links {0}/server.key, {0}/server.crt (use --force to "
                                     "replace the link itself)\n",
                                     out.string()));
    CHECK_FALSE(fs::exists(victim));

    const auto replaced = run_certforge(make_args(out, {"--force"}), kEnv);
    INFO(replaced.err);
    CHECK(replaced.exit_code == 0);
    CHECK_FALSE(fs::is_symlink(out / "server.key"));
    CHECK_FALSE(fs::is_symlink(out / "server.crt"));
    CHECK_FALSE(fs::exists(victim));
    CHECK(read_text(precious) == "precious");
    CHECK(mode_of(out / "server.key") == 0600);
}

TEST_CASE("file safety: batch refuses a site folder that is a symbolic link and replaces a "
          "link in place of a file",
          "[file-safety]") {
    TempDir dir;
    const fs::path ca = dir / "ca";
    const fs::path out = dir / "out";
    const fs::path sites = dir / "sites.toml";
    init_ca(ca);
    write_two_sites(sites);
    const fs::path elsewhere = dir / "elsewhere";
    fs::create_directories(elsewhere);
    fs::create_directories(out / "site-2");
    fs::create_directory_symlink(elsewhere, out / "site-1");
    const fs::path victim = dir / "victim.key";
    fs::create_symlink(victim, out / "site-2" / "server.key");

    const auto batch = run_certforge(
        {"batch", sites.string(), "--ca", ca.string(), "--out", out.string(), "--jobs", "1"});
    INFO(batch.out << batch.err);
    CHECK(batch.exit_code == 1);
    CHECK_THAT(batch.out, Catch::Contains("failed   site-1 (line 4): cannot write its files: " +
                                          (out / "site-1").string() +
                                          " is a symbolic link: refusing to write through it\n"));
    CHECK_THAT(batch.err, Catch::EndsWith("certforge: error: 1 site failed: site-1 (line 4)\n"));
    CHECK(listing(elsewhere).empty());
    CHECK_FALSE(fs::exists(victim));
    CHECK_FALSE(fs::is_symlink(out / "site-2" / "server.key"));
    CHECK(mode_of(out / "site-2" / "server.key") == 0600);
}

TEST_CASE("file safety: ca sign, export and bundle do not write through a symbolic link",
          "[file-safety]") {
    TempDir dir;
    const fs::path ca = dir / "ca";
    init_ca(ca);
    const fs::path out = dir / "out";
    REQUIRE(run_certforge(make_args(out), kEnv).exit_code == 0);
    const auto csr = run_certforge({"csr", "--profile", "default", "--cn", "print.example.com",
                                    "--out", (dir / "csr").string()});
    INFO(csr.err);
    REQUIRE(csr.exit_code == 0);

    const fs::path victim = dir / "victim";
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands{
        {"ca sign",
         {"ca", "sign", (dir / "csr" / "server.csr").string(), "--ca", ca.string(), "--profile",
          "default", "--out"}},
        {"export", {"export", "--cert", (out / "server.crt").string(), "--format", "der", "--out"}},
        {"bundle", {"bundle", "--profile", "default", "--ca", ca.string(), "--out"}},
    };
    for (const auto& [name, args] : commands) {
        INFO(name);
        const fs::path link = dir / (name.substr(0, name.find(' ')) + ".out");
        fs::create_symlink(victim, link);
        auto refused_args = args;
        refused_args.push_back(link.string());
        const auto refused = run_certforge(refused_args);
        CHECK(refused.exit_code == 3);
        CHECK(refused.err == "certforge: error: refusing to write through the symbolic link " +
                                 link.string() + " (use --force to replace the link itself)\n");
        CHECK_FALSE(fs::exists(victim));

        refused_args.push_back("--force");
        const auto forced = run_certforge(refused_args);
        INFO(forced.err);
        CHECK(forced.exit_code == 0);
        CHECK_FALSE(fs::is_symlink(link));
        CHECK(fs::is_regular_file(link));
        CHECK_FALSE(fs::exists(victim));
    }
}

TEST_CASE("file safety: a folder in use is named with the pid that holds it", "[file-safety]") {
    TempDir dir;
    const fs::path ca = dir / "ca";
    const fs::path out = dir / "out";
    const fs::path sites = dir / "sites.toml";
    init_ca(ca);
    write_two_sites(sites);
    fs::create_directories(out);
    // Held the way certforge holds it: flock() on the lock file, its pid inside.
    const int fd = ::open((out / ".certforge.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX) == 0);
    const std::string pid = fmt::format("{}\n", ::getpid());
    REQUIRE(::write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size()));
    const auto batch =
        run_certforge({"batch", sites.string(), "--ca", ca.string(), "--out", out.string()});
    ::close(fd);
    CHECK(batch.exit_code == 3);
    CHECK(batch.err == fmt::format("certforge: error: folder {} is in use by another certforge "
                                   "(pid {})\n",
                                   out.string(), ::getpid()));
    CHECK(listing(out) == std::vector<std::string>{".certforge.lock"});
}
