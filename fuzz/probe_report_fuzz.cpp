// A probe report (certforge probe --json) as `certforge schannel
// --from-probe` reads it, then the registry files it writes from it.
// The reader exists only in the CLI (change_from_probe in
// src/cli/cmd_schannel.cpp, file-local), so this target compiles that file
// itself rather than a copy that could drift from it.
#include "cmd_schannel.cpp"
#include "fuzz_support.hpp"

using namespace certforge;
using namespace certforge::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto path = scratch_file("probe.json", data, size);
    expect_user_errors("probe_report: schannel --from-probe", [&] {
        const SchannelChange change = cli::change_from_probe(path.string());
        const std::string fix = schannel_reg(change);
        const std::string undo = schannel_undo_reg(change);
        schannel_risks(change);
        encode_reg(fix, RegEncoding::utf16le);
        encode_reg(undo, RegEncoding::ascii);
        if (!change.enable.empty()) {
            safeq_protocol_types(change.enable);
        }
    });
    return 0;
}
