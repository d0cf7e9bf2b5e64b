// SPDX-License-Identifier: Apache-2.0
// dn_text: the exact UTF-8 of every DN string type, each refusal with its
// message, the certificate and request policies, and escape_control.
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"

#include <catch2/catch.hpp>

using namespace certforge;

namespace {

ByteView bytes(std::string_view text) {
    return as_bytes(text);
}

// The InputError message read_name_string throws, or "read: <text>".
std::string outcome(int tag, std::string_view content, NamePolicy policy) {
    try {
        return "read: " + read_name_string(tag, bytes(content), policy, "x.csr: the subject's CN");
    } catch (const InputError& e) {
        return e.what();
    }
}

std::string refusal(int tag, std::string_view content) {
    return outcome(tag, content, NamePolicy::request);
}

// A DER TLV with a short-form length.
std::string tlv(unsigned char tag, const std::string& content) {
    REQUIRE(content.size() < 0x80);
    return std::string(1, static_cast<char>(tag)) +
           std::string(1, static_cast<char>(content.size())) + content;
}

// The DER of a Name with one attribute of OID 2.5.4.3 (CN) or 2.5.4.10 (O).
std::string name_der(const std::string& oid, unsigned char tag, const std::string& value) {
    return tlv(0x30, tlv(0x31, tlv(0x30, tlv(0x06, oid) + tlv(tag, value))));
}

const std::string kCn("\x55\x04\x03", 3);
const std::string kO("\x55\x04\x0a", 3);

// A certificate-shaped DER (the walker looks at the names only).
std::string certificate_der(const std::string& issuer, const std::string& subject) {
    const std::string tbs = tlv(0xA0, tlv(0x02, std::string(1, '\x02'))) +
                            tlv(0x02, std::string(1, '\x05')) + tlv(0x30, "") + issuer +
                            tlv(0x30, "") + subject + tlv(0x30, "");
    return tlv(0x30, tlv(0x30, tbs) + tlv(0x30, "") + tlv(0x03, std::string(1, '\0')));
}

std::string request_der(const std::string& subject) {
    const std::string info = tlv(0x02, std::string(1, '\0')) + subject + tlv(0x30, "");
    return tlv(0x30, tlv(0x30, info) + tlv(0x30, "") + tlv(0x03, std::string(1, '\0')));
}

std::string precheck(const std::string& der, NamePolicy policy) {
    try {
        check_names_before_decoding(bytes(der), policy, "in.der");
        return "fine";
    } catch (const InputError& e) {
        return e.what();
    }
}

} // namespace

TEST_CASE("dn text: every string type converts to the exact UTF-8", "[dn_text]") {
    const auto policy = GENERATE(NamePolicy::certificate, NamePolicy::request);
    CHECK(outcome(kTagUtf8String, "Caf\xC3\xA9 \xF0\x9D\x94\x98", policy) ==
          "read: Caf\xC3\xA9 \xF0\x9D\x94\x98");
    CHECK(outcome(kTagUtf8String, "\xEF\xBF\xBF\xF4\x8F\xBF\xBF", policy) ==
          "read: \xEF\xBF\xBF\xF4\x8F\xBF\xBF");
    CHECK(outcome(kTagPrintableString, "Print Corp (HQ)", policy) == "read: Print Corp (HQ)");
    CHECK(outcome(kTagIa5String, "a@b.example", policy) == "read: a@b.example");
    CHECK(outcome(kTagNumericString, "0123 45", policy) == "read: 0123 45");
    // TeletexString is Latin-1: every byte is the code point of the same value.
    CHECK(outcome(kTagTeletexString, "Caf\xE9 No\xEBl \xA4\xFF", policy) ==
          "read: Caf\xC3\xA9 No\xC3\xABl \xC2\xA4\xC3\xBF");
    CHECK(outcome(kTagTeletexString, std::string("\xC3\xA9", 2), policy) ==
          "read: \xC3\x83\xC2\xA9");
    // BMPString: UCS-2 big-endian.
    CHECK(outcome(kTagBmpString, std::string("\x01\x41\x00\xF3\x00\x64\x01\x7A", 8), policy) ==
          "read: \xC5\x81\xC3\xB3"
          "d\xC5\xBA");
    CHECK(outcome(kTagBmpString, std::string("\xFF\xFD\xE0\x00", 4), policy) ==
          "read: \xEF\xBF\xBD\xEE\x80\x80");
    // UniversalString: UCS-4 big-endian, the whole of Unicode.
    CHECK(outcome(kTagUniversalString, std::string("\x00\x01\xD5\x18\x00\x00\x00\x78", 8),
                  policy) == "read: \xF0\x9D\x94\x98x");
    CHECK(outcome(kTagUniversalString, std::string("\x00\x10\xFF\xFF", 4), policy) ==
          "read: \xF4\x8F\xBF\xBF");
    CHECK(outcome(kTagUtf8String, "", policy) == "read: ");
    CHECK(outcome(kTagBmpString, "", policy) == "read: ");
}

