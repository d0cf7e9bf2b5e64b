// SPDX-License-Identifier: Apache-2.0
// A Java KeyStore as verify and export --in read it (store and key password
// the same: the seeds' one), then its key and chain as verify checks them,
// on every backend. Each input is read twice: as it is, and with its
// trailing SHA-1 store digest made right again, so that mutations reach
// the entry parser instead of stopping at the integrity check.
#include "certforge/jks_keystore.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <fmt/format.h>

using namespace certforge;
using namespace certforge::fuzz;

namespace {

constexpr std::size_t kDigestSize = 20;

// The input with its last 20 bytes replaced by the store digest that
// read_jks expects for the seeds' password.
Bytes with_valid_digest(const Backend& backend, ByteView input) {
    const ByteView body = input.first(input.size() - kDigestSize);
    Bytes digested;
    for (const char c : std::string_view(kJksPassword)) {
        digested.insert(digested.end(), {0, static_cast<std::uint8_t>(c)});
    }
    const std::string_view whitener = "Mighty Aphrodite";
    digested.insert(digested.end(), whitener.begin(), whitener.end());
    digested.insert(digested.end(), body.begin(), body.end());
    Bytes out(body.begin(), body.end());
    const Bytes digest = backend.digest(HashAlgorithm::sha1, digested);
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

// What open_input_file makes of a store: the first key with its chain, then
// the trusted certificates that are not in that chain.
KeyAndChain key_and_chain(JksContents jks) {
    KeyAndChain out;
    if (!jks.keys.empty()) {
        out.key.emplace(std::move(jks.keys.front().key));
        out.chain = std::move(jks.keys.front().chain);
    }
    for (auto& trusted : jks.trusted) {
        if (std::find(out.chain.begin(), out.chain.end(), trusted.certificate) == out.chain.end()) {
            out.chain.push_back(std::move(trusted.certificate));
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView input(data, size);
    std::vector<Bytes> variants{Bytes(input.begin(), input.end())};
    if (is_jks(input) && size >= 12 + kDigestSize) {
        Bytes fixed = with_valid_digest(*backends().front(), input);
        if (fixed != variants.front()) {
            variants.push_back(std::move(fixed));
        }
    }
    const SecureString password(kJksPassword);
    for (const auto& variant : variants) {
        for (const auto& backend : backends()) {
            std::optional<JksContents> jks;
            expect_user_errors(fmt::format("jks: read_jks on {}", backend->name()), [&] {
                jks = read_jks(*backend, variant, password, password, "fuzz-input");
            });
            if (jks) {
                verify_like_cli(*backend, key_and_chain(std::move(*jks)),
                                ContainerFacts{ContainerKind::jks, std::nullopt, false, false},
                                fmt::format("jks: verify on {}", backend->name()));
            }
        }
    }
    return 0;
}
