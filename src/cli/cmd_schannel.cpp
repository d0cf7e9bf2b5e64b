// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/schannel.hpp"
#include "certforge/text.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct SchannelOptions {
    std::vector<std::string> enable;
    std::vector<std::string> disable;
    std::string side = "both";
    unsigned dh_min_bits = 0;
    bool disable_dh = false;
    bool dotnet = false;
    std::string from_probe;
    std::string encoding = "utf16";
    std::string out;
    bool i_understand = false;
    bool force = false;
    bool json = false;
};

std::vector<TlsVersion> versions(const std::vector<std::string>& names) {
    std::vector<TlsVersion> out;
    for (const auto& list : names) {
        for (const auto& name : split(list, ',')) {
            const auto version = tls_version_from_name(name);
            if (!version) {
                throw UsageError(fmt::format("'{}' is not a protocol version: use ssl3, tls1.0, "
                                             "tls1.1, tls1.2 or tls1.3",
                                             name));
            }
            out.push_back(*version);
        }
    }
    return out;
}

std::string nothing_to_change(const ProbeSchannelFix& fix) {
    std::vector<std::string> hosts;
    for (const auto& os : fix.server_os) {
        hosts.push_back(printable(os));
    }
    std::vector<std::string> cases;
    for (const auto& id : fix.cases) {
        cases.push_back(printable(id));
    }
    return fmt::format("nothing to change for {}: {}; no file written", fmt::join(hosts, ", "),
                       cases.empty()
                           ? std::string("the probe found no known failure case")
                           : fmt::format("the probe's cases ({}) need no registry change (their "
                                         "fixes are in the report's diagnosis)",
                                         fmt::join(cases, ", ")));
}

// The certforge.schannel document: the change and the files written, or
// (`nothing` set) why a probe report needs none.
nlohmann::json schannel_json(const SchannelOptions& options, const SchannelChange* change,
                             const std::vector<std::string>& risks,
                             const std::vector<std::filesystem::path>& written,
                             const ProbeSchannelFix* nothing) {
    const auto null = nlohmann::json(nullptr);
    return {{"schema", schema::kSchannel},
            {"from_probe", options.from_probe.empty() ? null : nlohmann::json(options.from_probe)},
            {"change", change ? to_json(*change) : null},
            {"risks", risks},
            {"safeq_protocol_types", change && !change->enable.empty()
                                         ? nlohmann::json(safeq_protocol_types(change->enable))
                                         : null},
            {"reg_file", written.empty() ? null : nlohmann::json(path_text(written[0]))},
            {"undo_file", written.empty() ? null : nlohmann::json(path_text(written[1]))},
            {"files", paths_json(written)},
            {"nothing_to_change", nothing ? nlohmann::json{{"server_os", nothing->server_os},
                                                           {"cases", nothing->cases},
                                                           {"message", nothing_to_change(*nothing)}}
                                          : null}};
}

int run_schannel(const SchannelOptions& options) {
    SchannelChange change;
    if (!options.from_probe.empty()) {
        const ProbeSchannelFix fix = schannel_change_from_probe(
            read_file(utf8_path(options.from_probe)), options.from_probe);
        if (!fix.change) {
            if (options.json) {
                print_json(schannel_json(options, nullptr, {}, {}, &fix));
            } else {
                fmt::print("{}\n", nothing_to_change(fix));
            }
            return kExitOk;
        }
        change = *fix.change;
    } else {
        change.enable = versions(options.enable);
        change.disable = versions(options.disable);
        change.side = options.side == "client"   ? SchannelSide::client
                      : options.side == "server" ? SchannelSide::server
                                                 : SchannelSide::both;
        if (options.dh_min_bits != 0) {
            change.dh_client_min_bits = options.dh_min_bits;
        }
        change.disable_dh = options.disable_dh;
        change.dotnet_strong_crypto = options.dotnet;
    }
    const std::string fix = schannel_reg(change);
    const std::string undo = schannel_undo_reg(change);
    const auto risks = schannel_risks(change);
    for (const auto& risk : risks) {
        warn(risk);
    }
    if (!risks.empty() && !options.i_understand) {
        throw UsageError("this change carries the risks above; add --i-understand to write it");
    }
    const RegEncoding encoding =
        options.encoding == "ascii" ? RegEncoding::ascii : RegEncoding::utf16le;
    const std::filesystem::path out = utf8_path(options.out);
    const std::filesystem::path dir = folder_of(out);
    const std::string undo_name = path_text(out.stem()) + "-undo" + path_text(out.extension());
    OutputSet output(dir, options.force);
    output.add(path_text(out.filename()), encode_reg(fix, encoding), FileMode::public_file);
    output.add(undo_name, encode_reg(undo, encoding), FileMode::public_file);
    const auto written = output.commit();
    if (options.json) {
        print_json(schannel_json(options, &change, risks, written, nullptr));
        return kExitOk;
    }
    fmt::print("{}: the registry change; {}: puts the Windows defaults back\n",
               path_text(written[0]), path_text(written[1]));
    fmt::print("import with: reg import {} (as administrator), then restart Windows\n",
               path_text(out.filename()));
    if (!change.enable.empty()) {
        fmt::print("SafeQ securityProtocolTypesForOutboundCommunication: {}\n",
                   safeq_protocol_types(change.enable));
    }
    print_written(written);
    return kExitOk;
}

} // namespace

void add_schannel_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<SchannelOptions>();
    auto* command = app.add_subcommand(
        "schannel", "Write the Windows registry fix for the Terminal Server (SChannel protocols, "
                    "Diffie-Hellman minimum, .NET strong crypto) as a .reg file, with a matching "
                    "undo file that restores the Windows defaults");
    command->add_option("--enable", options->enable,
                        "protocol versions to enable (ssl3, tls1.0, tls1.1, tls1.2, tls1.3; "
                        "comma-separated or repeated)");
    command->add_option("--disable", options->disable, "protocol versions to disable");
    command->add_option("--side", options->side, "client, server or both (default: both)")
        ->check(CLI::IsMember({"client", "server", "both"}));
    command
        ->add_option("--dh-min-bits", options->dh_min_bits,
                     "Diffie-Hellman ClientMinKeyBitLength (Windows default: 1024)")
        ->check(CLI::Range(512u, 8192u));
    command->add_flag("--disable-dh", options->disable_dh,
                      "turn Diffie-Hellman key exchange off (machine-wide)");
    command->add_flag("--dotnet-strong-crypto", options->dotnet,
                      ".NET Framework SchUseStrongCrypto=1 and SystemDefaultTlsVersions=1");
    command->add_option("--from-probe", options->from_probe,
                        "take the change from a 'certforge probe --json' report");
    command
        ->add_option("--encoding", options->encoding,
                     "utf16 (regedit's UTF-16LE with BOM, default) or ascii")
        ->check(CLI::IsMember({"utf16", "ascii"}));
    command
        ->add_option("-o,--out", options->out, ".reg file to write (the undo file goes next to it)")
        ->required();
    command->add_flag("--i-understand", options->i_understand,
                      "write a change that weakens or narrows TLS on the whole server");
    command->add_flag("--force", options->force, "replace existing files");
    command->add_flag("--json", options->json, fmt::format("print JSON ({})", schema::kSchannel));
    on_run(command, selected, options, run_schannel);
}

} // namespace certforge::cli