TEST_CASE("dn text: the string types and their DnStringType", "[dn_text]") {
    CHECK(dn_string_type(kTagUtf8String) == DnStringType::utf8);
    CHECK(dn_string_type(kTagPrintableString) == DnStringType::printable);
    CHECK(dn_string_type(kTagIa5String) == DnStringType::ia5);
    CHECK(dn_string_type(kTagTeletexString) == DnStringType::teletex);
    CHECK(dn_string_type(kTagBmpString) == DnStringType::bmp);
    CHECK(dn_string_type(kTagUniversalString) == DnStringType::universal);
    CHECK(dn_string_type(kTagNumericString) == DnStringType::other);
    CHECK(dn_string_type(-1) == DnStringType::other);
}

TEST_CASE("dn text: every undecodable string is refused with its reason", "[dn_text]") {
    const std::string field = "x.csr: the subject's CN is ";
    CHECK(refusal(kTagUtf8String, "caf\xC3(") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0x28 at offset 4)");
    CHECK(refusal(kTagUtf8String, "caf\xE9") ==
          field + "a UTF8String that is not valid UTF-8 (it ends inside a character)");
    CHECK(refusal(kTagUtf8String, "a\xFF") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0xFF at offset 1)");
    CHECK(refusal(kTagUtf8String, "\xC0\xAF") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0xC0 at offset 0)");
    CHECK(refusal(kTagUtf8String, "\xE0\x80\xAF") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0x80 at offset 1)");
    CHECK(refusal(kTagUtf8String, "\xED\xA0\x80") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0xA0 at offset 1)");
    CHECK(refusal(kTagUtf8String, "\xF4\x90\x80\x80") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0x90 at offset 1)");
    CHECK(refusal(kTagUtf8String, "\xF5\x80\x80\x80") ==
          field + "a UTF8String that is not valid UTF-8 (byte 0xF5 at offset 0)");
    CHECK(refusal(kTagPrintableString, "Caf\xE9") ==
          field + "a PrintableString with a byte that is not 7-bit ASCII (0xE9 at offset 3)");
    CHECK(refusal(kTagIa5String, "\x80") ==
          field + "an IA5String with a byte that is not 7-bit ASCII (0x80 at offset 0)");
    CHECK(refusal(kTagNumericString, "12\xB3") ==
          field + "a NumericString with a byte that is not 7-bit ASCII (0xB3 at offset 2)");
    CHECK(refusal(kTagBmpString, "abcde") ==
          field + "a BMPString of odd length (5 bytes): not UCS-2");
    CHECK(refusal(kTagBmpString, std::string("\x00"
                                             "a\xD8\x3D\xDE\x00",
                                             6)) ==
          field + "a BMPString with a UTF-16 surrogate (0xD83D at offset 2): not UCS-2");
    CHECK(refusal(kTagUniversalString, "abcde") ==
          field + "a UniversalString of 5 bytes, not a multiple of 4: not UCS-4");
    CHECK(refusal(kTagUniversalString, std::string("\x00\x11\x00\x00", 4)) ==
          field +
              "a UniversalString with a value above U+10FFFF (0x00110000 at offset 0): not UCS-4");
    CHECK(refusal(kTagUniversalString, std::string("\x00\x00\x00x\x00\x00\xDF\xFF", 8)) ==
          field + "a UniversalString with a UTF-16 surrogate (0x0000DFFF at offset 4): not UCS-4");
    CHECK(refusal(26, "abc") == field + "a VisibleString, a string type certforge does not read");
    CHECK(refusal(27, "abc") == field + "a GeneralString, a string type certforge does not read");
    CHECK(refusal(16, "abc") == field + "not a string (ASN.1 tag 16)");
    CHECK(refusal(-1, "abc") == field + "not a string");
}

