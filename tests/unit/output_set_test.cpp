// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/folder_lock.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace certforge;
using certforge::test::listing;
using certforge::test::mode_of;
using certforge::test::TempDir;
namespace fs = std::filesystem;

TEST_CASE("output: files land with their modes, whatever the umask", "[output]") {
    TempDir dir;
    const mode_t old = ::umask(0077);
    OutputSet out(dir / "new", false);
    out.add("a.key", "secret", FileMode::private_file);
    out.add("a.crt", "public", FileMode::public_file);
    const auto written = out.commit();
    ::umask(old);
    CHECK(written.size() == 2);
    CHECK(mode_of(dir / "new" / "a.key") == 0600);
    CHECK(mode_of(dir / "new" / "a.crt") == 0644);
    CHECK(certforge::test::read_text(dir / "new" / "a.key") == "secret");
    CHECK(listing(dir / "new") == std::vector<std::string>{"a.crt", "a.key"});
}

TEST_CASE("output: UTF-8 folder and file names are written and reported as they are given",
          "[output]") {
    TempDir dir;
    const std::string folder = "tiskárna-složka";
    const std::string name = "řetězec.pem";
    OutputSet out(dir / utf8_path(folder), false);
    out.add(name, "public", FileMode::public_file);
    const auto written = out.commit();
    REQUIRE(written.size() == 1);
    CHECK(path_text(written.front()) == path_text(dir.path()) + "/" + folder + "/" + name);
    CHECK(listing(dir.path()) == std::vector<std::string>{folder});
    CHECK(listing(dir / utf8_path(folder)) == std::vector<std::string>{name});
    CHECK(path_text(utf8_path(folder + "/" + name).filename()) == name);
}

TEST_CASE("output: existing files are refused without force and kept", "[output]") {
    TempDir dir;
    certforge::test::write_text(dir / "a.crt", "old");
    OutputSet out(dir.path(), false);
    out.add("a.crt", "new", FileMode::public_file);
    out.add("b.crt", "new", FileMode::public_file);
    CHECK_THROWS_WITH(out.commit(), "refusing to overwrite " + (dir / "a.crt").string() +
                                        " (use --force to replace)");
    CHECK(certforge::test::read_text(dir / "a.crt") == "old");
    CHECK(listing(dir.path()) == std::vector<std::string>{"a.crt"});

    OutputSet forced(dir.path(), true);
    forced.add("a.crt", "new", FileMode::public_file);
    forced.commit();
    CHECK(certforge::test::read_text(dir / "a.crt") == "new");
    CHECK(listing(dir.path()) == std::vector<std::string>{"a.crt"});
}

TEST_CASE("output: a failure part way leaves nothing behind and restores replaced files",
          "[output]") {
    TempDir dir;
    certforge::test::write_text(dir / "a.crt", "old");
    OutputSet out(dir.path(), true);
    out.add("a.crt", "new", FileMode::public_file);
    out.add("b.key", "secret", FileMode::private_file);
    out.add("no-such-folder/c.crt", "x", FileMode::public_file);
    CHECK_THROWS_AS(out.commit(), InternalError);
    CHECK(listing(dir.path()) == std::vector<std::string>{"a.crt"});
    CHECK(certforge::test::read_text(dir / "a.crt") == "old");

    OutputSet fresh(dir / "made", false);
    fresh.add("x.crt", "x", FileMode::public_file);
    fresh.add("missing/y.crt", "y", FileMode::public_file);
    CHECK_THROWS_AS(fresh.commit(), InternalError);
    CHECK_FALSE(fs::exists(dir / "made"));
}

TEST_CASE("output: read_file names what is wrong", "[output]") {
    TempDir dir;
    CHECK_THROWS_WITH(read_file(dir / "none"), (dir / "none").string() + ": no such file");
    CHECK_THROWS_WITH(read_file(dir.path()), dir.path().string() + ": is a folder, not a file");
}

