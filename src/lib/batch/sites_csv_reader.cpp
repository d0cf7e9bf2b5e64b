// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/text.hpp"
#include "lib/common/csv_records.hpp"
#include "sites_fields.hpp"

#include <fmt/format.h>
#include <set>

namespace certforge::detail {
namespace {

namespace fs = std::filesystem;

// RFC 4180: a header row naming the columns, then a site a row.

class CsvSitesReader final : public StreamedSitesReader {
public:
    explicit CsvSitesReader(const fs::path& path) : StreamedSitesReader(path) {}

    bool next(SiteSpec& site, std::vector<SitesProblem>& problems) override {
        std::vector<std::string> cells;
        std::size_t start = 0;
        if (!header_read_) {
            header_read_ = true;
            if (!read_record(cells, start, problems)) {
                problems.push_back({1, 0, "the file is empty: the first row names the columns"});
                return false;
            }
            read_header(cells, start, problems);
        }
        if (!read_record(cells, start, problems)) {
            return false;
        }
        site = SiteSpec{};
        site.line = start;
        if (cells.size() > columns_.size()) {
            problems.push_back({start, 0,
                                fmt::format("{} cells, but the header names {} columns",
                                            cells.size(), columns_.size())});
        }
        const fs::path base = path().parent_path();
        for (std::size_t i = 0; i < cells.size() && i < columns_.size(); ++i) {
            const SiteField* field = columns_[i];
            const std::string cell(trim_blanks(cells[i]));
            if (field == nullptr || cell.empty()) {
                continue;
            }
            FieldValue value;
            if (field->kind == FieldKind::list) {
                for (auto& part : split_list(cell)) {
                    value.list.push_back(std::move(part));
                }
            } else if (field->kind == FieldKind::number) {
                const auto parsed = parse_number(cell);
                if (!parsed) {
                    problems.push_back(
                        {start, 0,
                         fmt::format("column '{}': '{}' is not a number", field->name, cell)});
                    continue;
                }
                value.number = *parsed;
            } else {
                value.text = cell;
            }
            field->set(site, std::move(value), base);
        }
        validate_site(site, problems);
        return true;
    }

private:
    // Lists in a cell are separated by ';' or white space.
    static std::vector<std::string> split_list(std::string_view cell) {
        std::string normalized(cell);
        for (char& c : normalized) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                c = ';';
            }
        }
        return split(normalized, ';');
    }

    static std::optional<std::int64_t> parse_number(std::string_view text) {
        std::int64_t value = 0;
        for (const char c : text) {
            if (c < '0' || c > '9' || value > 1'000'000) {
                return std::nullopt;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    void read_header(const std::vector<std::string>& cells, std::size_t line,
                     std::vector<SitesProblem>& problems) {
        std::set<std::string> seen;
        for (const auto& cell : cells) {
            const std::string name = to_lower(trim_blanks(cell));
            const SiteField* field = find_field(name);
            if (field == nullptr) {
                problems.push_back(
                    {line, 0,
                     fmt::format("unknown column '{}' (known: {})", name, field_names(false))});
            } else if (!seen.insert(name).second) {
                problems.push_back({line, 0, fmt::format("column '{}' appears twice", name)});
            }
            columns_.push_back(field);
        }
        for (const char* required : {"id", "cn"}) {
            if (!seen.contains(required)) {
                problems.push_back({line, 0, fmt::format("no '{}' column", required)});
            }
        }
    }

    bool read_record(std::vector<std::string>& cells, std::size_t& start,
                     std::vector<SitesProblem>& problems) {
        std::string problem;
        const bool found = records_.next(cells, start, problem);
        if (!problem.empty()) {
            problems.push_back({start, 0, problem});
        }
        return found;
    }

    CsvRecords records_{in_};
    bool header_read_ = false;
    std::vector<const SiteField*> columns_;
};

} // namespace

std::unique_ptr<SitesReader> open_csv_sites(const fs::path& path) {
    return std::make_unique<CsvSitesReader>(path);
}

} // namespace certforge::detail