TEST_CASE("dn text: a request refuses control characters, a certificate keeps them", "[dn_text]") {
    CHECK(refusal(kTagUtf8String, std::string("a\0b", 3)) ==
          "x.csr: the subject's CN 'a\\x00b' has control characters");
    CHECK(refusal(kTagPrintableString, "a\x7f") ==
          "x.csr: the subject's CN 'a\\x7f' has control characters");
    CHECK(refusal(kTagBmpString, std::string("\x00\x1B", 2)) ==
          "x.csr: the subject's CN '\\x1b' has control characters");
    CHECK(outcome(kTagUtf8String, std::string("a\0b", 3), NamePolicy::certificate) ==
          std::string("read: a\0b", 9));
    CHECK(read_dns_name(bytes(std::string("a\0b", 3)), NamePolicy::certificate, "c.pem") ==
          std::string("a\0b", 3));
    try {
        read_dns_name(bytes("print\n.local"), NamePolicy::request, "r.csr");
        FAIL("read");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "r.csr: the subjectAltName dNSName 'print\\x0a.local' has control characters");
    }
}

TEST_CASE("dn text: a certificate keeps 8-bit bytes of 7-bit types as U+FFFD", "[dn_text]") {
    CHECK(outcome(kTagPrintableString, "Caf\xE9", NamePolicy::certificate) ==
          "read: Caf\xEF\xBF\xBD");
    CHECK(outcome(kTagIa5String, "\xC3\xA9", NamePolicy::certificate) ==
          "read: \xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(read_dns_name(bytes("caf\xE9.local"), NamePolicy::certificate, "c.pem") ==
          "caf\xEF\xBF\xBD.local");
    // What OpenSSL 3 cannot decode is refused in a certificate as well.
    CHECK(outcome(kTagUtf8String, "caf\xE9", NamePolicy::certificate) ==
          "x.csr: the subject's CN is a UTF8String that is not valid UTF-8 (it ends inside a "
          "character)");
    CHECK(outcome(kTagBmpString, "abc", NamePolicy::certificate) ==
          "x.csr: the subject's CN is a BMPString of odd length (3 bytes): not UCS-2");
    CHECK(outcome(kTagUniversalString, "ab", NamePolicy::certificate) ==
          "x.csr: the subject's CN is a UniversalString of 2 bytes, not a multiple of 4: not "
          "UCS-4");
    CHECK(outcome(26, "abc", NamePolicy::certificate) ==
          "x.csr: the subject's CN is a VisibleString, a string type certforge does not read");
}

TEST_CASE("dn text: lossy conversion replaces exactly what is undecodable", "[dn_text]") {
    CHECK(dn_string_to_utf8_lossy(kTagUtf8String, bytes("a\xC3(b\xE9")) ==
          "a\xEF\xBF\xBD(b\xEF\xBF\xBD");
    CHECK(dn_string_to_utf8_lossy(kTagBmpString, bytes(std::string("\x00"
                                                                   "a\xD8\x00\x00",
                                                                   5))) ==
          "a\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(dn_string_to_utf8_lossy(kTagUniversalString,
                                  bytes(std::string("\x00\x00\x00x\x7F\x00\x00\x00", 8))) ==
          "x\xEF\xBF\xBD");
    CHECK(dn_string_to_utf8_lossy(27, bytes("abc")) == "\xEF\xBF\xBD");
    CHECK_FALSE(dn_string_problem(kTagTeletexString, bytes("\x80\xFF")));
}

