// SPDX-License-Identifier: Apache-2.0
#include "certforge/export_formats.hpp"

#include "certforge/errors.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

using enum ExportFormat;

constexpr ExportFormatInfo kFormats[] = {
    {pfx, "pfx", "",
     "PKCS#12, AES-256/PBKDF2-SHA256, SHA-256 MAC (Windows Server 2019 and newer); with "
     "--server-os, what that host imports",
     "server.pfx", FileMode::private_file, true, true, true, true},
    {pfx_3des, "pfx-3des", "",
     "PKCS#12, 3DES for key and certificates, SHA-1 MAC (every Windows Server)", "",
     FileMode::private_file, true, true, true, true},
    {pfx_rc2, "pfx-rc2", "",
     "PKCS#12, RC2-40 certificates, 3DES key, SHA-1 MAC (openssl -legacy layout)", "",
     FileMode::private_file, true, true, true, true},
    {jks, "jks", "", "Java KeyStore: key entry with its chain, plus the CA as a trusted entry",
     "server.jks", FileMode::private_file, true, true, false, true},
    {truststore_jks, "truststore-jks", "", "Java KeyStore holding only the CA certificates", "",
     FileMode::public_file, false, true, false, true},
    {p7b, "p7b", "", "PKCS#7 certificate chain", "chain.p7b", FileMode::public_file, false, false,
     true, true},
    {der, "der", "", "the certificate alone, DER (.cer)", "server.cer", FileMode::public_file,
     false, false, false, true},
    {pem, "pem", "", "the certificate alone, PEM", "", FileMode::public_file, false, false, false,
     true},
    {pem_chain, "pem-chain", "pem-bundle", "the whole chain, leaf first, PEM", "",
     FileMode::public_file, false, false, false, true},
    {import_bundle, "import-bundle", "bundle",
     "zip for the device's web UI: the CA certificate in the format it takes, its own PKCS#12 "
     "where it imports one, README.txt with the steps",
     "import-bundle.zip", FileMode::public_file, false, false, false, false},
};

std::string listed(bool (*wanted)(const ExportFormatInfo&)) {
    std::vector<std::string_view> names;
    for (const auto& info : kFormats) {
        if (wanted(info)) {
            names.push_back(info.name);
        }
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

bool in_a_set(const ExportFormatInfo& info) {
    return !info.set_file.empty();
}

constexpr bool in_enum_order() {
    for (unsigned i = 0; i < std::size(kFormats); ++i) {
        if (static_cast<unsigned>(kFormats[i].format) != i) {
            return false;
        }
    }
    return true;
}
static_assert(in_enum_order(), "kFormats is indexed by ExportFormat");

const ExportFormatInfo* lookup(std::string_view name) {
    for (const auto& info : kFormats) {
        if (info.name == name || (!info.alias.empty() && info.alias == name)) {
            return &info;
        }
    }
    return nullptr;
}

} // namespace

std::span<const ExportFormatInfo> export_formats() {
    return kFormats;
}

const ExportFormatInfo& export_format(ExportFormat format) {
    return kFormats[static_cast<unsigned>(format)];
}

const ExportFormatInfo& find_export_format(std::string_view name) {
    if (const auto* info = lookup(name)) {
        return *info;
    }
    throw UsageError(fmt::format("unknown format '{}' (one of: {})", name,
                                 listed([](const ExportFormatInfo&) { return true; })));
}

bool is_pfx(ExportFormat format) {
    return format == pfx || format == pfx_3des || format == pfx_rc2;
}

std::string_view pfx_request(ExportFormat format, bool server_os_given) {
    switch (format) {
    case pfx_3des:
        return "3des";
    case pfx_rc2:
        return "rc2";
    default:
        return server_os_given ? "" : "aes";
    }
}

ServerFormats::ServerFormats() : bits_(bit(pfx) | bit(import_bundle)) {}

ServerFormats ServerFormats::none() {
    return ServerFormats(0U);
}

ServerFormats::ServerFormats(const std::vector<std::string>& names) : bits_(0) {
    for (const auto& name : names) {
        const ExportFormatInfo* info = lookup(name);
        if (info == nullptr || !in_a_set(*info)) {
            throw UsageError(fmt::format(
                "{} format '{}' (one of: {}; server.key, server.crt and chain.pem are always "
                "written{})",
                info == nullptr ? "unknown" : "certforge export's", name, listed(in_a_set),
                info != nullptr && is_pfx(info->format)
                    ? "; the PFX encryption is chosen with pkcs12"
                    : ""));
        }
        add(info->format);
    }
}

std::vector<std::string> ServerFormats::names() const {
    std::vector<std::string> names;
    for (const auto& info : kFormats) {
        if (has(info.format)) {
            names.emplace_back(info.name);
        }
    }
    return names;
}

} // namespace certforge