TEST_CASE("output: a killed commit is finished once its renames began, else undone", "[output]") {
    TempDir dir;
    using certforge::test::read_text;
    using certforge::test::write_text;
    // pid 99999999 is above any pid_max: that writer is dead.
    const std::string dead = ".certforge-tmp-99999999-0123456789abcdef";
    // Killed after server.key was renamed into place and chain.pem moved aside:
    // the commit record lists the set, so the renames are finished.
    write_text(dir / "server.key", "new key");
    write_text(dir / ("server.key" + dead + ".old"), "old key");
    write_text(dir / ("chain.pem" + dead + ".old"), "old chain");
    write_text(dir / ("chain.pem" + dead), "new chain");
    write_text(dir / "server.crt", "old certificate");
    write_text(dir / ("server.crt" + dead), "new certificate");
    write_text(dir / (dead + ".commit"), "server.key\nchain.pem\nserver.crt\nend\n");
    // Killed while writing: no commit record, so the set's temporaries go and
    // the file it had moved aside comes back.
    const std::string early = ".certforge-tmp-99999998-00000000000000aa";
    write_text(dir / ("ca.crt" + early), "half");
    write_text(dir / "a.txt", "new a");
    write_text(dir / ("a.txt" + early + ".old"), "old a");
    // A commit record cut short is no record.
    const std::string cut = ".certforge-tmp-99999997-00000000000000bb";
    write_text(dir / ("b.txt" + cut), "half");
    write_text(dir / (cut + ".commit"), "b.txt\n");
    // A running writer's files stay.
    const std::string live = fmt::format(".certforge-tmp-{}-00000000000000cc", ::getpid());
    write_text(dir / ("c.txt" + live), "being written");

    const auto repairs = repair_interrupted_writes(dir.path());
    REQUIRE(repairs.size() == 3);
    CHECK(repairs[0].pid == 99999997);
    CHECK_FALSE(repairs[0].finished);
    CHECK(repairs[0].files == 1);
    CHECK(repairs[1].pid == 99999998);
    CHECK_FALSE(repairs[1].finished);
    CHECK(repairs[1].files == 2);
    CHECK(repairs[2].pid == 99999999);
    CHECK(repairs[2].finished);
    CHECK(repairs[2].files == 2);
    CHECK(describe(repairs[2], "out") ==
          "certforge (pid 99999999) was stopped while it renamed its files into out: finished the "
          "renames (2 files)");
    CHECK(describe(repairs[1], "out") ==
          "certforge (pid 99999998) was stopped while it wrote into out: undid its unfinished "
          "write (2 files), the folder is as it was before");
    CHECK(listing(dir.path()) == std::vector<std::string>{"a.txt", "c.txt" + live, "chain.pem",
                                                          "server.crt", "server.key"});
    CHECK(read_text(dir / "server.key") == "new key");
    CHECK(read_text(dir / "chain.pem") == "new chain");
    CHECK(read_text(dir / "server.crt") == "new certificate");
    CHECK(read_text(dir / "a.txt") == "old a");
    CHECK(repair_interrupted_writes(dir.path()).empty());
    CHECK(repair_interrupted_writes(dir / "missing").empty());
}

TEST_CASE("output: a folder is locked by one certforge at a time", "[output]") {
    TempDir dir;
    {
        const FolderLock held(dir.path());
        CHECK(certforge::test::read_text(dir / ".certforge.lock") ==
              fmt::format("{}\n", ::getpid()));
        CHECK_THROWS_WITH(FolderLock(dir.path(), std::chrono::milliseconds(50)),
                          fmt::format("folder {} is in use by another certforge (pid {})",
                                      dir.path().string(), ::getpid()));
    }
    CHECK(listing(dir.path()).empty());
    const FolderLock again(dir.path());
    fs::create_directory_symlink(dir.path(), dir / "link");
    CHECK_THROWS_WITH(FolderLock(dir / "link", std::chrono::milliseconds(0), false),
                      (dir / "link").string() +
                          " is a symbolic link: refusing to write through it");
}

