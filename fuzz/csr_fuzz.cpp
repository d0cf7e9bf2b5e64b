// SPDX-License-Identifier: Apache-2.0
// A PKCS#10 request as `certforge ca sign` reads it (PEM CERTIFICATE REQUEST
// or NEW CERTIFICATE REQUEST block, else DER), parsed and then issued by a
// test CA for the default profile, on every backend.
#include "certforge/issue.hpp"
#include "certforge/pem.hpp"
#include "fuzz_support.hpp"

#include <ctime>
#include <fmt/format.h>

using namespace certforge;
using namespace certforge::fuzz;

namespace {

// The DER that run_ca_sign hands to parse_csr.
Bytes request_der(std::string_view content) {
    if (!contains_pem(content)) {
        return Bytes(content.begin(), content.end());
    }
    for (auto& block : pem_decode_all(content, "fuzz-input")) {
        if (block.label == "CERTIFICATE REQUEST" || block.label == "NEW CERTIFICATE REQUEST") {
            return std::move(block.der);
        }
    }
    throw InputError("fuzz-input: no CERTIFICATE REQUEST block");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const IssueTarget target = IssueTarget::of({device_profiles().front()});
    static const UnixTime now = static_cast<UnixTime>(std::time(nullptr));
    Bytes der;
    bool found = false;
    expect_user_errors("csr: PEM", [&] {
        der = request_der(as_text(data, size));
        found = true;
    });
    if (!found) {
        return 0;
    }
    for (const auto& backend : backends()) {
        expect_user_errors(fmt::format("csr: parse and issue on {}", backend->name()), [&] {
            const CsrInfo csr = backend->parse_csr(der, "fuzz-input");
            CertificateIssuer issuer(*backend, target, &test_ca(*backend), now);
            issuer.issue_for_csr(csr);
        });
    }
    return 0;
}
