// SPDX-License-Identifier: Apache-2.0
// Names from outside: requests made by openssl and python3-cryptography whose
// subjects are TeletexString, BMPString and UniversalString, signed by
// `certforge ca sign` on each backend and read back by openssl and python;
// requests with undecodable names refused; certificates with control
// characters in their names reported by `certforge verify`.
#include "certforge/dn_text.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
namespace fs = std::filesystem;

namespace {

// Writes a request ("csr") or a self-signed certificate ("cert") as DER,
// signed with a PKCS#8 key. Arguments after the output path:
//   NAME:TYPE:TEXT    a subject attribute (NAME CN or O; TYPE utf8, printable,
//                     teletex, bmp, universal; TEXT with Python escapes)
//   dns:TEXT          a dNSName subjectAltName (Python escapes)
//   patch:OLD=NEW     replace hex bytes OLD by NEW (same length) in the signed
//                     part, then sign it again: how an undecodable string
//                     that python-cryptography refuses to write gets in
constexpr const char* kMakeDer = R"py(
import codecs, datetime, sys
from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

def header(der, at):
    length = der[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[at:at + count], 'big')
        at += count
    return at, length

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    size = (n.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + n.to_bytes(size, 'big') + body

kind, key_path, out = sys.argv[1:4]
key = serialization.load_pem_private_key(open(key_path, 'rb').read(), None)
oids = {'CN': NameOID.COMMON_NAME, 'O': NameOID.ORGANIZATION_NAME}
types = {'utf8': _ASN1Type.UTF8String, 'printable': _ASN1Type.PrintableString,
         'teletex': _ASN1Type.T61String, 'bmp': _ASN1Type.BMPString,
         'universal': _ASN1Type.UniversalString}
attributes, sans, patches = [], [], []
for arg in sys.argv[4:]:
    if arg.startswith('dns:'):
        sans.append(x509.DNSName(codecs.decode(arg[4:], 'unicode_escape')))
    elif arg.startswith('patch:'):
        old, new = arg[6:].split('=')
        patches.append((bytes.fromhex(old), bytes.fromhex(new)))
    else:
        name, kind_of_string, text = arg.split(':', 2)
        attributes.append(x509.NameAttribute(oids[name], codecs.decode(text, 'unicode_escape'),
                                             _type=types[kind_of_string]))
subject = x509.Name(attributes)
if kind == 'csr':
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
else:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
               .public_key(key.public_key()).serial_number(0x5A17C0FFEE0123456789)
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=365)))
if sans:
    builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
signed = builder.sign(key, hashes.SHA256())
der = signed.public_bytes(serialization.Encoding.DER)
if patches:
    tbs = signed.tbs_certrequest_bytes if kind == 'csr' else signed.tbs_certificate_bytes
    for old, new in patches:
        assert len(old) == len(new) and old in tbs, 'patch ' + old.hex()
        tbs = tbs.replace(old, new)
    at, _ = header(der, 0)
    tbs_at, tbs_length = header(der, at)
    algorithm_at = tbs_at + tbs_length
    algorithm_body, algorithm_length = header(der, algorithm_at)
    algorithm = der[algorithm_at:algorithm_body + algorithm_length]
    signature = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    der = tlv(0x30, tbs + algorithm + tlv(0x03, b'\x00' + signature))
open(out, 'wb').write(der)
)py";

// The subject's CN and O as python3-cryptography reads them, one a line.
constexpr const char* kReadNames = R"py(
import sys
from cryptography import x509
from cryptography.x509.oid import NameOID
cert = x509.load_pem_x509_certificate(open(sys.argv[1], 'rb').read())
for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME):
    for attribute in cert.subject.get_attributes_for_oid(oid):
        sys.stdout.buffer.write(attribute.value.encode('utf-8') + b'\n')
)py";

fs::path python_der(const TempDir& dir, const std::string& name, const std::string& kind,
                    const std::vector<std::string>& items) {
    certforge::test::require_tool("/usr/bin/python3", "python3");
    const fs::path out = dir / (name + ".der");
    std::vector<std::string> argv{
        "/usr/bin/python3", "-c", kMakeDer, kind, certforge::test::fixture_key("rsa2048").string(),
        out.string()};
    argv.insert(argv.end(), items.begin(), items.end());
    const auto made = run(argv);
    INFO(made.err);
    certforge::test::require_python_cryptography(made);
    REQUIRE(made.exit_code == 0);
    return out;
}

// A request made by `openssl req` with a string_mask that forces one string
// type: MASK:0x4 TeletexString, MASK:0x800 BMPString.
fs::path openssl_csr(const TempDir& dir, const std::string& name, const std::string& mask,
                     const std::string& subject) {
    const fs::path config = dir / (name + ".cnf");
    certforge::test::write_text(config, "[req]\ndistinguished_name = dn\nstring_mask = " + mask +
                                            "\nprompt = no\n[dn]\n");
    const fs::path out = dir / (name + ".csr");
    const auto made = run({"openssl", "req", "-new", "-utf8", "-config", config.string(), "-key",
                           certforge::test::fixture_key("rsa2048").string(), "-subj", subject,
                           "-out", out.string()});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return out;
}