TEST_CASE("output: folders get 0700 or 0755 and files their modes under umask 000", "[output]") {
    TempDir dir;
    const mode_t old = ::umask(0);
    const auto created = make_folders(dir / "a" / "b", FolderMode::private_folder);
    OutputSet out(dir / "c", false);
    out.add("x.crt", "x", FileMode::public_file);
    out.commit();
    OutputSet secret(dir / "d", false);
    secret.add("x.key", "x", FileMode::private_file);
    secret.commit();
    ::umask(old);
    CHECK(created == std::vector<fs::path>{dir / "a", dir / "a" / "b"});
    CHECK(mode_of(dir / "a") == 0755);
    CHECK(mode_of(dir / "a" / "b") == 0700);
    CHECK(mode_of(dir / "c") == 0755);
    CHECK(mode_of(dir / "c" / "x.crt") == 0644);
    CHECK(mode_of(dir / "d") == 0700);
    CHECK(mode_of(dir / "d" / "x.key") == 0600);
    CHECK(make_folders(dir / "a" / "b", FolderMode::public_folder).empty());
    CHECK(mode_of(dir / "a" / "b") == 0700);
    certforge::test::write_text(dir / "file", "");
    CHECK_THROWS_AS(make_folders(dir / "file" / "sub", FolderMode::public_folder), InputError);
}

TEST_CASE("output: a folder that is a symbolic link is followed, refused or replaced", "[output]") {
    TempDir dir;
    fs::create_directory(dir / "target");
    const fs::path link = dir / "link";
    fs::create_directory_symlink(dir / "target", link);
    const auto one_file = [](const fs::path& folder, bool force, FolderLink policy) {
        OutputSet out(folder, force, policy);
        out.add("x.crt", "x", FileMode::public_file);
        return out.commit();
    };
    const std::string refused = link.string() + " is a symbolic link: refusing to write through it";
    CHECK_THROWS_WITH(one_file(link, true, FolderLink::refuse), refused);
    CHECK_THROWS_WITH(one_file(link, false, FolderLink::replace),
                      refused + " (use --force to replace the link with a folder)");
    CHECK(listing(dir / "target").empty());

    one_file(link, false, FolderLink::follow);
    CHECK(listing(dir / "target") == std::vector<std::string>{"x.crt"});

    one_file(link, true, FolderLink::replace);
    CHECK_FALSE(fs::is_symlink(link));
    CHECK(listing(link) == std::vector<std::string>{"x.crt"});
    CHECK(listing(dir / "target") == std::vector<std::string>{"x.crt"});
}

TEST_CASE("output: a symbolic link in place of a file is refused, and replaced with force",
          "[output]") {
    TempDir dir;
    fs::create_symlink(dir / "victim", dir / "a.key");
    fs::create_directory(dir / "b.crt");
    OutputSet out(dir.path(), false);
    out.add("a.key", "secret", FileMode::private_file);
    CHECK_THROWS_WITH(out.commit(), "refusing to write through the symbolic link " +
                                        (dir / "a.key").string() +
                                        " (use --force to replace the link itself)");
    OutputSet forced(dir.path(), true);
    forced.add("a.key", "secret", FileMode::private_file);
    forced.commit();
    CHECK_FALSE(fs::is_symlink(dir / "a.key"));
    CHECK_FALSE(fs::exists(dir / "victim"));
    CHECK(mode_of(dir / "a.key") == 0600);

    OutputSet folder(dir.path(), true);
    folder.add("b.crt", "x", FileMode::public_file);
    CHECK_THROWS_WITH(folder.commit(), (dir / "b.crt").string() + " is a folder, not a file");
    CHECK(listing(dir.path()) == std::vector<std::string>{"a.key", "b.crt"});
}
