// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/export_formats.hpp"
#include "certforge/jks_keystore.hpp"
#include "certforge/pem.hpp"

#include <fmt/format.h>

namespace certforge {
namespace {

std::vector<JksTrustedEntry> ca_entries(std::span<const Bytes> certificates) {
    std::vector<JksTrustedEntry> entries;
    for (std::size_t i = 0; i < certificates.size(); ++i) {
        entries.push_back({i == 0 ? "ca" : fmt::format("ca-{}", i + 1), certificates[i]});
    }
    return entries;
}

ContainerCodec& codec_of(const ExportSettings& settings) {
    if (settings.codec == nullptr) {
        throw InternalError("a PKCS#12 or PKCS#7 format without the container codec");
    }
    return *settings.codec;
}

Bytes pem_of(std::span<const Bytes> certificates) {
    std::string pem;
    for (const auto& der : certificates) {
        pem += pem_encode("CERTIFICATE", der);
    }
    return Bytes(pem.begin(), pem.end());
}

} // namespace

Bytes encode_export(ExportFormat format, const KeyAndChain& input, const ExportSettings& settings,
                    Backend& backend) {
    const ExportFormatInfo& info = export_format(format);
    if ((info.needs_key && !input.key) || input.chain.empty() || !info.single_file) {
        throw InternalError(fmt::format("format {} asked for without its input", info.name));
    }
    const std::span<const Bytes> chain(input.chain);
    switch (format) {
    case ExportFormat::pfx:
    case ExportFormat::pfx_3des:
    case ExportFormat::pfx_rc2: {
        Pkcs12Options options;
        options.encryption = format == ExportFormat::pfx_3des  ? Pkcs12Encryption::triple_des
                             : format == ExportFormat::pfx_rc2 ? Pkcs12Encryption::rc2
                                                               : settings.pfx_encryption;
        options.friendly_name = settings.alias;
        return codec_of(settings).write_pkcs12(input, settings.password, options);
    }
    case ExportFormat::jks: {
        JksContents jks;
        jks.keys.push_back({settings.alias, *input.key, input.chain});
        jks.trusted = ca_entries(chain.subspan(1));
        return write_jks(backend, jks, settings.password, settings.password, settings.now);
    }
    case ExportFormat::truststore_jks: {
        JksContents jks;
        jks.trusted = ca_entries(chain.size() == 1 ? chain : chain.subspan(1));
        return write_jks(backend, jks, settings.password, settings.password, settings.now);
    }
    case ExportFormat::p7b:
        return codec_of(settings).write_pkcs7(input.chain);
    case ExportFormat::der:
        return input.chain.front();
    case ExportFormat::pem:
        return pem_of(chain.first(1));
    case ExportFormat::pem_chain:
        return pem_of(chain);
    case ExportFormat::import_bundle:
        break;
    }
    throw InternalError("unknown export format");
}

} // namespace certforge
