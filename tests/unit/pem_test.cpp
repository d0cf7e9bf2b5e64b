// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>

using namespace certforge;

TEST_CASE("pem: encoding matches openssl's Base64 and round-trips", "[pem]") {
    certforge::test::TempDir dir;
    Bytes data;
    for (int i = 0; i < 200; ++i) {
        data.push_back(static_cast<std::uint8_t>(i * 7 + 3));
    }
    for (std::size_t size : {0u, 1u, 2u, 3u, 47u, 48u, 49u, 200u}) {
        const Bytes part(data.begin(), data.begin() + static_cast<long>(size));
        const std::string pem = pem_encode("TEST", part);
        certforge::test::write_text(dir / "raw", std::string(part.begin(), part.end()));
        const auto b64 = certforge::test::run({"openssl", "base64", "-in", (dir / "raw").string()});
        REQUIRE(b64.exit_code == 0);
        CHECK(pem == "-----BEGIN TEST-----\n" + b64.out + "-----END TEST-----\n");
        if (size > 0) {
            const auto blocks = pem_decode_all(pem, "test");
            REQUIRE(blocks.size() == 1);
            CHECK(blocks[0].label == "TEST");
            CHECK(blocks[0].der == part);
        }
    }
}

TEST_CASE("pem: several blocks, text around them, CRLF", "[pem]") {
    const std::string text = "junk before\r\n" + pem_encode("CERTIFICATE", Bytes{1, 2, 3}) +
                             "between\n" + pem_encode("PRIVATE KEY", Bytes{4, 5});
    std::string crlf;
    for (char c : text) {
        if (c == '\n') {
            crlf += '\r';
        }
        crlf += c;
    }
    const auto blocks = pem_decode_all(crlf, "test");
    REQUIRE(blocks.size() == 2);
    CHECK(blocks[0].der == Bytes{1, 2, 3});
    CHECK(blocks[1].label == "PRIVATE KEY");
    const SecureBytes key = pem_decode_secret(crlf, "PRIVATE KEY", "test");
    CHECK(Bytes(key.begin(), key.end()) == Bytes{4, 5});
}

TEST_CASE("pem: broken input gives one clear error", "[pem]") {
    const std::string good = pem_encode("CERTIFICATE", Bytes{1, 2, 3, 4, 5, 6});
    CHECK_THROWS_WITH(pem_decode_all(good.substr(0, good.size() - 10), "f.pem"),
                      "f.pem: PEM block 'CERTIFICATE' is truncated (no END line)");
    CHECK_THROWS_WITH(pem_decode_all("no pem here", "f.pem"), "f.pem: no PEM block found");
    std::string bad = good;
    bad[30] = '!';
    CHECK_THROWS_WITH(pem_decode_all(bad, "f.pem"),
                      "f.pem: PEM block 'CERTIFICATE' has invalid Base64 content");
    CHECK_THROWS_WITH(pem_decode_secret(good, "PRIVATE KEY", "k.pem"),
                      "k.pem: no 'PRIVATE KEY' PEM block found");
    CHECK_THROWS_AS(pem_decode_all("-----BEGIN X-----\n-----END X-----\n", "e.pem"), InputError);
}