std::size_t count_of(const std::string& text, const std::string& word) {
    std::size_t count = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        ++count;
    }
    return count;
}

std::string asn1_dump(const fs::path& csr, bool der) {
    const auto dump =
        run({"openssl", "asn1parse", "-inform", der ? "DER" : "PEM", "-in", csr.string()});
    REQUIRE(dump.exit_code == 0);
    return dump.out;
}

// A CA made with the backend under test, in dir/ca.
std::string make_ca(const TempDir& dir, const std::string& backend) {
    const std::string ca = (dir / "ca").string();
    const auto made = run_certforge({"ca", "init", "--profile", "default", "--name", "Print CA",
                                     "--out", ca, "--backend", backend});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    return ca;
}

// The names.characters finding of the first certificate of a verify --json run.
nlohmann::json names_finding(const std::string& json_text) {
    const auto json = nlohmann::json::parse(json_text);
    for (const auto& finding : json["files"][0]["certificates"][0]["findings"]) {
        if (finding["rule"] == "names.characters") {
            return finding;
        }
    }
    FAIL("no names.characters finding");
    return {};
}

} // namespace

TEST_CASE("foreign names: Teletex, BMP and Universal subjects are signed as exact UTF-8",
          "[cli][names]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const std::string ca = make_ca(dir, backend);

    struct Case {
        fs::path csr;
        std::string type_in_request;
        std::string organization;
    };
    // "Café Noël", "Łódź", "𝔘nicode Ωmega" (U+1D518: beyond the BMP).
    const std::string cafe = "Caf\xC3\xA9 No\xC3\xABl";
    const std::string lodz = "\xC5\x81\xC3\xB3"
                             "d\xC5\xBA";
    const std::string unicode = "\xF0\x9D\x94\x98nicode \xCE\xA9mega";
    const std::vector<Case> cases{
        {openssl_csr(dir, "teletex", "MASK:0x4", "/CN=print.corp.local/O=" + cafe), "T61STRING",
         cafe},
        {openssl_csr(dir, "bmp", "MASK:0x800", "/CN=print.corp.local/O=" + lodz), "BMPSTRING",
         lodz},
        {python_der(dir, "universal", "csr",
                    {"CN:universal:print.corp.local", "O:universal:\\U0001D518nicode \\u03a9mega"}),
         "UNIVERSALSTRING", unicode},
    };
    for (const auto& c : cases) {
        INFO(c.csr.filename().string());
        const std::string dump = asn1_dump(c.csr, c.csr.extension() == ".der");
        // Both the CN and the O are of the type under test.
        CHECK(count_of(dump, "prim: " + c.type_in_request) == 2);
        CHECK(count_of(dump, "UTF8STRING") + count_of(dump, "PRINTABLESTRING") == 0);

        const std::string out = (dir / (c.csr.stem().string() + ".crt")).string();
        const auto signed_ = run_certforge({"ca", "sign", "--ca", ca, "--profile", "default",
                                            c.csr.string(), "--out", out, "--backend", backend});
        INFO(signed_.err);
        REQUIRE(signed_.exit_code == 0);
        CHECK_THAT(signed_.out, Catch::Contains("for CN=print.corp.local,O=" + c.organization +
                                                " (profile default)"));

        const auto subject =
            run({"openssl", "x509", "-in", out, "-noout", "-subject", "-nameopt", "utf8"});
        INFO(subject.err);
        REQUIRE(subject.exit_code == 0);
        CHECK(subject.out == "subject=O=" + c.organization + ", CN=print.corp.local\n");

        const auto python = run({"/usr/bin/python3", "-c", kReadNames, out});
        INFO(python.err);
        certforge::test::require_python_cryptography(python);
        REQUIRE(python.exit_code == 0);
        CHECK(python.out == "print.corp.local\n" + c.organization + "\n");

        const auto verified =
            run_certforge({"verify", "--profile", "default", "--backend", backend, out});
        INFO(verified.out);
        CHECK(verified.exit_code == 0);
        CHECK_THAT(verified.out, Catch::Contains("pass  names.characters"));
    }
}

