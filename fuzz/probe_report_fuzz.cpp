// SPDX-License-Identifier: Apache-2.0
// A probe report (certforge probe --json) as `certforge schannel
// --from-probe` reads it, then the registry files it writes from it.
#include "certforge/schannel.hpp"
#include "fuzz_support.hpp"

using namespace certforge;
using namespace certforge::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    expect_user_errors("probe_report: schannel --from-probe", [&] {
        const ProbeSchannelFix fix = schannel_change_from_probe(as_text(data, size), "probe.json");
        if (!fix.change) {
            return;
        }
        const SchannelChange& change = *fix.change;
        encode_reg(schannel_reg(change), RegEncoding::utf16le);
        encode_reg(schannel_undo_reg(change), RegEncoding::ascii);
        schannel_risks(change);
        if (!change.enable.empty()) {
            safeq_protocol_types(change.enable);
        }
    });
    return 0;
}
