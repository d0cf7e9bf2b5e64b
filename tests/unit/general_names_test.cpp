// SPDX-License-Identifier: Apache-2.0
// read_general_names: the one subjectAltName reader of both backends.
#include "certforge/errors.hpp"
#include "certforge/general_names.hpp"

#include <catch2/catch.hpp>

using namespace certforge;

namespace {

GeneralNames read(const Bytes& der, NamePolicy policy = NamePolicy::certificate) {
    return read_general_names(der, policy, "c.pem");
}

std::string error_of(const Bytes& der) {
    try {
        read(der);
        return "read";
    } catch (const InputError& e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("general names: DNS and IP entries in order, other kinds counted", "[san]") {
    const Bytes der{
        0x30,
        0x31, // GeneralNames
        0x82,
        0x05,
        'p',
        'r',
        'i',
        'n',
        't', // dNSName
        0x87,
        0x04,
        10,
        1,
        2,
        3, // iPAddress v4
        0x81,
        0x03,
        'a',
        '@',
        'b', // rfc822Name
        0x87,
        0x03,
        10,
        1,
        2, // iPAddress of 3 bytes
        0xa5,
        0x06,
        0x81,
        0x04,
        0x13,
        0x02,
        'e',
        'p', // ediPartyName, as in the
             // cryptography vector
        0x87,
        0x10,
        0x20,
        0x01,
        0x0d,
        0xb8,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        1,
    };
    const GeneralNames names = read(der);
    CHECK(names.names == std::vector<SubjectAltName>{{SanType::dns, "print"},
                                                     {SanType::ip, "10.1.2.3"},
                                                     {SanType::ip, "2001:db8::1"}});
    CHECK(names.others == 3);

    const Bytes long_form{0x30, 0x81, 0x03, 0x82, 0x01, 'x'};
    CHECK(read(long_form).names == std::vector<SubjectAltName>{{SanType::dns, "x"}});
    CHECK(read({0x30, 0x00}).names.empty());
}

TEST_CASE("general names: what is not a GeneralNames is refused with the reason", "[san]") {
    const std::string prefix = "c.pem: the subjectAltName extension cannot be decoded ";
    CHECK(error_of({}) == prefix + "(truncated)");
    CHECK(error_of({0x31, 0x00}) == prefix + "(not a SEQUENCE)");
    CHECK(error_of({0x30, 0x00, 0x00}) == prefix + "(1 bytes after the SEQUENCE)");
    CHECK(error_of({0x30, 0x80, 0x00, 0x00}) == prefix + "(an indefinite length)");
    CHECK(error_of({0x30, 0x85, 0, 0, 0, 0, 0}) == prefix + "(a bad length)");
    CHECK(error_of({0x30, 0x03, 0x82, 0x05, 'x'}) == prefix + "(truncated)");
    CHECK(error_of({0x30, 0x02, 0x04, 0x00}) == prefix + "(an entry with tag 0x04)");
    CHECK(error_of({0x30, 0x02, 0x89, 0x00}) == prefix + "(an entry with tag 0x89)");
    CHECK(error_of({0x30, 0x02, 0x9f, 0x00}) == prefix + "(a tag number above 30)");
    CHECK(error_of({0x30, 0x05, 0xa2, 0x03, 0x16, 0x01, 'x'}) ==
          prefix + "(a constructed [2] entry)");
}

TEST_CASE("general names: dNSNames are read under the name policy", "[san]") {
    const Bytes high_byte{0x30, 0x04, 0x82, 0x02, 'a', 0xe9};
    CHECK(read(high_byte).names == std::vector<SubjectAltName>{{SanType::dns, "a\xef\xbf\xbd"}});
    CHECK_THROWS_AS(read(high_byte, NamePolicy::request), InputError);
}
