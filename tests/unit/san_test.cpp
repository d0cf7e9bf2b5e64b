// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/subject_alt_name.hpp"

#include <catch2/catch.hpp>

using namespace certforge;

namespace {
std::string san_error(const std::string& spec) {
    try {
        parse_san(spec);
        return "parsed";
    } catch (const InputError& e) {
        return e.what();
    }
}
} // namespace

TEST_CASE("san: DNS names and addresses parse to canonical form", "[san]") {
    CHECK(parse_san("dns:Print.Corp.Local") == SubjectAltName{SanType::dns, "print.corp.local"});
    CHECK(parse_san("DNS:print") == SubjectAltName{SanType::dns, "print"});
    CHECK(parse_san("ip:10.1.2.3") == SubjectAltName{SanType::ip, "10.1.2.3"});
    CHECK(parse_san("ip:2001:DB8:0:0:0:0:0:1") == SubjectAltName{SanType::ip, "2001:db8::1"});
    CHECK(parse_san("ip:::1") == SubjectAltName{SanType::ip, "::1"});
    CHECK(to_string(parse_san("ip:2001:db8::1")) == "ip:2001:db8::1");
}

TEST_CASE("san: bad entries are refused with the reason", "[san]") {
    CHECK(san_error("print.corp.local") ==
          "SAN 'print.corp.local' has no type: write dns:NAME or ip:ADDRESS (e.g. "
          "dns:print.corp.local)");
    CHECK(san_error("uri:http://x") ==
          "SAN 'uri:http://x' has unknown type 'uri': use dns: or ip:");
    CHECK(san_error("ip:10.1.2.300") == "SAN 'ip:10.1.2.300' is not a valid IPv4 or IPv6 address");
    CHECK(san_error("ip:") == "SAN 'ip:' is not a valid IPv4 or IPv6 address");
    CHECK(san_error("dns:bad..name") ==
          "SAN 'dns:bad..name' is not a valid host name: the name has an empty label (two dots "
          "in a row, or a leading or trailing dot)");
    CHECK(san_error("dns:-print") ==
          "SAN 'dns:-print' is not a valid host name: the label '-print' starts or ends with a "
          "hyphen");
    CHECK(san_error("dns:*.corp.local") ==
          "SAN 'dns:*.corp.local' is not a valid host name: wildcards are not supported: name "
          "every host and IP the devices use");
    CHECK(san_error("dns:pr int") ==
          "SAN 'dns:pr int' is not a valid host name: the character ' ' is not allowed in a host "
          "name");
    CHECK(san_error("dns:" + std::string(64, 'a')) ==
          "SAN 'dns:" + std::string(64, 'a') + "' is not a valid host name: the label '" +
              std::string(64, 'a') + "' is longer than 63 characters");
    CHECK(san_error("dns:") == "SAN 'dns:' is not a valid host name: the name is empty");
}

TEST_CASE("san: a CN stands for an IP or a DNS SAN", "[san]") {
    CHECK(san_for_common_name("10.0.0.7") == SubjectAltName{SanType::ip, "10.0.0.7"});
    CHECK(san_for_common_name("Print") == SubjectAltName{SanType::dns, "print"});
    CHECK_THROWS_WITH(san_for_common_name("Print CA"),
                      "CN 'Print CA' is neither a host name nor an IP address: the character ' ' "
                      "is not allowed in a host name");
}

TEST_CASE("san: addresses round-trip through bytes", "[san]") {
    const auto v4 = parse_ip_address("192.168.0.1");
    REQUIRE(v4);
    CHECK(v4->size() == 4);
    CHECK(format_ip_address(*v4) == "192.168.0.1");
    const auto v6 = parse_ip_address("fe80::1");
    REQUIRE(v6);
    CHECK(v6->size() == 16);
    CHECK(format_ip_address(*v6) == "fe80::1");
    CHECK_FALSE(parse_ip_address("print"));
    CHECK(format_ip_address(Bytes{1, 2, 3}).empty());
}
