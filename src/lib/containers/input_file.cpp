// SPDX-License-Identifier: Apache-2.0
#include "certforge/input_file.hpp"

#include "certforge/errors.hpp"
#include "certforge/jks_keystore.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"

namespace certforge {
namespace {

// Every certificate is read once here, so that what is exported unread
// (PEM, DER, a new container) is a certificate and not bytes that merely
// look like one.
void require_certificates(const std::vector<Bytes>& chain, const Backend& backend,
                          const std::string& name) {
    for (const auto& certificate : chain) {
        static_cast<void>(backend.parse_certificate(certificate, name));
    }
}

} // namespace

OpenedFile open_input_file(const std::filesystem::path& path, const Backend& backend,
                           const std::function<SecureString()>& password) {
    const std::string name = path_text(path);
    const std::string content = read_file(path);
    OpenedFile opened;
    opened.kind = detect_file_kind(as_bytes(content));
    switch (opened.kind) {
    case FileKind::certificates:
        opened.contents.chain = read_certificate_file(path);
        require_certificates(opened.contents.chain, backend, name);
        return opened;
    case FileKind::pkcs7: {
        opened.contents.chain = make_container_codec()->read_pkcs7(pkcs7_der(content, name), name);
        opened.facts = ContainerFacts{ContainerKind::pkcs7, std::nullopt, false, false};
        return opened;
    }
    case FileKind::pkcs12: {
        Pkcs12Protection protection;
        opened.contents =
            make_container_codec()->read_pkcs12(as_bytes(content), password, name, &protection);
        opened.facts = ContainerFacts{ContainerKind::pkcs12, protection, false, false};
        break;
    }
    case FileKind::jks: {
        const SecureString secret = password();
        JksContents jks = read_jks(backend, as_bytes(content), secret, secret, name);
        if (!jks.keys.empty()) {
            opened.contents.key.emplace(std::move(jks.keys.front().key));
            opened.contents.chain = std::move(jks.keys.front().chain);
        }
        for (auto& trusted : jks.trusted) {
            if (std::find(opened.contents.chain.begin(), opened.contents.chain.end(),
                          trusted.certificate) == opened.contents.chain.end()) {
                opened.contents.chain.push_back(std::move(trusted.certificate));
            }
        }
        opened.facts = ContainerFacts{ContainerKind::jks, std::nullopt, false, false};
        break;
    }
    }
    if (opened.contents.chain.empty()) {
        throw InputError(name + ": the file holds no certificate");
    }
    require_certificates(opened.contents.chain, backend, name);
    opened.facts->has_key = opened.contents.key.has_value();
    opened.facts->key_matches_leaf =
        opened.contents.key &&
        backend.key_matches_certificate(*opened.contents.key, opened.contents.chain.front());
    return opened;
}

} // namespace certforge
