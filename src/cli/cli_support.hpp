// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the certforge commands: exit codes, option groups, how
// profiles and certificates are loaded and how results are printed.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/backend.hpp"
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/json_documents.hpp"
#include "certforge/passwords.hpp"
#include "certforge/profile.hpp"
#include "certforge/request.hpp"
#include "certforge/token_key.hpp"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace certforge::cli {

// The whole command line (main.cpp): parses `argv` (UTF-8), runs the
// command, and returns the exit code.
int run(int argc, char** argv);

enum ExitCode : int {
    kExitOk = 0,
    kExitFindings = 1,
    kExitUsage = 2,
    kExitInput = 3,
    kExitInternal = 4,
};

// The command chosen on the command line; it runs after parsing, inside the
// one catch point in main.
using Action = std::function<int()>;

void add_make_command(CLI::App& app, Action& selected);
void add_export_command(CLI::App& app, Action& selected);
void add_bundle_command(CLI::App& app, Action& selected);
void add_schannel_command(CLI::App& app, Action& selected);
void add_probe_command(CLI::App& app, Action& selected);
void add_scep_command(CLI::App& app, Action& selected);
void add_csr_command(CLI::App& app, Action& selected);
void add_ca_command(CLI::App& app, Action& selected);
// ca list, ca revoke, ca crl under the `ca` command.
void add_ca_ledger_commands(CLI::App* ca, Action& selected);
// ca status under the `ca` command.
void add_ca_status_command(CLI::App* ca, Action& selected);
void add_batch_command(CLI::App& app, Action& selected);
void add_verify_command(CLI::App& app, Action& selected);
void add_profiles_command(CLI::App& app, Action& selected);
void add_version_command(CLI::App& app, Action& selected);
// `certforge help [COMMAND...]`: the help of the root or of that command.
void add_help_command(CLI::App& app, Action& selected);

// Registers `run(*options)` as the action when `command` is chosen.
template <class Options>
void on_run(CLI::App* command, Action& selected, std::shared_ptr<Options> options,
            int (*run)(const Options&)) {
    command->callback([&selected, options, run] {
        selected = [options, run] {
            return run(*options);
        };
    });
}

// Options that override a profile's key, hash and lifetime.
struct CryptoOverrides {
    unsigned rsa_bits = 0; // 0: the profile's default
    std::string hash;      // empty: the profile's default
    unsigned days = 0;     // 0: the profile's default
};
// --rsa-bits, --hash and, with `with_days`, --days.
void add_crypto_overrides(CLI::App* command, CryptoOverrides& overrides, bool with_days = true);
// Applies the overrides to a request (CertRequest or CaRequest).
template <class Request> void apply_overrides(const CryptoOverrides& overrides, Request& request);

// The server certificate request the options describe: subject fields,
// --cn, each --san parsed, and the overrides.
struct IssueOptions;
CertRequest server_request(const IssueOptions& options, const std::string& cn,
                           const std::vector<std::string>& sans);

// O, OU, L, ST, C.
void add_subject_options(CLI::App* command, SubjectFields& subject);

void add_backend_option(CLI::App* command, std::string& backend);

// Options shared by the commands that issue a certificate (make, ca init).
struct IssueOptions {
    std::string profile;
    std::string out;
    std::string backend;
    SubjectFields subject;
    CryptoOverrides overrides;
    bool force = false;
    bool json = false;
};
// Subject fields, overrides (--days only `with_days`: a request has no
// validity), --backend, --force (with `force_help`) and --json.
void add_issue_options(CLI::App* command, IssueOptions& options, const std::string& force_help,
                       bool with_days = true);

// Where a password comes from: a file or an environment variable; a prompt
// on a terminal when neither is given.
struct PasswordOptions {
    std::string file;
    std::string env;
};
// Whose password an option pair gives, named apart as openssl's -passin and
// -passout are: --in-password-file/-env for a file certforge reads,
// --out-password-file/-env for one it writes.
enum class PasswordUse { input, output };
// Adds the pair for `use`; with `old_spelling`, --password-file and
// --password-env are accepted too, as they were before the names were
// split. `what` names the file in the help.
void add_password_options(CLI::App* command, PasswordOptions& options, PasswordUse use,
                          const std::string& what, bool old_spelling);
