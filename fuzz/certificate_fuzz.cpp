// SPDX-License-Identifier: Apache-2.0
// A certificate file as verify, export --cert/--chain and bundle read it: PEM
// (a chain of CERTIFICATE blocks) or DER, then parsed and verified on every
// backend.
#include "certforge/certificate_file.hpp"
#include "fuzz_support.hpp"

#include <fmt/format.h>

using namespace certforge;
using namespace certforge::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    detect_file_kind(ByteView(data, size));
    const auto path = scratch_file("certificate.pem", data, size);
    KeyAndChain contents;
    expect_user_errors("certificate: read_certificate_file",
                       [&] { contents.chain = read_certificate_file(path); });
    for (const auto& backend : backends()) {
        verify_like_cli(*backend, contents, std::nullopt,
                        fmt::format("certificate: verify on {}", backend->name()));
    }
    return 0;
}