TEST_CASE("foreign names: a request with an undecodable or control-character name is refused",
          "[cli][names]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    const std::string ca = make_ca(dir, backend);
    const std::string cn = "CN:utf8:print.corp.local";
    struct Case {
        std::string name;
        std::vector<std::string> items;
        std::string message; // after "certforge: error: <path>: "
    };
    const std::vector<Case> cases{
        // A UTF8String "abcde" retagged as a BMPString: 5 bytes.
        {"odd-bmp",
         {cn, "O:utf8:abcde", "patch:0c056162636465=1e056162636465"},
         "the subject's O is a BMPString of odd length (5 bytes): not UCS-2"},
        // python-cryptography writes U+1F600 in a BMPString as a surrogate pair.
        {"surrogate-bmp",
         {cn, "O:bmp:a\\U0001F600"},
         "the subject's O is a BMPString with a UTF-16 surrogate (0xD83D at offset 2): not "
         "UCS-2"},
        {"short-universal",
         {cn, "O:utf8:abcde", "patch:0c056162636465=1c056162636465"},
         "the subject's O is a UniversalString of 5 bytes, not a multiple of 4: not UCS-4"},
        {"big-universal",
         {cn, "O:universal:A", "patch:1c0400000041=1c0400110000"},
         "the subject's O is a UniversalString with a value above U+10FFFF (0x00110000 at offset "
         "0): not UCS-4"},
        {"bad-utf8",
         {cn, "O:utf8:caf\\xe9", "patch:0c05636166c3a9=0c05636166c328"},
         "the subject's O is a UTF8String that is not valid UTF-8 (byte 0x28 at offset 4)"},
        {"latin1-printable",
         {cn, "O:printable:Cafe", "patch:130443616665=1304436166e9"},
         "the subject's O is a PrintableString with a byte that is not 7-bit ASCII (0xE9 at "
         "offset 3)"},
        {"nul-cn",
         {"CN:utf8:print\\x00.corp.local"},
         "the subject's CN 'print\\x00.corp.local' has control characters"},
        {"escape-o",
         {cn, "O:utf8:\\x1b[31mred"},
         "the subject's O '\\x1b[31mred' has control characters"},
        {"nul-dns",
         {cn, "dns:print\\x00.corp.local"},
         "the subjectAltName dNSName 'print\\x00.corp.local' has control characters"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const fs::path csr = python_der(dir, c.name, "csr", c.items);
        const fs::path out = dir / (c.name + ".crt");
        const auto signed_ =
            run_certforge({"ca", "sign", "--ca", ca, "--profile", "default", csr.string(), "--out",
                           out.string(), "--backend", backend});
        CHECK(signed_.exit_code == 3);
        CHECK(signed_.err == "certforge: error: " + csr.string() + ": " + c.message + "\n");
        CHECK(signed_.out.empty());
        CHECK_FALSE(fs::exists(out));
    }
}

TEST_CASE("foreign names: verify reports control characters and non-ASCII bytes in names",
          "[cli][names][verify]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    INFO("backend " << backend);
    TempDir dir;
    struct Case {
        std::string name;
        std::vector<std::string> items;
        std::string message;
    };
    const std::vector<Case> cases{
        {"nul-cn-and-dns",
         {"CN:utf8:print\\x00.corp.local", "dns:print\\x00.corp.local"},
         "the subject's CN 'print\\x00.corp.local' has control characters; the SAN "
         "'dns:print\\x00.corp.local' has control characters"},
        {"nul-dns",
         {"CN:utf8:print.corp.local", "dns:print.corp.local", "dns:evil\\x00.corp.local"},
         "the SAN 'dns:evil\\x00.corp.local' has control characters"},
        {"control-cn",
         {"CN:utf8:print.corp.local\\r\\n\\x7f", "dns:print.corp.local"},
         "the subject's CN 'print.corp.local\\x0d\\x0a\\x7f' has control characters"},
        {"latin1-printable",
         {"CN:utf8:print.corp.local", "O:printable:Cafe", "dns:print.corp.local",
          "patch:130443616665=1304436166e9"},
         "the subject's O 'Caf\xEF\xBF\xBD' had bytes that are not 7-bit ASCII, which its "
         "PrintableString cannot carry (shown as U+FFFD)"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const fs::path cert = python_der(dir, c.name, "cert", c.items);
        const auto json = run_certforge(
            {"verify", "--profile", "default", "--backend", backend, "--json", cert.string()});
        INFO(json.err);
        CHECK(json.exit_code == 1);
        const auto finding = names_finding(json.out);
        CHECK(finding["status"] == "fail");
        CHECK(finding["severity"] == "error");
        // JSON carries the names as they are (control characters as JSON escapes);
        // the text report shows them escaped.
        CHECK(certforge::escape_control(finding["message"].get<std::string>()) == c.message);

        const auto text =
            run_certforge({"verify", "--profile", "default", "--backend", backend, cert.string()});
        CHECK(text.exit_code == 1);
        CHECK_THAT(text.out,
                   Catch::Contains("ERROR names.characters               " + c.message + "\n"));
    }

    // Names OpenSSL 3 cannot decode make the certificate unreadable on both backends.
    const fs::path odd = python_der(
        dir, "odd-bmp", "cert",
        {"CN:utf8:print.corp.local", "O:utf8:abcde", "patch:0c056162636465=1e056162636465"});
    const auto refused =
        run_certforge({"verify", "--profile", "default", "--backend", backend, odd.string()});
    CHECK(refused.exit_code == 3);
    CHECK(refused.err == "certforge: error: " + odd.string() +
                             ": the subject's O is a BMPString of odd length (5 bytes): not "
                             "UCS-2\n");
}