TEST_CASE("dn text: attributes are named by their short name or OID", "[dn_text]") {
    const DnAttribute cn = read_dn_attribute("2.5.4.3", kTagTeletexString, bytes("Caf\xE9"),
                                             NamePolicy::request, "x.csr", "subject");
    CHECK(cn == DnAttribute{"CN", "Caf\xC3\xA9", DnStringType::teletex});
    try {
        read_dn_attribute("1.2.3.4", kTagBmpString, bytes("abc"), NamePolicy::certificate, "c.pem",
                          "issuer");
        FAIL("read");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "c.pem: the issuer's 1.2.3.4 is a BMPString of odd length (3 bytes): not UCS-2");
    }
}

TEST_CASE("dn text: names are checked in the DER before a library decodes it", "[dn_text]") {
    const std::string good = name_der(kCn, 0x0C, "print.corp.local");
    const std::string odd_bmp = name_der(kO, 0x1E, "abcde");
    const std::string latin_printable = name_der(kO, 0x13, "Caf\xE9");
    CHECK(precheck(certificate_der(good, good), NamePolicy::certificate) == "fine");
    CHECK(precheck(request_der(good), NamePolicy::request) == "fine");
    CHECK(precheck(certificate_der(good, odd_bmp), NamePolicy::certificate) ==
          "in.der: the subject's O is a BMPString of odd length (5 bytes): not UCS-2");
    CHECK(precheck(certificate_der(odd_bmp, good), NamePolicy::certificate) ==
          "in.der: the issuer's O is a BMPString of odd length (5 bytes): not UCS-2");
    CHECK(precheck(request_der(odd_bmp), NamePolicy::request) ==
          "in.der: the subject's O is a BMPString of odd length (5 bytes): not UCS-2");
    CHECK(precheck(certificate_der(good, latin_printable), NamePolicy::certificate) == "fine");
    CHECK(precheck(request_der(latin_printable), NamePolicy::request) ==
          "in.der: the subject's O is a PrintableString with a byte that is not 7-bit ASCII "
          "(0xE9 at offset 3)");
    // Whatever is not shaped like a certificate or request is left to the library.
    CHECK(precheck("", NamePolicy::certificate) == "fine");
    CHECK(precheck("\x30\x84\xFF\xFF\xFF\xFF", NamePolicy::request) == "fine");
    CHECK(precheck(request_der(odd_bmp).substr(0, 20), NamePolicy::request) == "fine");
}

TEST_CASE("dn text: what names.characters sees in parsed names", "[dn_text]") {
    CHECK_FALSE(parsed_name_problem("print.corp.local", DnStringType::printable));
    CHECK_FALSE(parsed_name_problem("Caf\xEF\xBF\xBD", DnStringType::utf8));
    CHECK(parsed_name_problem(std::string("a\0b", 3), DnStringType::utf8) ==
          "has control characters");
    CHECK(parsed_name_problem("tab\there", DnStringType::ia5) == "has control characters");
    CHECK(parsed_name_problem("Caf\xEF\xBF\xBD", DnStringType::printable) ==
          "had bytes that are not 7-bit ASCII, which its PrintableString cannot carry (shown "
          "as U+FFFD)");
    CHECK(has_control_characters("\x7f"));
    CHECK(has_control_characters(std::string(1, '\0')));
    CHECK_FALSE(has_control_characters("caf\xC3\xA9 \xC2\x85"));
}

TEST_CASE("dn text: escape_control makes control characters visible", "[dn_text]") {
    CHECK(escape_control("print.corp.local") == "print.corp.local");
    CHECK(escape_control(std::string("a\0b", 3)) == "a\\x00b");
    CHECK(escape_control("\x1b[31mred\r\n") == "\\x1b[31mred\\x0d\\x0a");
    CHECK(escape_control("\x01\x1f\x7f\x20") == "\\x01\\x1f\\x7f ");
    CHECK(escape_control("C:\\dir") == "C:\\\\dir");
    CHECK(escape_control("caf\xC3\xA9 \xF0\x9D\x94\x98") == "caf\xC3\xA9 \xF0\x9D\x94\x98");
    CHECK(escape_control("") == "");
}
