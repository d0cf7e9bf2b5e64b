// SPDX-License-Identifier: Apache-2.0
// The JKS keystore writer and reader on each backend: round trips, the
// store's integrity digest (recomputed by the openssl command line), Java's
// keytool reading what certforge wrote and certforge reading what keytool
// wrote, wrong passwords, and truncated or hostile stores (one InputError,
// never a crash or a huge allocation).
#include "certforge/backend_registry.hpp"
#include "certforge/jks_keystore.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace certforge;
using certforge::test::error_of;
using certforge::test::read_text;
using certforge::test::run;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

constexpr UnixTime kCreated = 1'700'000'000; // 2023-11-14T22:13:20Z

SecureString secret(const std::string& text) {
    return SecureString(text.begin(), text.end());
}

// Certificates made by the openssl command line: a CA, a leaf it signed
// (fixture key rsa2048), and a self-signed EC certificate (fixture ec256).
struct Chain {
    TempDir dir;
    Bytes ca;
    Bytes leaf;
    Bytes ec;

    Chain() {
        certforge::test::OpenSslCert ca_spec;
        ca_spec.key = "rsa1024";
        ca_spec.subject = "/CN=JKS CA";
        ca_spec.extensions = {"basicConstraints=critical,CA:TRUE",
                              "keyUsage=critical,keyCertSign,cRLSign"};
        const auto ca_pem = certforge::test::openssl_cert(dir, "ca", ca_spec);
        certforge::test::OpenSslCert leaf_spec;
        leaf_spec.ca_cert = ca_pem;
        leaf_spec.ca_key = "rsa1024";
        certforge::test::OpenSslCert ec_spec;
        ec_spec.key = "ec256";
        ec_spec.subject = "/CN=ec.corp.local";
        ec_spec.extensions = {"subjectAltName=DNS:ec.corp.local"};
        ca = certforge::test::der_of(ca_pem);
        leaf = certforge::test::der_of(certforge::test::openssl_cert(dir, "leaf", leaf_spec));
        ec = certforge::test::der_of(certforge::test::openssl_cert(dir, "ec", ec_spec));
    }

    JksContents contents() const {
        JksContents c;
        c.keys.push_back({"Server", certforge::test::fixture_private_key("rsa2048"), {leaf, ca}});
        c.keys.push_back({"ec", certforge::test::fixture_private_key("ec256"), {ec}});
        c.trusted.push_back({"ca", ca});
        c.trusted.push_back({"CA-2", ec});
        return c;
    }

    // contents() in a store that `backend` writes, created at kCreated.
    Bytes store(Backend& backend, const std::string& store_password,
                const std::string& key_password) const {
        return write_jks(backend, contents(), secret(store_password), secret(key_password),
                         kCreated);
    }
};

std::uint64_t big_endian(ByteView bytes, std::size_t at, std::size_t size) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) {
        value = (value << 8) | bytes[at + i];
    }
    return value;
}

// SHA-1 by the openssl command line, not by a backend.
Bytes openssl_sha1(const TempDir& dir, const Bytes& data) {
    write_text(dir / "preimage", std::string(data.begin(), data.end()));
    const auto done = run({"openssl", "dgst", "-sha1", "-binary", "-out", (dir / "sha1").string(),
                           (dir / "preimage").string()});
    REQUIRE(done.exit_code == 0);
    const std::string digest = read_text(dir / "sha1");
    return Bytes(digest.begin(), digest.end());
}

// A store's body with a fresh digest for `password` (ASCII), so that only
// the structure is wrong: what an attacker who knows the password can send.
Bytes sealed(const Backend& backend, Bytes body, const std::string& password) {
    Bytes preimage;
    for (const char c : password) {
        preimage.push_back(0);
        preimage.push_back(static_cast<std::uint8_t>(c));
    }
    const std::string whitener = "Mighty Aphrodite";
    preimage.insert(preimage.end(), whitener.begin(), whitener.end());
    preimage.insert(preimage.end(), body.begin(), body.end());
    const Bytes digest = backend.digest(HashAlgorithm::sha1, preimage);
    body.insert(body.end(), digest.begin(), digest.end());
    return body;
}

void put_u32(Bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    }
}

// The start of a JKS body: magic, version, entry count.
Bytes header(std::uint32_t version, std::uint32_t count) {
    Bytes out{0xfe, 0xed, 0xfe, 0xed};
    put_u32(out, version);
    put_u32(out, count);
    return out;
}

