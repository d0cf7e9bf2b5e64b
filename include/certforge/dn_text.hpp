// SPDX-License-Identifier: Apache-2.0
// Names from outside: the exact UTF-8 of the strings in a distinguished name
// (and of dNSName subjectAltNames) that a certificate or request carries, the
// same on both backends. Both parsers hand each string's ASN.1 tag and
// content bytes to these functions; they never copy raw bytes into a value.
//
// How each ASN.1 string type is read:
//   UTF8String       valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
//                    nothing above U+10FFFF)
//   PrintableString, IA5String, NumericString
//                    7-bit ASCII (the PrintableString and NumericString
//                    repertoires are not checked further)
//   TeletexString    (T61String) ISO 8859-1 (Latin-1), one byte per
//                    character, as OpenSSL, BoringSSL and Go's crypto/x509
//                    read it. Real T.61 differs from Latin-1 in a few places
//                    that no library implements. python-cryptography reads a
//                    TeletexString as UTF-8 and refuses a Latin-1 byte.
//   BMPString        UCS-2 big-endian: an even number of bytes, no UTF-16
//                    surrogates (U+D800..U+DFFF)
//   UniversalString  UCS-4 big-endian: a multiple of 4 bytes, no surrogates,
//                    nothing above U+10FFFF
//   any other type   (VisibleString, GeneralString, ..., or a value that is
//                    not a string) is not read: OpenSSL 3 or Botan 2 refuses
//                    to decode a certificate or request that has one.
//
// Undecodable names, by where they come from (NamePolicy):
//   request      (ca sign) any string that is not exact text of its type,
//                and any control character (C0 or DEL) in the subject or a
//                dNSName, is refused: InputError, exit 3, nothing written.
//   certificate  (verify, and every other reading of a certificate) a
//                PrintableString, IA5String or NumericString (or dNSName)
//                with bytes above 0x7F is kept, each such byte replaced by
//                U+FFFD, so that the verifier's names.characters rule reports
//                it as an error finding; control characters are kept as they
//                are for the same rule. Every other undecodable string (bad
//                UTF-8, UCS-2 or UCS-4, a type certforge does not read) is
//                refused with InputError: OpenSSL 3 (for a type certforge
//                does not read, OpenSSL 3 or Botan 2) refuses to decode such
//                a certificate at all, and both backends must agree. Only
//                the 7-bit types can therefore hold a replacement character
//                after parsing.
//
// InputError messages name the attribute, the string type and why, e.g.
// "req.csr: the subject's CN is a BMPString of odd length (5 bytes): not UCS-2".
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/cert_info.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace certforge {

enum class NamePolicy { certificate, request };

// ASN.1 universal tag numbers of the string types certforge reads.
inline constexpr int kTagUtf8String = 12;
inline constexpr int kTagNumericString = 18;
inline constexpr int kTagPrintableString = 19;
inline constexpr int kTagTeletexString = 20;
inline constexpr int kTagIa5String = 22;
inline constexpr int kTagUniversalString = 28;
inline constexpr int kTagBmpString = 30;

// The DnStringType of a universal tag number; `other` for tags that have none.
DnStringType dn_string_type(int tag);

// Why `content`, the content bytes of a primitive value with universal tag
// number `tag` (any other value: a negative number), is not text of its type,
// e.g. "a BMPString of odd length (5 bytes): not UCS-2"; nullopt when it is.
std::optional<std::string> dn_string_problem(int tag, ByteView content);

// The UTF-8 of the string; whatever dn_string_problem objects to becomes
// U+FFFD (a whole value of a type certforge does not read becomes one
// U+FFFD). Never throws.
std::string dn_string_to_utf8_lossy(int tag, ByteView content);

// One string read under `policy` (see above). Throws InputError
// "<field> is <problem>" or "<field> '<escaped text>' has control characters".
std::string read_name_string(int tag, ByteView content, NamePolicy policy, std::string_view field);

// One attribute of a name: its short name (dn_attribute_name of the dotted
// OID), its text read under `policy`, and its string type as read. Messages
// name it as "<source>: the <whose>'s <short name>" ("req.csr: the subject's
// CN"); `whose` is "subject" or "issuer".
DnAttribute read_dn_attribute(std::string_view dotted_oid, int tag, ByteView content,
                              NamePolicy policy, std::string_view source, std::string_view whose);

// The text of a dNSName subjectAltName (an IA5String) read under `policy`;
// `source` names the file in the message.
std::string read_dns_name(ByteView content, NamePolicy policy, std::string_view source);

// For the DER of a certificate (NamePolicy::certificate) or of a PKCS#10
// request (NamePolicy::request), before a crypto library decodes it: throws
// the InputError that read_dn_attribute throws for the first string of its
// subject (then, for a certificate, its issuer) that the policy refuses. So
// both backends refuse the same names in the same words, where OpenSSL 3
// would refuse on its own (bad UTF-8, UCS-2 or UCS-4) as well as where Botan
// 2 would accept (bad UTF-8). Returns when every such string is fine or the
// DER does not have the expected shape (the library then says what is wrong).
void check_names_before_decoding(ByteView der, NamePolicy policy, std::string_view source);

// True when `text` has a C0 control character (U+0000..U+001F) or DEL.
bool has_control_characters(std::string_view text);

// What the names.characters rule objects to in the text of a parsed name
// string of type `type` (a dNSName is an IA5String): "has control
// characters", or the U+FFFD a 7-bit type can hold only after bytes above
// 0x7F were replaced; nullopt when neither.
std::optional<std::string> parsed_name_problem(std::string_view text, DnStringType type);

// `text` for a terminal or a log: each C0 control character and DEL as \xNN
// (two lower-case hex digits: NUL is \x00, LF \x0a, CR \x0d, ESC \x1b) and
// each backslash as \\, so that the output is unambiguous. Other bytes,
// UTF-8 sequences included, are kept.
std::string escape_control(std::string_view text);

// Text from outside as a message shows it: escape_control, cut at `limit`
// bytes with "..." after.
std::string excerpt(std::string_view text, std::size_t limit = 40);

} // namespace certforge
