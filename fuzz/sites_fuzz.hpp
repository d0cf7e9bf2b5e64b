// SPDX-License-Identifier: Apache-2.0
// The sites-file targets (TOML and CSV): the file read as `certforge batch`
// reads it, in the same order: the whole-file check with its problem list,
// the streaming reader with each device entry, then a dry run of the batch
// (every site planned against its profiles, no key, no file) with a test CA,
// on every backend.
#pragma once

#include "certforge/batch.hpp"
#include "certforge/sites.hpp"
#include "fuzz_support.hpp"

#include <fmt/format.h>

namespace certforge::fuzz {

class QuietObserver final : public BatchObserver {
public:
    void on_start(std::size_t, unsigned) override {}
    void on_site(const SiteResult&) override {}
    void on_notice(std::string_view, bool) override {}
};

inline void read_sites(std::string_view name, const std::uint8_t* data, std::size_t size) {
    const auto path = scratch_file(name, data, size);
    bool clean = false;
    expect_user_errors("sites: check_sites_file", [&] {
        const SitesCheck check = check_sites_file(path);
        format_problems(path, check.problems);
        clean = check.problems.empty();
    });
    expect_user_errors("sites: SitesReader", [&] {
        const auto reader = SitesReader::open(path);
        SiteSpec site;
        std::vector<SitesProblem> problems;
        while (reader->next(site, problems)) {
            for (const auto& device : site.devices) {
                expect_user_errors("sites: parse_device_entry",
                                   [&] { parse_device_entry(device); });
            }
            site = SiteSpec{};
        }
    });
    if (!clean) {
        return;
    }
    for (const auto& backend : backends()) {
        expect_user_errors(fmt::format("sites: batch --dry-run on {}", backend->name()), [&] {
            BatchOptions options;
            options.sites_file = path;
            options.ca_dir = test_ca_folder();
            options.out_dir = path.parent_path() / "out";
            options.backend = std::string(backend->name());
            options.jobs = 1;
            options.dry_run = true;
            QuietObserver observer;
            run_batch(options, observer);
        });
    }
}

} // namespace certforge::fuzz