// A password for reading the existing file `file`: from --*-password-file,
// --*-password-env, else a prompt naming the file; throws InputError when
// none can be had.
SecureString existing_password(const PasswordOptions& options, const std::string& file);
// A password for the new `file`: --password-file, --password-env, else a
// confirmed prompt naming the file on a terminal, else a generated one
// (`generated` set).
SecureString new_password(const PasswordOptions& options, const std::string& file, Backend& backend,
                          bool& generated);
// The same as a source for the library: the prompt (naming `file`) is set
// only when standard input is a terminal.
PasswordSource password_source(const PasswordOptions& options, const std::string& file);

// --pin-file and --pin-env: the PIN of a CA key on a PKCS#11 token.
void add_pin_options(CLI::App* command, PasswordOptions& pin);
// The PIN as the library asks for it: from --pin-file, --pin-env, else a
// prompt naming the token on a terminal (unless `prompt` is never: batch
// never prompts); throws InputError when none can be had. Asked only when
// the token needs a login.
enum class PinPrompt { on_terminal, never };
TokenPin token_pin(const PasswordOptions& pin, PinPrompt prompt = PinPrompt::on_terminal);

// Loads a profile by name or path and, when it is legacy, says so on stderr
// (for commands that read; issuing commands name the weak crypto they use).
Profile load_profile(const std::string& name_or_path);
// Loads a profile by name or path without a word.
Profile load_profile_quietly(const std::string& name_or_path);

// --profile P, or --profiles A,B,C (exactly one of them), for issuing: the
// profiles and the one certificate they share. Legacy profiles are not
// announced here: the issuer names the weak crypto it actually uses.
IssueTarget load_target(const std::string& profile, const std::string& profiles);

// How a command names what the user changes after a refusal.
enum class HintStyle {
    make,    // make, csr: --cn, --san, --days, ...
    ca_init, // ca init: --name, --days, ...
    ca_sign, // ca sign: the request is the requester's to change
};
// The CLI's words for a refusal's fix.
std::string cli_hint(const RefusedError& refused, HintStyle style);

// Runs `work`; a RefusedError comes out as an InputError whose one line
// names the rule, the profile and the fix in this command's words.
template <class Work> auto with_cli_hint(HintStyle style, Work&& work) -> decltype(work()) {
    try {
        return work();
    } catch (const RefusedError& refused) {
        throw InputError(refused.with_fix(cli_hint(refused, style)));
    }
}

// Prints the issuer's notices on stderr, as warnings and notes.
void print_notices(const std::vector<IssueNotice>& notices);

// Text from a certificate or a request, safe for a terminal: control
// characters (NUL, ESC, CR, LF, ...) come out as \xNN (escape_control).
// Library messages quote names as they are; the CLI escapes what it prints.
std::string printable(std::string_view text);

// The PFX encryption for the Terminal Server: `requested` ("aes", "3des",
// "rc2"; empty: not given) checked against the host profile `server_os`
// (empty: none), else the host's first choice, else 3DES.
Pkcs12Encryption server_pfx_encryption(const std::string& server_os, const std::string& requested);

// A time span in seconds: a number with s, min, h, d, w, mo (30 days) or y
// (365 days); a bare number is days. "m" is refused as ambiguous. Throws
// UsageError naming `option`.
std::int64_t parse_duration(std::string_view text, std::string_view option);

// Prints "certforge: warning: ..." on stderr.
void warn(std::string_view message);
void note(std::string_view message);

// Prints a JSON document on stdout.
void print_json(const nlohmann::json& json);

// The paths as a JSON array of strings (the "files" a command wrote).
nlohmann::json paths_json(const std::vector<std::filesystem::path>& files);

// The JSON output of a command that issued a certificate: schema, profile,
// backend, legacy, the files written and the certificate's subject, serial,
// fingerprint, validity and SANs.
nlohmann::json issued_json(std::string_view schema, const Profile& profile,
                           std::string_view backend,
                           const std::vector<std::filesystem::path>& files, const CertInfo& info);

// The certificate of a CA folder (ca.crt), parsed by the default backend.
// Throws InputError when the folder has none.
CertInfo read_ca_certificate(const std::filesystem::path& ca_dir);
// "valid", "expiring" (within kMinimumCaDaysLeft days), "expired" or
// "not-yet-valid" at `at`.
std::string ca_state(const CertInfo& ca, UnixTime at);
// certificate_json of a CA certificate, with its days left and state.
nlohmann::json ca_certificate_json(const CertInfo& ca, UnixTime at);

// Prints the files written, one line each.
void print_written(const std::vector<std::filesystem::path>& files);

} // namespace certforge::cli
