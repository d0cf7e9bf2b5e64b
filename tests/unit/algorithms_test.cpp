// SPDX-License-Identifier: Apache-2.0
#include "certforge/algorithms.hpp"
#include "certforge/cert_info.hpp"

#include <catch2/catch.hpp>

using namespace certforge;

TEST_CASE("algorithms: names round-trip", "[algorithms]") {
    for (auto hash : {HashAlgorithm::md5, HashAlgorithm::sha1, HashAlgorithm::sha224,
                      HashAlgorithm::sha256, HashAlgorithm::sha384, HashAlgorithm::sha512}) {
        CHECK(hash_from_name(to_string(hash)) == hash);
    }
    CHECK_FALSE(hash_from_name("sha3"));
    CHECK_FALSE(hash_from_name("unknown"));
    CHECK(is_weak(HashAlgorithm::sha1));
    CHECK_FALSE(is_weak(HashAlgorithm::sha256));
    for (unsigned bit = 0; bit < kKeyUsageBitCount; ++bit) {
        CHECK(key_usage_from_name(to_string(static_cast<KeyUsageBit>(bit))) ==
              static_cast<KeyUsageBit>(bit));
    }
    CHECK(key_usage_names(key_usage_flag(KeyUsageBit::key_cert_sign) |
                          key_usage_flag(KeyUsageBit::digital_signature)) ==
          std::vector<std::string>{"digitalSignature", "keyCertSign"});
    CHECK(eku_from_name("clientAuth")->oid == "1.3.6.1.5.5.7.3.2");
    CHECK(eku_display_name("1.3.6.1.5.5.7.3.1") == "serverAuth");
    CHECK(eku_display_name("1.2.3.4") == "1.2.3.4");
}

TEST_CASE("algorithms: PKCS#12 encryption names round-trip", "[algorithms]") {
    for (auto e : {Pkcs12Encryption::aes, Pkcs12Encryption::triple_des, Pkcs12Encryption::rc2}) {
        CHECK(pkcs12_encryption_from_name(to_string(e)) == e);
    }
    CHECK(to_string(Pkcs12Encryption::triple_des) == "3des");
    CHECK_THROWS_WITH(pkcs12_encryption_from_name("des"),
                      "'des' is not a PKCS#12 encryption: use aes, 3des or rc2");
}

TEST_CASE("algorithms: DN text follows RFC 4514", "[algorithms]") {
    DistinguishedName dn;
    dn.attributes = {{"C", "DE", DnStringType::printable},
                     {"O", "Acme, Inc.", DnStringType::utf8},
                     {"CN", " print+1", DnStringType::utf8}};
    CHECK(dn.to_string() == "CN=\\ print\\+1,O=Acme\\, Inc.,C=DE");
    CHECK(dn.common_name() == " print+1");
    CHECK(format_utc(0) == "1970-01-01T00:00:00Z");
    CHECK(format_utc(1795000000) == "2026-11-18T11:06:40Z");
}