// An entry's tag, alias and creation date.
void entry_start(Bytes& out, std::uint32_t tag, const std::string& alias) {
    put_u32(out, tag);
    out.push_back(static_cast<std::uint8_t>(alias.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(alias.size()));
    out.insert(out.end(), alias.begin(), alias.end());
    out.insert(out.end(), 8, 0);
}

} // namespace

TEST_CASE("jks: what write_jks stores, read_jks gives back, on each backend", "[jks]") {
    const std::string writer_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("written by " << writer_name);
    const auto writer = make_backend(writer_name);
    const Chain chain;
    const Bytes store = chain.store(*writer, "store pass", "key pass");

    // The layout keytool expects: magic, version 2, the entry count, the
    // first entry's alias in lower case and its creation time in ms.
    CHECK(is_jks(store));
    CHECK(big_endian(store, 0, 4) == 0xFEEDFEED);
    CHECK(big_endian(store, 4, 4) == 2);
    CHECK(big_endian(store, 8, 4) == 4);
    CHECK(big_endian(store, 12, 4) == 1);
    CHECK(big_endian(store, 16, 2) == 6);
    CHECK(std::string(store.begin() + 18, store.begin() + 24) == "server");
    CHECK(big_endian(store, 24, 8) == std::uint64_t{kCreated} * 1000);

    // Two stores of the same contents differ: each key has a fresh salt.
    CHECK(chain.store(*writer, "store pass", "key pass") != store);

    for (const auto& reader_name : certforge::test::backend_names()) {
        INFO("read by " << reader_name);
        const auto reader = make_backend(reader_name);
        const JksContents back =
            read_jks(*reader, store, secret("store pass"), secret("key pass"), "mem.jks");
        REQUIRE(back.keys.size() == 2);
        CHECK(back.keys[0].alias == "server");
        const auto rsa = certforge::test::fixture_private_key("rsa2048");
        CHECK(Bytes(back.keys[0].key.pkcs8_der().begin(), back.keys[0].key.pkcs8_der().end()) ==
              Bytes(rsa.pkcs8_der().begin(), rsa.pkcs8_der().end()));
        CHECK(back.keys[0].chain == std::vector<Bytes>{chain.leaf, chain.ca});
        CHECK(back.keys[1].alias == "ec");
        CHECK(reader->key_matches_certificate(back.keys[1].key, chain.ec));
        CHECK(back.keys[1].chain == std::vector<Bytes>{chain.ec});
        REQUIRE(back.trusted.size() == 2);
        CHECK(back.trusted[0].alias == "ca");
        CHECK(back.trusted[0].certificate == chain.ca);
        CHECK(back.trusted[1].alias == "ca-2");
        CHECK(back.trusted[1].certificate == chain.ec);
    }
}

TEST_CASE("jks: the store ends with SHA-1 of the password, the whitener and the contents",
          "[jks]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    const Chain chain;
    JksContents trust;
    trust.trusted.push_back({"ca", chain.ca});
    // The password as Java's chars, big-endian: ASCII, then Latin-1 and the
    // euro sign (U+20AC) from UTF-8.
    const std::vector<std::pair<std::string, Bytes>> passwords{
        {"changeit", {0, 'c', 0, 'h', 0, 'a', 0, 'n', 0, 'g', 0, 'e', 0, 'i', 0, 't'}},
        {"Gr\xC3\xBC\xC3\x9F\xE2\x82\xAC", {0, 'G', 0, 'r', 0, 0xFC, 0, 0xDF, 0x20, 0xAC}},
        {"", {}},
    };
    for (const auto& [password, utf16] : passwords) {
        INFO("password of " << password.size() << " bytes");
        const Bytes store = write_jks(*backend, trust, secret(password), secret(password), 1);
        const Bytes body(store.begin(), store.end() - 20);
        Bytes preimage = utf16;
        const std::string whitener = "Mighty Aphrodite";
        preimage.insert(preimage.end(), whitener.begin(), whitener.end());
        preimage.insert(preimage.end(), body.begin(), body.end());
        CHECK(Bytes(store.end() - 20, store.end()) == openssl_sha1(chain.dir, preimage));
        CHECK(
            read_jks(*backend, store, secret(password), secret(password), "t.jks").trusted.size() ==
            1);
    }
}

