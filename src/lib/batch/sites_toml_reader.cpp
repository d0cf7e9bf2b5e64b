// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/text.hpp"
#include "lib/profile/toml_type_name.hpp"
#include "sites_fields.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace certforge::detail {
namespace {

namespace fs = std::filesystem;

// A prelude with [defaults], then [[site]] blocks parsed one by one.

bool is_site_header(std::string_view line) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line.substr(start, 2) != "[[") {
        return false;
    }
    const auto close = line.find("]]", start);
    if (close == std::string_view::npos) {
        return false;
    }
    std::string inner(line.substr(start + 2, close - start - 2));
    std::erase_if(inner, [](char c) { return c == ' ' || c == '\t'; });
    const auto rest = line.substr(close + 2);
    const auto after = rest.find_first_not_of(" \t\r");
    return inner == "site" && (after == std::string_view::npos || rest[after] == '#');
}

std::size_t toml_line(const toml::source_region& region, std::size_t offset) {
    return static_cast<std::size_t>(std::max<toml::source_index>(region.begin.line, 1)) + offset;
}

std::size_t toml_column(const toml::source_region& region) {
    return static_cast<std::size_t>(std::max<toml::source_index>(region.begin.column, 1));
}

class TomlSitesReader final : public StreamedSitesReader {
public:
    explicit TomlSitesReader(const fs::path& path) : StreamedSitesReader(path) {}

    bool next(SiteSpec& site, std::vector<SitesProblem>& problems) override {
        if (!started_) {
            started_ = true;
            std::string prelude;
            read_block(prelude);
            parse_prelude(prelude, problems);
        }
        if (!have_header_) {
            return false;
        }
        const std::size_t start = header_line_;
        std::string block = header_text_ + "\n";
        read_block(block);
        site = defaults_;
        site.line = start;
        parse_site(block, start - 1, site, problems);
        return true;
    }

private:
    // Appends lines up to the next [[site]] header (kept for the next block).
    void read_block(std::string& block) {
        have_header_ = false;
        std::string line;
        while (std::getline(in_, line)) {
            ++line_no_;
            if (is_site_header(line)) {
                have_header_ = true;
                header_line_ = line_no_;
                header_text_ = line;
                return;
            }
            block += line;
            block += '\n';
        }
    }

    std::optional<toml::table> parse(const std::string& text, std::size_t offset,
                                     std::vector<SitesProblem>& problems) {
        try {
            return toml::parse(text, path_text(path()));
        } catch (const toml::parse_error& e) {
            problems.push_back({toml_line(e.source(), offset), toml_column(e.source()),
                                std::string(e.description())});
            return std::nullopt;
        }
    }

    void parse_prelude(const std::string& text, std::vector<SitesProblem>& problems) {
        auto table = parse(text, 0, problems);
        if (!table) {
            return;
        }
        for (auto&& [key, node] : *table) {
            if (key.str() != "defaults" || !node.is_table()) {
                problems.push_back({toml_line(key.source(), 0), toml_column(key.source()),
                                    fmt::format("unknown top-level key '{}': a sites file has "
                                                "[defaults] and [[site]] entries",
                                                key.str())});
                continue;
            }
            read_fields(*node.as_table(), 0, true, defaults_, problems);
        }
    }

    void parse_site(const std::string& text, std::size_t offset, SiteSpec& site,
                    std::vector<SitesProblem>& problems) {
        auto table = parse(text, offset, problems);
        if (!table) {
            return;
        }
        for (auto&& [key, node] : *table) {
            if (key.str() == "site" && node.is_array_of_tables()) {
                const auto& sites = *node.as_array();
                if (sites.size() != 1) {
                    problems.push_back({toml_line(sites.back().source(), offset),
                                        toml_column(sites.back().source()),
                                        "a second site header that is not [[site]] on its own "
                                        "line: write each one as [[site]]"});
                }
                read_fields(*sites.front().as_table(), offset, false, site, problems);
                continue;
            }
            const std::string hint = key.str() == "defaults"
                                         ? "[defaults] must come before the first [[site]]"
                                         : "a site's settings go under its [[site]] header";
            problems.push_back({toml_line(key.source(), offset), toml_column(key.source()),
                                fmt::format("unexpected '{}': {}", key.str(), hint)});
        }
        validate_site(site, problems);
    }

    void read_fields(const toml::table& table, std::size_t offset, bool defaults, SiteSpec& site,
                     std::vector<SitesProblem>& problems) {
        const fs::path base = path().parent_path();
        for (auto&& [key, node] : table) {
            const auto line = toml_line(key.source(), offset);
            const auto column = toml_column(key.source());
            const SiteField* field = find_field(key.str());
            if (field == nullptr || (defaults && field->site_only)) {
                problems.push_back(
                    {line, column,
                     fmt::format("unknown key '{}' in {} (known: {})", key.str(),
                                 defaults ? "[defaults]" : "[[site]]", field_names(defaults))});
                continue;
            }
            FieldValue value;
            bool ok = true;
            switch (field->kind) {
            case FieldKind::text:
                ok = node.is_string();
                if (ok) {
                    value.text = node.as_string()->get();
                }
                break;
            case FieldKind::number:
                ok = node.is_integer();
                if (ok) {
                    value.number = node.as_integer()->get();
                    if (value.number < 1 || value.number > 36500) {
                        problems.push_back(
                            {line, column, fmt::format("'{}' must be 1 to 36500", key.str())});
                        continue;
                    }
                }
                break;
            case FieldKind::list:
                ok = node.is_array();
                if (ok) {
                    for (auto& element : *node.as_array()) {
                        if (!element.is_string()) {
                            ok = false;
                            break;
                        }
                        value.list.push_back(element.as_string()->get());
                    }
                }
                break;
            }
            if (!ok) {
                const std::string_view wanted = field->kind == FieldKind::text ? "a string"
                                                : field->kind == FieldKind::number
                                                    ? "an integer"
                                                    : "an array of strings";
                problems.push_back({line, column,
                                    fmt::format("'{}' must be {}, not {}", key.str(), wanted,
                                                detail::toml_type_name(node))});
                continue;
            }
            field->set(site, std::move(value), base);
        }
    }

    std::size_t line_no_ = 0;
    bool started_ = false;
    bool have_header_ = false;
    std::size_t header_line_ = 0;
    std::string header_text_;
    SiteSpec defaults_;
};

} // namespace

std::unique_ptr<SitesReader> open_toml_sites(const fs::path& path) {
    return std::make_unique<TomlSitesReader>(path);
}

} // namespace certforge::detail
