// SPDX-License-Identifier: Apache-2.0
// The sites file of `certforge batch`: one entry per site, TOML or CSV.
// Both are read as a stream, a site at a time, so memory does not grow with
// the file. See README.md ("Sites files") for the format.
#pragma once

#include "certforge/errors.hpp"
#include "certforge/request.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

struct SiteSpec {
    std::string id;       // also the name of its output folder
    std::size_t line = 0; // where the site starts in the sites file
    std::string cn;
    std::vector<std::string> sans;     // "dns:NAME", "ip:ADDRESS"
    std::vector<std::string> profiles; // one certificate all of them accept
    std::string server_os;             // host profile, picks the PFX encryption
    std::vector<std::string> formats{"pfx", "import-bundle"};
    std::string pkcs12;                  // aes, 3des, rc2; empty: from server_os
    std::string password_env;            // the PFX password: an environment variable,
    std::filesystem::path password_file; // or a file (relative to the sites file);
                                         // neither: generated into server.pfx.pass
    SubjectFields subject;               // O, OU, L, ST, C (the CN is `cn`)
    std::optional<unsigned> days;
    // Devices that get a key and certificate of their own in the bundle:
    // "NAME" or "NAME=SAN,SAN" (SANs as dns:NAME or ip:ADDRESS).
    std::vector<std::string> devices;
};

// The names of a device entry ("mfd-1.corp=ip:10.0.0.5,dns:mfd-1"): the CN
// and the SANs. Throws InputError for a SAN that cannot be parsed.
CertRequest parse_device_entry(std::string_view entry);

// A problem in a sites file, at a line and column (1-based).
struct SitesProblem {
    std::size_t line = 0;
    std::size_t column = 0;
    std::string message;
};

class SitesReader {
public:
    // Opens a sites file, TOML (*.toml) or CSV (*.csv). Throws InputError
    // when it cannot be read or its kind is unknown.
    static std::unique_ptr<SitesReader> open(const std::filesystem::path& path);
    virtual ~SitesReader() = default;

    // Reads the next site into `site`; false at the end. A malformed site
    // adds to `problems` (each one with its line) and still returns true,
    // so that a check can report every problem in one pass.
    virtual bool next(SiteSpec& site, std::vector<SitesProblem>& problems) = 0;

    const std::filesystem::path& path() const noexcept { return path_; }

protected:
    explicit SitesReader(std::filesystem::path path) : path_(std::move(path)) {}

private:
    std::filesystem::path path_;
};

struct SitesCheck {
    std::size_t sites = 0;
    std::vector<SitesProblem> problems; // in file order
};

// Reads the whole file once, as a stream, and reports every problem:
// syntax, unknown keys or columns, wrong types, missing id, cn or profile,
// a bad id, format, SAN or PFX setting, duplicate ids.
SitesCheck check_sites_file(const std::filesystem::path& path);

// A sites file that cannot be run as it is: every problem found, in file
// order. what() is one line naming the file, the count and the first one.
class SitesFileError : public InputError {
public:
    SitesFileError(std::filesystem::path path, std::vector<SitesProblem> problems);
    const std::filesystem::path& path() const noexcept { return path_; }
    const std::vector<SitesProblem>& problems() const noexcept { return problems_; }

private:
    std::filesystem::path path_;
    std::vector<SitesProblem> problems_;
};

// "sites.toml:12:3: message" lines, at most `limit`, with a count of the rest.
std::string format_problems(const std::filesystem::path& path,
                            const std::vector<SitesProblem>& problems, std::size_t limit = 20);

} // namespace certforge