TEST_CASE("jks: keytool lists, checks and converts what certforge wrote", "[jks]") {
    certforge::test::require_tool("keytool", "openjdk-17-jre-headless");
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    const Chain chain;
    const fs::path store = chain.dir / "store.jks";
    const Bytes data = chain.store(*backend, "store-Gr\xC3\xBC\xC3\x9F", "key-pass");
    write_text(store, std::string(data.begin(), data.end()));
    const std::map<std::string, std::string> env{{"TZ", "UTC"}, {"LC_ALL", "C.UTF-8"}};

    const auto list = run({"keytool", "-list", "-v", "-storetype", "JKS", "-keystore",
                           store.string(), "-storepass", "store-Gr\xC3\xBC\xC3\x9F"},
                          env);
    INFO(list.out << list.err);
    REQUIRE(list.exit_code == 0);
    CHECK_THAT(list.out, Catch::Contains("Keystore type: JKS"));
    CHECK_THAT(list.out, Catch::Contains("Your keystore contains 4 entries"));
    for (const char* alias : {"server", "ec", "ca", "ca-2"}) {
        CHECK_THAT(list.out,
                   Catch::Contains(std::string("Alias name: ") + alias + "\nCreation date: "));
    }
    CHECK_THAT(list.out, Catch::Contains("Creation date: Nov 14, 2023\n"));
    CHECK_THAT(list.out,
               Catch::Contains("Entry type: PrivateKeyEntry\nCertificate chain length: 2"));
    CHECK_THAT(list.out,
               Catch::Contains("Entry type: PrivateKeyEntry\nCertificate chain length: 1"));
    CHECK_THAT(list.out, Catch::Contains("Entry type: trustedCertEntry"));

    const auto wrong = run({"keytool", "-list", "-storetype", "JKS", "-keystore", store.string(),
                            "-storepass", "store-Gruss"},
                           env);
    CHECK(wrong.exit_code != 0);
    CHECK_THAT(wrong.out + wrong.err, Catch::Contains("password was incorrect"));

    // keytool decrypts the key (Sun's key protector, the key password) when
    // it converts the entry; openssl reads the result.
    const auto converted = run({"keytool", "-importkeystore", "-noprompt", "-srckeystore",
                                store.string(), "-srcstoretype", "JKS", "-srcstorepass",
                                "store-Gr\xC3\xBC\xC3\x9F", "-srcalias", "server", "-srckeypass",
                                "key-pass", "-destkeystore", (chain.dir / "converted.p12").string(),
                                "-deststoretype", "PKCS12", "-deststorepass", "p12-pass"},
                               env);
    INFO(converted.out << converted.err);
    REQUIRE(converted.exit_code == 0);
    const auto key = run({"openssl", "pkcs12", "-in", (chain.dir / "converted.p12").string(),
                          "-nocerts", "-nodes", "-passin", "pass:p12-pass"});
    REQUIRE(key.exit_code == 0);
    write_text(chain.dir / "converted.key", key.out);
    const auto converted_public =
        run({"openssl", "pkey", "-in", (chain.dir / "converted.key").string(), "-pubout"});
    const auto fixture_public = run(
        {"openssl", "pkey", "-in", certforge::test::fixture_key("rsa2048").string(), "-pubout"});
    REQUIRE(fixture_public.exit_code == 0);
    CHECK(converted_public.out == fixture_public.out);
}

TEST_CASE("jks: certforge reads what keytool wrote", "[jks]") {
    certforge::test::require_tool("keytool", "openjdk-17-jre-headless");
    const Chain chain;
    const auto p12 = run(
        {"openssl", "pkcs12", "-export", "-inkey", certforge::test::fixture_key("rsa2048").string(),
         "-in", (chain.dir / "leaf.crt").string(), "-certfile", (chain.dir / "ca.crt").string(),
         "-name", "Printer", "-passout", "pass:p12-pass", "-out", (chain.dir / "in.p12").string()});
    INFO(p12.err);
    REQUIRE(p12.exit_code == 0);
    const fs::path store = chain.dir / "keytool.jks";
    const auto made =
        run({"keytool", "-importkeystore", "-noprompt", "-srckeystore",
             (chain.dir / "in.p12").string(), "-srcstoretype", "PKCS12", "-srcstorepass",
             "p12-pass", "-srcalias", "printer", "-destkeystore", store.string(), "-deststoretype",
             "JKS", "-deststorepass", "store-pass", "-destkeypass", "key-pass"});
    INFO(made.out << made.err);
    REQUIRE(made.exit_code == 0);
    const std::string text = read_text(store);
    const Bytes data(text.begin(), text.end());

    for (const auto& backend_name : certforge::test::backend_names()) {
        INFO("backend " << backend_name);
        const auto backend = make_backend(backend_name);
        const JksContents read =
            read_jks(*backend, data, secret("store-pass"), secret("key-pass"), "keytool.jks");
        REQUIRE(read.keys.size() == 1);
        CHECK(read.trusted.empty());
        CHECK(read.keys[0].alias == "printer");
        CHECK(read.keys[0].chain == std::vector<Bytes>{chain.leaf, chain.ca});
        CHECK(backend->describe_key(read.keys[0].key).bits == 2048);
        CHECK(backend->key_matches_certificate(read.keys[0].key, chain.leaf));
        CHECK(error_of([&] {
                  read_jks(*backend, data, secret("store-pass"), secret("store-pass"),
                           "keytool.jks");
              }) == "InputError: keytool.jks: wrong password (the key of 'printer' does not "
                    "decrypt)");
    }
}

