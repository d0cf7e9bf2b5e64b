// SPDX-License-Identifier: Apache-2.0
// Internal: what the TOML and CSV sites readers share: the table of a
// site's settings (one row per key, as both file kinds spell it), the checks
// on a filled-in site, and opening the file past a byte-order mark.
#pragma once

#include "certforge/sites.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace certforge::detail {

enum class FieldKind { text, list, number };

struct FieldValue {
    std::string text;
    std::vector<std::string> list;
    std::int64_t number = 0;
};

struct SiteField {
    std::string_view name;
    FieldKind kind;
    bool site_only; // not allowed in [defaults]
    void (*set)(SiteSpec&, FieldValue&&, const std::filesystem::path& base);
};

// The row for `name`, or null for a key no site has.
const SiteField* find_field(std::string_view name);
// Every key, comma-separated; with `defaults`, those allowed in [defaults].
std::string field_names(bool defaults);

// The checks both file kinds share, once a site is filled in.
void validate_site(const SiteSpec& site, std::vector<SitesProblem>& problems);

// A reader over the file, opened at once, past a UTF-8 byte-order mark
// (as Excel's "CSV UTF-8" and Notepad write it). Throws InputError when the
// file cannot be read or is UTF-16.
class StreamedSitesReader : public SitesReader {
protected:
    explicit StreamedSitesReader(const std::filesystem::path& path);

    std::ifstream in_;
};

std::unique_ptr<SitesReader> open_toml_sites(const std::filesystem::path& path);
std::unique_ptr<SitesReader> open_csv_sites(const std::filesystem::path& path);

} // namespace certforge::detail
