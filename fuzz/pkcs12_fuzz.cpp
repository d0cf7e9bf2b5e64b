// SPDX-License-Identifier: Apache-2.0
// A PKCS#12 (PFX) file as verify and export --in read it, with the seeds'
// password and with an empty one; then its key and chain as verify checks
// them, on every backend.
#include "certforge/containers.hpp"
#include "fuzz_support.hpp"

#include <fmt/format.h>

using namespace certforge;
using namespace certforge::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto codec = make_container_codec();
    for (const char* password : {kPkcs12Password, ""}) {
        KeyAndChain contents;
        Pkcs12Protection protection;
        expect_user_errors("pkcs12: read_pkcs12", [&] {
            contents = codec->read_pkcs12(
                ByteView(data, size), [&] { return SecureString(password); }, "fuzz-input",
                &protection);
        });
        for (const auto& backend : backends()) {
            verify_like_cli(*backend, contents,
                            ContainerFacts{ContainerKind::pkcs12, protection, false, false},
                            fmt::format("pkcs12: verify on {}", backend->name()));
        }
    }
    return 0;
}