TEST_CASE("jks: wrong passwords are named as such, store or key", "[jks]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    const Chain chain;
    const Bytes store = chain.store(*backend, "store", "key");
    CHECK(error_of([&] { read_jks(*backend, store, secret("Store"), secret("key"), "s.jks"); }) ==
          "InputError: s.jks: wrong password (the keystore integrity check failed)");
    CHECK(error_of([&] { read_jks(*backend, store, secret("store"), secret("Key"), "s.jks"); }) ==
          "InputError: s.jks: wrong password (the key of 'server' does not decrypt)");
    // A store of certificates alone has no key password to get wrong.
    JksContents trust;
    trust.trusted.push_back({"ca", chain.ca});
    const Bytes truststore = write_jks(*backend, trust, secret("store"), secret("key"), kCreated);
    CHECK(read_jks(*backend, truststore, secret("store"), secret("anything"), "t.jks")
              .trusted.size() == 1);
    // Passwords Java cannot hold the same way are refused, not mangled.
    CHECK(error_of([&] {
              read_jks(*backend, store, secret("\xF0\x9F\x96\xA8"), secret("key"), "s.jks");
          }) == "InputError: JKS passwords must use characters of the Unicode BMP only");
    CHECK(error_of([&] { read_jks(*backend, store, secret("ab\xC3"), secret("key"), "s.jks"); }) ==
          "InputError: the password is not valid UTF-8");
}

TEST_CASE("jks: write_jks refuses aliases keytool could not tell apart and keys without a chain",
          "[jks]") {
    const auto backend = make_backend(certforge::test::backend_names().front());
    const Chain chain;
    const auto key = certforge::test::fixture_private_key("rsa2048");
    const auto write = [&](const JksContents& contents) {
        return error_of([&] { write_jks(*backend, contents, secret("s"), secret("s"), 0); });
    };
    JksContents twice;
    twice.keys.push_back({"Server", key, {chain.leaf}});
    twice.trusted.push_back({"SERVER", chain.ca});
    CHECK(write(twice) == "UsageError: the JKS alias 'server' is used twice");
    JksContents empty;
    empty.trusted.push_back({"", chain.ca});
    CHECK(write(empty) == "UsageError: '' is not a usable JKS alias (ASCII, not empty)");
    JksContents accented;
    accented.trusted.push_back({"dr\xC3\xBC"
                                "cker",
                                chain.ca});
    CHECK(write(accented) == "UsageError: 'dr\xC3\xBC"
                             "cker' is not a usable JKS alias (ASCII, not empty)");
    JksContents no_chain;
    no_chain.keys.push_back({"server", key, {}});
    CHECK(write(no_chain) == "UsageError: a JKS key entry needs its certificate chain");
    CHECK(error_of([&] { write_jks(*backend, {}, secret("\xF0\x9F\x96\xA8"), secret("s"), 0); }) ==
          "InputError: JKS passwords must use characters of the Unicode BMP only");
}

TEST_CASE("jks: every truncation of a store is one InputError", "[jks]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    const Chain chain;
    const Bytes store = chain.store(*backend, "store", "key");
    const std::string magic = "InputError: cut.jks: not a JKS keystore (no 0xFEEDFEED magic)";
    const std::string truncated = "InputError: cut.jks: the JKS file is truncated";
    const std::string digest =
        "InputError: cut.jks: wrong password (the keystore integrity check failed)";
    for (std::size_t size = 0; size < store.size(); ++size) {
        const std::string what = error_of([&] {
            read_jks(*backend, ByteView(store).first(size), secret("store"), secret("key"),
                     "cut.jks");
        });
        // Without its digest a store cannot be told from one under another
        // password.
        const std::string& expected = size < 4 ? magic : size < 32 ? truncated : digest;
        if (what != expected) {
            FAIL_CHECK("cut to " << size << " bytes: " << what);
        }
    }
    CHECK_FALSE(is_jks(ByteView(store).first(3)));
    CHECK(is_jks(ByteView(store).first(4)));

    // The same cuts with a digest made for them: now the parser meets each
    // one, in every field of every entry.
    const Bytes body(store.begin(), store.end() - 20);
    for (std::size_t size = 12; size < body.size(); ++size) {
        const std::string what = error_of([&] {
            read_jks(*backend, sealed(*backend, Bytes(body.begin(), body.begin() + size), "store"),
                     secret("store"), secret("key"), "cut.jks");
        });
        if (what != truncated) {
            FAIL_CHECK("body cut to " << size << " bytes: " << what);
        }
    }
    CHECK(read_jks(*backend, sealed(*backend, body, "store"), secret("store"), secret("key"),
                   "whole.jks")
              .keys.size() == 2);
}

