// SPDX-License-Identifier: Apache-2.0
// A PKCS#7 bundle (.p7b, PEM or DER) as verify and export --in read it, then
// its certificates as verify checks them, on every backend.
#include "certforge/certificate_file.hpp"
#include "certforge/containers.hpp"
#include "fuzz_support.hpp"

#include <fmt/format.h>

using namespace certforge;
using namespace certforge::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto codec = make_container_codec();
    const std::string content(as_text(data, size));
    KeyAndChain contents;
    expect_user_errors("pkcs7: read_pkcs7", [&] {
        contents.chain = codec->read_pkcs7(pkcs7_der(content, "fuzz-input"), "fuzz-input");
    });
    for (const auto& backend : backends()) {
        verify_like_cli(*backend, contents,
                        ContainerFacts{ContainerKind::pkcs7, std::nullopt, false, false},
                        fmt::format("pkcs7: verify on {}", backend->name()));
    }
    return 0;
}
