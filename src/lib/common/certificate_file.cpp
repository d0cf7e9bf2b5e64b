// SPDX-License-Identifier: Apache-2.0
#include "certforge/certificate_file.hpp"

#include "certforge/der_framing.hpp"
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/pem.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace certforge {

std::vector<Bytes> read_certificate_file(const std::filesystem::path& path) {
    const std::string content = read_file(path);
    const std::string name = path_text(path);
    if (content.empty()) {
        throw InputError(fmt::format("{}: the file is empty", name));
    }
    std::vector<Bytes> out;
    if (contains_pem(content)) {
        for (auto& block : pem_decode_all(content, name)) {
            if (block.label == "CERTIFICATE") {
                require_one_der_object(block.der, DerRule::strict, "a certificate", name);
                out.push_back(std::move(block.der));
            }
        }
        if (out.empty()) {
            throw InputError(fmt::format("{}: no CERTIFICATE block in the PEM file", name));
        }
        return out;
    }
    if (static_cast<unsigned char>(content.front()) != 0x30) {
        throw InputError(fmt::format("{}: neither PEM nor DER (a DER certificate starts with "
                                     "0x30)",
                                     name));
    }
    out.emplace_back(content.begin(), content.end());
    require_one_der_object(out.front(), DerRule::strict, "the certificate", name);
    return out;
}

Bytes read_request_file(const std::filesystem::path& path) {
    const std::string content = read_file(path);
    const std::string name = path_text(path);
    if (content.empty()) {
        throw InputError(fmt::format("{}: the file is empty", name));
    }
    Bytes der(content.begin(), content.end());
    if (contains_pem(content)) {
        bool found = false;
        for (auto& block : pem_decode_all(content, name)) {
            if (block.label == "CERTIFICATE REQUEST" || block.label == "NEW CERTIFICATE REQUEST") {
                der = std::move(block.der);
                found = true;
                break;
            }
        }
        if (!found) {
            throw InputError(fmt::format("{}: no CERTIFICATE REQUEST block", name));
        }
    }
    require_one_der_object(der, DerRule::strict, "the request", name);
    return der;
}

namespace {

// Where the contents of the DER element at `at` begin, or npos.
std::size_t contents_of(ByteView data, std::size_t at) {
    if (at + 2 > data.size()) {
        return std::string_view::npos;
    }
    const std::size_t start = at + 2 + ((data[at + 1] & 0x80) ? (data[at + 1] & 0x7f) : 0);
    return start < data.size() ? start : std::string_view::npos;
}

} // namespace

FileKind detect_file_kind(ByteView data) {
    if (data.size() >= 4 && data[0] == 0xfe && data[1] == 0xed && data[2] == 0xfe &&
        data[3] == 0xed) {
        return FileKind::jks;
    }
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (contains_pem(text)) {
        return text.find("-----BEGIN PKCS7-----") != std::string_view::npos
                   ? FileKind::pkcs7
                   : FileKind::certificates;
    }
    if (data.size() < 4 || data[0] != 0x30) {
        return FileKind::certificates;
    }
    const std::size_t header = contents_of(data, 0);
    if (header == std::string_view::npos) {
        return FileKind::certificates;
    }
    switch (data[header]) {
    case 0x02: // PFX { version INTEGER 3, ... }
        return header + 2 < data.size() && data[header + 1] == 0x01 && data[header + 2] == 0x03
                   ? FileKind::pkcs12
                   : FileKind::certificates;
    case 0x06:
        return FileKind::pkcs7;
    default:
        return FileKind::certificates;
    }
}

bool is_crl(ByteView data) {
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (contains_pem(text)) {
        try {
            const auto blocks = pem_decode_all(text, "the CRL");
            return !blocks.empty() &&
                   std::all_of(blocks.begin(), blocks.end(),
                               [](const PemBlock& block) { return block.label == "X509 CRL"; });
        } catch (const Error&) {
            return false;
        }
    }
    // CertificateList { TBSCertList { version v2 (INTEGER 1), ... }, ... };
    // a certificate's TBSCertificate starts with [0] instead.
    if (data.empty() || data[0] != 0x30) {
        return false;
    }
    const std::size_t tbs = contents_of(data, 0);
    if (tbs == std::string_view::npos || data[tbs] != 0x30) {
        return false;
    }
    const std::size_t version = contents_of(data, tbs);
    return version != std::string_view::npos && version + 3 <= data.size() &&
           data[version] == 0x02 && data[version + 1] == 0x01 && data[version + 2] == 0x01;
}

Bytes pkcs7_der(const std::string& content, std::string_view source) {
    if (!contains_pem(content)) {
        return Bytes(content.begin(), content.end());
    }
    for (auto& block : pem_decode_all(content, source)) {
        if (block.label == "PKCS7") {
            return std::move(block.der);
        }
    }
    throw InputError(fmt::format("{}: no PKCS7 block in the PEM file", source));
}

PrivateKey read_private_key_file(const std::filesystem::path& path) {
    const SecureString text = read_secret_file(path);
    const std::string name = path_text(path);
    if (text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != SecureString::npos ||
        text.find("-----BEGIN RSA PRIVATE KEY-----") != SecureString::npos) {
        throw InputError(fmt::format("{}: certforge reads unencrypted PKCS#8 keys (BEGIN PRIVATE "
                                     "KEY); convert with: openssl pkcs8 -topk8 -nocrypt -in {} "
                                     "-out key.pem",
                                     name, name));
    }
    return PrivateKey(pem_decode_secret(text, "PRIVATE KEY", name), name);
}

} // namespace certforge
