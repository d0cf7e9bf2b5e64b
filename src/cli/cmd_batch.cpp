// SPDX-License-Identifier: Apache-2.0
#include "certforge/batch.hpp"
#include "certforge/errors.hpp"
#include "certforge/passwords.hpp"
#include "certforge/path_text.hpp"
#include "certforge/sites.hpp"
#include "cli_support.hpp"

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <limits>
#include <nlohmann/json.hpp>

namespace certforge::cli {
namespace {

struct BatchCommandOptions {
    std::string sites;
    std::string ca_dir;
    std::string out;
    std::string backend;
    unsigned jobs = 0;
    std::string renew_within = "30d";
    bool dry_run = false;
    bool json = false;
    PasswordOptions pin;
};

using Clock = std::chrono::steady_clock;

// Prints each result as it comes (text, or one JSON document streamed a
// site at a time) and, on a terminal, a progress line on stderr.
class PrintingObserver final : public BatchObserver {
public:
    PrintingObserver(bool json, bool dry_run)
        : json_(json), dry_run_(dry_run), progress_(stderr_is_terminal()) {}

    void on_start(std::size_t sites, unsigned jobs) override {
        total_ = sites;
        jobs_ = jobs;
        started_ = Clock::now();
        if (json_) {
            fmt::print("{{\"schema\": \"{}\", \"dry_run\": {}, \"sites\": [\n", schema::kBatch,
                       dry_run_);
        }
    }

    void on_site(const SiteResult& result) override {
        ++done_;
        clear_progress();
        if (result.status == SiteStatus::failed) {
            failures_.push_back(fmt::format("{} (line {})", result.id, result.line));
        }
        for (const auto& file : result.files) {
            if (file.filename() == "server.pfx.pass") {
                ++generated_passwords_;
            }
        }
        if (json_) {
            fmt::print("{}{}", done_ == 1 ? "  " : ",\n  ", site_json(result).dump());
        } else {
            print_text(result);
        }
        std::fflush(stdout);
        draw_progress();
    }

    void on_notice(std::string_view message, bool warning) override {
        clear_progress();
        if (warning) {
            warn(message);
        } else {
            note(message);
        }
    }

    int finish(const BatchSummary& summary) {
        clear_progress();
        const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        if (json_) {
            const nlohmann::json totals{{"sites", summary.sites},     {"created", summary.created},
                                        {"renewed", summary.renewed}, {"skipped", summary.skipped},
                                        {"failed", summary.failed},   {"jobs", summary.jobs},
                                        {"seconds", seconds}};
            fmt::print("{}], \"summary\": {}}}\n", done_ == 0 ? "" : "\n", totals.dump());
        } else {
            fmt::print("{} site{}{}: {} created, {} renewed, {} skipped, {} failed ({} job{}, "
                       "{:.1f} s)\n",
                       summary.sites, summary.sites == 1 ? "" : "s",
                       dry_run_ ? " (dry run: nothing written)" : "", summary.created,
                       summary.renewed, summary.skipped, summary.failed, summary.jobs,
                       summary.jobs == 1 ? "" : "s", seconds);
        }
        std::fflush(stdout);
        if (generated_passwords_ > 0) {
            note(fmt::format("{} site{} got a generated PFX password, in server.pfx.pass (0600) "
                             "in the site's folder",
                             generated_passwords_, generated_passwords_ == 1 ? "" : "s"));
        }
        if (!failures_.empty()) {
            fmt::print(stderr, "certforge: error: {} site{} failed: {}\n", failures_.size(),
                       failures_.size() == 1 ? "" : "s", fmt::join(failures_, ", "));
            return kExitFindings;
        }
        return kExitOk;
    }

private:
    nlohmann::json site_json(const SiteResult& result) const {
        nlohmann::json json{{"id", result.id},
                            {"line", result.line},
                            {"status", to_string(result.status)},
                            {"reason", result.reason},
                            {"profile", result.profile},
                            {"folder", path_text(result.folder)},
                            {"files", paths_json(result.files)}};
        if (!result.serial.empty()) {
            json["serial"] = result.serial;
            json["sha256"] = result.sha256;
        }
        if (result.not_after) {
            json["not_after"] = format_utc(*result.not_after);
        }
        return json;
    }

