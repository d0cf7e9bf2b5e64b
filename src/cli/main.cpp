// SPDX-License-Identifier: Apache-2.0
// certforge: the command line over libcertforge. This is the one place where
// errors become exit codes (docs/ARCHITECTURE.md, "Errors").
#include "certforge/errors.hpp"
#include "certforge/signal_guard.hpp"
#include "certforge/version.hpp"
#include "cli_support.hpp"
#include "help_text.hpp"
#include "usage_error.hpp"

#include <fmt/format.h>
#include <iostream>
#include <new>

int certforge::cli::run(int argc, char** argv) {
    using namespace certforge;
    // Ctrl-C and SIGTERM wait while a file set is being written; a device
    // that closes a connection early ends a write with an error (EPIPE),
    // not certforge.
    install_signal_guards();

    CLI::App app{"certforge: makes, checks and packages X.509 certificates that printers (MFDs) "
                 "and print-management servers accept.\n"
                 "Exit codes: 0 ok, 1 verification found errors, 2 usage error, 3 bad input "
                 "(profile, file, name), 4 crypto or internal failure."};
    app.name("certforge");
    app.require_subcommand(1, 1);
    app.fallthrough(false);
    // "/tmp/x" is a path, not an option, on Windows too (CLI11 would take
    // it for a Windows-style option there); set before the commands, which
    // inherit it.
    app.allow_windows_style_options(false);
    app.set_version_flag("--version", fmt::format("certforge {}", version()),
                         "print certforge's version (certforge version adds the backends)");

    Action selected;
    add_make_command(app, selected);
    add_csr_command(app, selected);
    add_export_command(app, selected);
    add_bundle_command(app, selected);
    add_schannel_command(app, selected);
    add_probe_command(app, selected);
    add_ca_command(app, selected);
    add_scep_command(app, selected);
    add_batch_command(app, selected);
    add_verify_command(app, selected);
    add_profiles_command(app, selected);
    add_version_command(app, selected);
    add_help_command(app, selected);
    finish_help(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) {
            return app.exit(e) == 0 ? kExitOk : kExitUsage;
        }
        std::cerr << "certforge: error: " << usage_error_line(app, e) << '\n';
        return kExitUsage;
    }

    try {
        return selected ? selected() : kExitUsage;
    } catch (const UsageError& e) {
        std::cerr << "certforge: error: " << e.what() << '\n';
        return kExitUsage;
    } catch (const InputError& e) {
        std::cerr << "certforge: error: " << e.what() << '\n';
        return kExitInput;
    } catch (const CryptoError& e) {
        std::cerr << "certforge: crypto error: " << e.what() << '\n';
        return kExitInternal;
    } catch (const Error& e) {
        std::cerr << "certforge: internal error: " << e.what() << '\n';
        return kExitInternal;
    } catch (const std::bad_alloc&) {
        std::cerr << "certforge: internal error: out of memory\n";
        return kExitInternal;
    } catch (const std::exception& e) {
        std::cerr << "certforge: internal error: " << e.what() << '\n';
        return kExitInternal;
    }
}