TEST_CASE("jks: hostile stores with a valid digest are refused in one line", "[jks]") {
    const std::string backend_name = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend_name);
    const auto backend = make_backend(backend_name);
    const auto read = [&](const Bytes& body) {
        return error_of([&] {
            read_jks(*backend, sealed(*backend, body, "pw"), secret("pw"), secret("pw"), "h.jks");
        });
    };
    const std::string truncated = "InputError: h.jks: the JKS file is truncated";

    CHECK(read(header(2, 0)) == "no error");
    CHECK(read(header(1, 0)) == "InputError: h.jks: JKS version 1 is not supported (only 2)");
    // Counts and lengths far beyond the data: no allocation of that size.
    CHECK(read(header(2, 0xFFFFFFFF)) == truncated);
    Bytes alias = header(2, 1);
    put_u32(alias, 2);
    alias.insert(alias.end(), {0xFF, 0xFF, 'c', 'a'});
    CHECK(read(alias) == truncated);
    Bytes certificate = header(2, 1);
    entry_start(certificate, 2, "ca");
    certificate.insert(certificate.end(), {0, 5, 'X', '.', '5', '0', '9'});
    put_u32(certificate, 0xFFFFFFF0);
    CHECK(read(certificate) == truncated);
    Bytes unknown = header(2, 1);
    entry_start(unknown, 3, "secret");
    CHECK(read(unknown) == "InputError: h.jks: unknown JKS entry type 3");

    // Key entries: the EncryptedPrivateKeyInfo around the protected key.
    const Bytes protector_oid{0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04,
                              0x01, 0x2a, 0x02, 0x11, 0x01, 0x01};
    const auto key_entry = [&](const Bytes& info) {
        Bytes out = header(2, 1);
        entry_start(out, 1, "server");
        put_u32(out, static_cast<std::uint32_t>(info.size()));
        out.insert(out.end(), info.begin(), info.end());
        put_u32(out, 0);
        return out;
    };
    const auto info_of = [&](const Bytes& oid, std::size_t key_size) {
        Bytes algorithm{0x30, static_cast<std::uint8_t>(oid.size() + 2)};
        algorithm.insert(algorithm.end(), oid.begin(), oid.end());
        algorithm.insert(algorithm.end(), {0x05, 0x00});
        Bytes info{0x30, static_cast<std::uint8_t>(algorithm.size() + 2 + key_size)};
        info.insert(info.end(), algorithm.begin(), algorithm.end());
        info.insert(info.end(), {0x04, static_cast<std::uint8_t>(key_size)});
        info.insert(info.end(), key_size, 0x5a);
        return info;
    };
    const std::string not_protector =
        "InputError: h.jks: a JKS key entry is not protected with the JKS key protector (JCEKS "
        "and PKCS#12 keystores are not JKS)";
    CHECK(read(key_entry(info_of(protector_oid, 39))) ==
          "InputError: h.jks: a JKS key entry is truncated");
    CHECK(read(key_entry(info_of(protector_oid, 40))) ==
          "InputError: h.jks: wrong password (the key of 'server' does not decrypt)");
    Bytes jceks_oid = protector_oid;
    jceks_oid.back() = 0x02;
    CHECK(read(key_entry(info_of(jceks_oid, 60))) == not_protector);
    CHECK(read(key_entry({0x30, 0x85, 0, 0, 0, 0, 0x10})) == not_protector);
    CHECK(read(key_entry({0x30, 0x20, 0x30, 0x7f})) == not_protector);
    CHECK(read(key_entry({0x04, 0x00})) == not_protector);
    CHECK(read(key_entry({})) == not_protector);

    CHECK(
        error_of([&] {
            read_jks(*backend, Bytes{0x30, 0x82, 0x01, 0x00}, secret("pw"), secret("pw"), "p.p12");
        }) == "InputError: p.p12: not a JKS keystore (no 0xFEEDFEED magic)");
}