    void print_text(const SiteResult& result) const {
        const std::string_view status = to_string(result.status);
        const std::string verb = dry_run_ && (result.status == SiteStatus::created ||
                                              result.status == SiteStatus::renewed)
                                     ? fmt::format("would be {}", status)
                                     : std::string(status);
        switch (result.status) {
        case SiteStatus::failed:
            fmt::print("failed   {} (line {}): {}\n", result.id, result.line, result.reason);
            break;
        case SiteStatus::skipped:
            fmt::print("skipped  {}: {}\n", result.id, result.reason);
            break;
        default:
            if (dry_run_) {
                fmt::print("{}  {}: {}\n", verb, result.id, result.reason);
            } else {
                fmt::print("{}  {}: serial {}, valid until {}{}\n", verb, result.id, result.serial,
                           result.not_after ? format_utc(*result.not_after) : "?",
                           result.status == SiteStatus::renewed ? " (" + result.reason + ")"
                                                                : std::string());
            }
        }
    }

    void clear_progress() const {
        if (progress_) {
            fmt::print(stderr, "\r\033[K");
        }
    }

    void draw_progress() const {
        if (!progress_) {
            return;
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        const double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
        const double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
        fmt::print(stderr, "[{}/{}] {:.1f} sites/s, ETA {:.0f} s", done_, total_, rate, eta);
        std::fflush(stderr);
    }

    bool json_;
    bool dry_run_;
    bool progress_;
    std::size_t total_ = 0;
    std::size_t done_ = 0;
    unsigned jobs_ = 0;
    Clock::time_point started_;
    std::vector<std::string> failures_;
    std::size_t generated_passwords_ = 0;
};

// Every problem of a sites file that cannot be run, on standard output (the
// one-line error names the first): "FILE:LINE:COL: message" lines, or with
// --json a schema::kBatchProblems document.
void print_sites_problems(const SitesFileError& error, bool json) {
    if (json) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : error.problems()) {
            problems.push_back({{"line", p.line}, {"column", p.column}, {"message", p.message}});
        }
        const nlohmann::json document{{"schema", schema::kBatchProblems},
                                      {"sites_file", path_text(error.path())},
                                      {"problems", problems}};
        fmt::print("{}\n", document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
    } else if (error.problems().size() > 1) {
        fmt::print("{}", format_problems(error.path(), error.problems(),
                                         std::numeric_limits<std::size_t>::max()));
    }
}

int run_batch_command(const BatchCommandOptions& options) {
    BatchOptions batch;
    batch.sites_file = utf8_path(options.sites);
    batch.ca_dir = utf8_path(options.ca_dir);
    batch.out_dir = utf8_path(options.out);
    batch.backend = options.backend;
    batch.jobs = options.jobs;
    batch.renew_within = parse_duration(options.renew_within, "--renew-within");
    batch.dry_run = options.dry_run;
    batch.token_pin = token_pin(options.pin, PinPrompt::never);
    PrintingObserver observer(options.json, options.dry_run);
    try {
        const BatchSummary summary = run_batch(batch, observer);
        return observer.finish(summary);
    } catch (const SitesFileError& e) {
        print_sites_problems(e, options.json);
        throw;
    }
}

} // namespace

void add_batch_command(CLI::App& app, Action& selected) {
    auto options = std::make_shared<BatchCommandOptions>();
    auto* command = app.add_subcommand(
        "batch",
        "Make or renew a certificate per site from a sites file (TOML or CSV), for deployment "
        "pipelines: one folder per site with the files of 'make', signed by the CA and "
        "recorded in its ledger. Idempotent: a site whose certificate is good is skipped. "
        "Never prompts. Exit 1 if any site failed (each one named).");
    command->add_option("sites", options->sites, "sites file: *.toml or *.csv (see README)")
        ->required();
    command->add_option("--ca", options->ca_dir, "CA folder from 'certforge ca init'")->required();
    command->add_option("-o,--out", options->out, "folder for the site folders (named by site id)")
        ->required();
    command->add_option("--jobs", options->jobs, "worker threads (default: every core)")
        ->check(CLI::Range(1u, 256u));
    command->add_option("--renew-within", options->renew_within,
                        "renew certificates that expire within this time: 30d (default), 2w, "
                        "12h; a bare number is days");
    command->add_flag("--dry-run", options->dry_run,
                      "say what would be created, renewed or skipped; write nothing");
    add_backend_option(command, options->backend);
    add_pin_options(command, options->pin);
    command->add_flag(
        "--json", options->json,
        fmt::format("print JSON ({}): a result per site, then a summary", schema::kBatch));
    on_run(command, selected, options, run_batch_command);
}

} // namespace certforge::cli
