// SPDX-License-Identifier: Apache-2.0
#include "certforge/algorithms.hpp"
#include "certforge/cert_info.hpp"

#include <catch2/catch.hpp>
#include <tuple>

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

TEST_CASE("UTC calendar fields and Unix time convert both ways, before 1970 and past 2038 too",
          "[unit]") {
    struct Known {
        UtcFields fields;
        UnixTime time;
    };
    // Values as `date -u -d ... +%s` gives them.
    const Known known[] = {
        {{1970, 1, 1, 0, 0, 0}, 0},
        {{1969, 12, 31, 23, 59, 59}, -1},
        {{1950, 1, 1, 0, 0, 0}, -631152000},
        {{2000, 2, 29, 12, 0, 0}, 951825600},
        {{2038, 1, 19, 3, 14, 8}, 2147483648},
        {{2100, 3, 1, 0, 0, 0}, 4107542400},
        {{9999, 12, 31, 23, 59, 59}, 253402300799},
    };
    for (const auto& [fields, time] : known) {
        INFO(format_utc(time));
        CHECK(to_unix_time(fields) == time);
        const UtcFields back = to_utc_fields(time);
        CHECK(std::tie(back.year, back.month, back.day, back.hour, back.minute, back.second) ==
              std::tie(fields.year, fields.month, fields.day, fields.hour, fields.minute,
                       fields.second));
    }
    CHECK(format_utc(-1) == "1969-12-31T23:59:59Z");
}
