#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

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

TEST_CASE("output: after a killed commit, backups go back and temporaries go", "[output]") {
    TempDir dir;
    using certforge::test::read_text;
    using certforge::test::write_text;
    // Killed between moving server.key aside and putting the new one in place:
    // the backup is the only copy of the key.
    write_text(dir / "server.key.certforge-tmp-0123456789abcdef.old", "old key");
    write_text(dir / "server.key.certforge-tmp-0123456789abcdef", "new key");
    // Killed after chain.pem was replaced: the new one stays, the backup goes.
    write_text(dir / "chain.pem", "new chain");
    write_text(dir / "chain.pem.certforge-tmp-0123456789abcdef.old", "old chain");
    write_text(dir / "server.crt", "certificate");

    CHECK(remove_stale_temporaries(dir.path()) == 3);
    CHECK(listing(dir.path()) == std::vector<std::string>{"chain.pem", "server.crt", "server.key"});
    CHECK(read_text(dir / "server.key") == "old key");
    CHECK(read_text(dir / "chain.pem") == "new chain");
    CHECK(remove_stale_temporaries(dir.path()) == 0);
    CHECK(remove_stale_temporaries(dir / "missing") == 0);
}
