// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/sites.hpp"
#include "certforge/subject_alt_name.hpp"
#include "certforge/text.hpp"
#include "sites_fields.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

namespace certforge {

namespace fs = std::filesystem;

CertRequest parse_device_entry(std::string_view entry) {
    CertRequest request;
    const auto equals = entry.find('=');
    request.subject.common_name = std::string(entry.substr(0, equals));
    if (request.subject.common_name.empty()) {
        throw InputError("a device entry starts with the device's name: NAME or NAME=SAN,SAN");
    }
    if (equals != std::string_view::npos) {
        for (const auto& san : split(entry.substr(equals + 1), ',')) {
            request.subject_alt_names.push_back(parse_san(san));
        }
    }
    return request;
}

std::unique_ptr<SitesReader> SitesReader::open(const fs::path& path) {
    const std::string extension = to_lower(path_text(path.extension()));
    if (extension == ".toml") {
        return detail::open_toml_sites(path);
    }
    if (extension == ".csv") {
        return detail::open_csv_sites(path);
    }
    throw InputError(
        fmt::format("{}: a sites file is TOML (.toml) or CSV (.csv)", path_text(path)));
}

SitesCheck check_sites_file(const fs::path& path) {
    SitesCheck check;
    const auto reader = SitesReader::open(path);
    std::unordered_map<std::string, std::size_t> first_line;
    SiteSpec site;
    while (reader->next(site, check.problems)) {
        ++check.sites;
        if (site.id.empty()) {
            continue;
        }
        const auto [it, inserted] = first_line.emplace(site.id, site.line);
        if (!inserted) {
            check.problems.push_back(
                {site.line, 0,
                 fmt::format("site id '{}' is used already on line {}", site.id, it->second)});
        }
    }
    std::stable_sort(check.problems.begin(), check.problems.end(),
                     [](const auto& a, const auto& b) { return a.line < b.line; });
    return check;
}

namespace {

std::string problem_text(const SitesProblem& p) {
    return p.column == 0 ? fmt::format("{}: {}", p.line, escape_control(p.message))
                         : fmt::format("{}:{}: {}", p.line, p.column, escape_control(p.message));
}

std::string sites_error_line(const fs::path& path, const std::vector<SitesProblem>& problems) {
    if (problems.size() == 1) {
        return fmt::format("{}:{}; no site was touched", path_text(path),
                           problem_text(problems.front()));
    }
    return fmt::format("{}: {} problems, listed on standard output; no site was touched (first: "
                       "{})",
                       path_text(path), problems.size(), problem_text(problems.front()));
}

} // namespace

SitesFileError::SitesFileError(fs::path path, std::vector<SitesProblem> problems)
    : InputError(sites_error_line(path, problems)), path_(std::move(path)),
      problems_(std::move(problems)) {}

std::string format_problems(const fs::path& path, const std::vector<SitesProblem>& problems,
                            std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < problems.size() && i < limit; ++i) {
        out += fmt::format("{}:{}\n", path_text(path), problem_text(problems[i]));
    }
    if (problems.size() > limit) {
        out += fmt::format("... and {} more\n", problems.size() - limit);
    }
    return out;
}

} // namespace certforge