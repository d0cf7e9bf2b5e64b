// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"
#include "certforge/input_file.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/verify.hpp"
#include "cli_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct VerifyOptions {
    std::string profile;
    bool all_profiles = false;
    std::vector<std::string> files;
    PasswordOptions password;
    std::string backend;
    std::string role = "server";
    bool json = false;
};

ChainOptions chain_options(const VerifyOptions& options, const Backend& backend) {
    return {options.role == "ca" ? CertificateRole::ca : CertificateRole::leaf, &backend};
}

std::string status_label(const Finding& finding) {
    if (finding.outcome == Outcome::pass) {
        return "pass";
    }
    return finding.severity == Severity::error ? "ERROR" : "warn";
}

void print_findings(const std::vector<Finding>& findings) {
    for (const auto& finding : findings) {
        fmt::print("    {:<5} {:<30} {}{}\n", status_label(finding), finding.rule,
                   printable(finding.message),
                   finding.outcome == Outcome::fail && !finding.profile_key.empty()
                       ? fmt::format("  [{}]", finding.profile_key)
                       : std::string());
    }
}

void print_report(const Report& report) {
    fmt::print("{}: profile {}\n", report.source, report.profile_id);
    for (const auto& cert : report.certificates) {
        fmt::print("  certificate #{} ({}) {}\n    serial {}, sha256 {}\n", cert.index,
                   to_string(cert.role), printable(cert.subject), cert.serial,
                   cert.sha256_fingerprint);
        print_findings(cert.findings);
    }
    if (!report.chain_findings.empty()) {
        fmt::print("  chain\n");
        print_findings(report.chain_findings);
    }
    if (!report.container_findings.empty()) {
        fmt::print("  container\n");
        print_findings(report.container_findings);
    }
    fmt::print("  result: {} ({} errors, {} warnings, {} passed)\n",
               report.has_errors() ? "FAIL" : "PASS", report.count(Outcome::fail, Severity::error),
               report.count(Outcome::fail, Severity::warning),
               report.count(Outcome::pass, Severity::info));
}

struct OpenedChain {
    std::vector<CertInfo> chain;
    std::optional<ContainerFacts> facts;
};

OpenedChain open_chain(const std::string& file, const VerifyOptions& options,
                       const Backend& backend) {
    const OpenedFile opened = open_input_file(
        utf8_path(file), backend, [&] { return existing_password(options.password, file); });
    OpenedChain out{{}, opened.facts};
    for (const auto& der : opened.contents.chain) {
        out.chain.push_back(backend.parse_certificate(der, file));
    }
    return out;
}

// "Will my devices take this certificate?": every device profile against
// each file, accept or the first reason it refuses.
int run_all_profiles(const VerifyOptions& options, const Backend& backend) {
    const UnixTime now = unix_now();
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<Profile> profiles;
    for (const auto& entry : catalog.entries()) {
        Profile profile = catalog.load_file(entry.file);
        if (profile.kind == ProfileKind::device) {
            profiles.push_back(std::move(profile));
        }
    }
    nlohmann::json files = nlohmann::json::array();
    bool any_refused = false;
    for (const auto& file : options.files) {
        const OpenedChain opened = open_chain(file, options, backend);
        nlohmann::json rows = nlohmann::json::array();
        if (!options.json) {
            fmt::print("{}\n  {:<22} {:<7} {}\n", file, "PROFILE", "RESULT", "FIRST REASON");
        }
        for (const auto& profile : profiles) {
            Report report =
                verify_chain(opened.chain, profile, now, chain_options(options, backend));
            if (opened.facts) {
                report.container_findings = check_container(*opened.facts, opened.chain, profile);
            }
            const std::optional<Finding> reason = first_error(report);
            any_refused = any_refused || reason.has_value();
            rows.push_back({{"profile", profile.id},
                            {"vendor", profile.vendor},
                            {"legacy", profile.legacy},
                            {"accepts", !reason},
                            {"rule", reason ? reason->rule : ""},
                            {"reason", reason ? reason->message : ""}});
            if (!options.json) {
                fmt::print("  {:<22} {:<7} {}\n", profile.id, reason ? "refuses" : "accepts",
                           reason ? printable(fmt::format("{}: {}", reason->rule, reason->message))
                                  : "");
            }
        }
        files.push_back({{"file", file}, {"profiles", rows}});
    }
    if (options.json) {
        print_json({{"schema", schema::kVerifyAll},
                    {"backend", std::string(backend.name())},
                    {"files", files}});
    }
    return any_refused ? kExitFindings : kExitOk;
}

int run_verify(const VerifyOptions& options) {
    const auto backend = make_backend(options.backend);
    if (options.all_profiles) {
        if (!options.profile.empty()) {
            throw UsageError("give --profile P or --all-profiles, not both");
        }
        return run_all_profiles(options, *backend);
    }
    if (options.profile.empty()) {
        throw UsageError("name the profile to check against (--profile P), or --all-profiles");
    }
    const Profile profile = load_profile(options.profile);
    const UnixTime now = unix_now();

    // Text reports are printed as each file is checked, so that memory does
    // not grow with the number of files; JSON is one document at the end.
    bool failed = false;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : options.files) {
        const OpenedChain opened = open_chain(file, options, *backend);
        const auto& chain = opened.chain;
        Report report = verify_chain(chain, profile, now, chain_options(options, *backend));
        report.source = file;
        if (opened.facts) {
            report.container_findings = check_container(*opened.facts, chain, profile);
        }
        failed = failed || report.has_errors();
        if (options.json) {
            files.push_back(to_json(report));
        } else {
            print_report(report);
        }
    }
    if (options.json) {
        print_json({{"schema", schema::kVerify},
                    {"profile", profile.id},
                    {"backend", std::string(backend->name())},
                    {"result", failed ? "fail" : "pass"},
                    {"files", files}});
    }
    return failed ? kExitFindings : kExitOk;
}

} // namespace

void add_verify_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<VerifyOptions>();
    auto* command = app.add_subcommand(
        "verify", "Check certificates or a PFX, JKS or P7B against a profile; every "
                  "rule is listed; exit 1 when any rule finds an error");
    command->add_option("--profile", options->profile, "profile name or path to a .toml file");
    command->add_flag("--all-profiles", options->all_profiles,
                      "check against every device profile: a table of which accept the "
                      "certificate and the first reason of each that refuses (exit 1 if any "
                      "refuses)");
    command
        ->add_option("files", options->files,
                     "certificates (PEM, possibly a chain, or DER), PKCS#7 bundles (.p7b), "
                     "PKCS#12 (.pfx/.p12) or JKS keystores")
        ->required();
    add_password_options(command, options->password, PasswordUse::input,
                         "PFX or JKS (default: prompt on a terminal)", true);
    command
        ->add_option("--role", options->role,
                     "what the first certificate is: server (default: the server certificate, "
                     "even when it is self-signed with CA:TRUE) or ca (check a CA certificate "
                     "with the profile's CA rules)")
        ->check(CLI::IsMember({"server", "ca"}));
    add_backend_option(command, options->backend);
    command->add_flag("--json", options->json,
                      fmt::format("print JSON ({}; with --all-profiles {})", schema::kVerify,
                                  schema::kVerifyAll));
    on_run(command, selected, options, run_verify);
}

} // namespace certforge::cli
