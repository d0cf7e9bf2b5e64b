#include "../profile/toml_type_name.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/names.hpp"
#include "certforge/server_files.hpp"
#include "certforge/sites.hpp"
#include "certforge/text.hpp"

#include <array>
#include <fmt/format.h>
#include <fstream>
#include <set>
#include <toml++/toml.h>
#include <unordered_map>

namespace certforge {
namespace {

namespace fs = std::filesystem;

// One setting of a site, as both file kinds spell it.
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
    void (*set)(SiteSpec&, FieldValue&&, const fs::path& base);
};

constexpr std::array<SiteField, 17> kFields{{
    {"id", FieldKind::text, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.id = std::move(v.text);
     }},
    {"cn", FieldKind::text, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.cn = std::move(v.text);
     }},
    {"sans", FieldKind::list, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.sans = std::move(v.list);
     }},
    {"profiles", FieldKind::list, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.profiles = std::move(v.list);
     }},
    {"profile", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.profiles = {std::move(v.text)};
     }},
    {"server_os", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.server_os = std::move(v.text);
     }},
    {"formats", FieldKind::list, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.formats = std::move(v.list);
     }},
    {"pkcs12", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.pkcs12 = std::move(v.text);
     }},
    {"password_env", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.password_env = std::move(v.text);
     }},
    {"password_file", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path& base) {
         s.password_file = v.text.empty() ? fs::path() : base / v.text;
     }},
    {"organization", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.organization = std::move(v.text);
     }},
    {"organizational_unit", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.organizational_unit = std::move(v.text);
     }},
    {"locality", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.locality = std::move(v.text);
     }},
    {"state", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.state = std::move(v.text);
     }},
    {"country", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.country = std::move(v.text);
     }},
    {"days", FieldKind::number, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.days = static_cast<unsigned>(v.number);
     }},
    {"devices", FieldKind::list, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.devices = std::move(v.list);
     }},
}};

const SiteField* find_field(std::string_view name) {
    for (const auto& field : kFields) {
        if (field.name == name) {
            return &field;
        }
    }
    return nullptr;
}

std::string field_names(bool defaults) {
    std::vector<std::string_view> names;
    for (const auto& field : kFields) {
        if (!defaults || !field.site_only) {
            names.push_back(field.name);
        }
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64 || id.front() == '.' || id.front() == '-') {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// The checks both file kinds share, once a site is filled in.
void validate_site(const SiteSpec& site, std::vector<SitesProblem>& problems) {
    const auto problem = [&](std::string message) {
        problems.push_back({site.line, 0, std::move(message)});
    };
    if (site.id.empty()) {
        problem("the site has no id");
    } else if (!valid_id(site.id)) {
        problem(fmt::format("site id '{}' is not a folder name certforge uses: 1-64 letters, "
                            "digits, '-', '_' or '.', not starting with '.' or '-'",
                            site.id));
    }
    const std::string name = site.id.empty() ? std::string("the site") : "site '" + site.id + "'";
    if (site.cn.empty()) {
        problem(fmt::format("{} has no cn", name));
    }
    if (site.profiles.empty()) {
        problem(fmt::format("{} has no profile (set profiles, or profiles in [defaults])", name));
    }
    for (const auto& san : site.sans) {
        try {
            static_cast<void>(parse_san(san));
        } catch (const Error& e) {
            problem(fmt::format("{}: {}", name, e.what()));
        }
    }
    std::set<std::string> device_names;
    for (const auto& device : site.devices) {
        try {
            if (!device_names.insert(parse_device_entry(device).subject.common_name).second) {
                problem(fmt::format("{}: device '{}' is listed twice", name, device));
            }
        } catch (const Error& e) {
            problem(fmt::format("{}: device '{}': {}", name, device, e.what()));
        }
    }
    try {
        static_cast<void>(server_formats_from_names(site.formats));
    } catch (const Error& e) {
        problem(fmt::format("{}: {}", name, e.what()));
    }
    if (!site.pkcs12.empty() && site.pkcs12 != "aes" && site.pkcs12 != "3des" &&
        site.pkcs12 != "rc2") {
        problem(fmt::format("{}: pkcs12 '{}' is not aes, 3des or rc2", name, site.pkcs12));
    }
    if (!site.password_env.empty() && !site.password_file.empty()) {
        problem(fmt::format("{}: give password_env or password_file, not both", name));
    }
    if (site.days && (*site.days < 1 || *site.days > 36500)) {
        problem(fmt::format("{}: days must be 1 to 36500", name));
    }
}

// Skips a UTF-8 byte-order mark (as Excel's "CSV UTF-8" and Notepad write
// it) at the start of `in`. Throws InputError for a UTF-16 one.
void skip_byte_order_mark(std::istream& in, const fs::path& path) {
    std::array<char, 3> head{};
    in.read(head.data(), head.size());
    const std::string_view start(head.data(), static_cast<std::size_t>(in.gcount()));
    if (start.starts_with("\xEF\xBB\xBF")) {
        return;
    }
    if (start.starts_with("\xFF\xFE") || start.starts_with("\xFE\xFF")) {
        throw InputError(fmt::format("{}: the file is UTF-16 (byte-order mark {}); save it as "
                                     "UTF-8 (in Excel: CSV UTF-8)",
                                     path.string(), start[0] == '\xFF' ? "FF FE" : "FE FF"));
    }
    in.clear();
    in.seekg(0);
}

// A reader over the file, opened at once, past a UTF-8 byte-order mark.
class StreamedSitesReader : public SitesReader {
protected:
    explicit StreamedSitesReader(const fs::path& path) : SitesReader(path), in_(path) {
        if (!in_) {
            throw InputError(fmt::format("cannot read {}", path.string()));
        }
        skip_byte_order_mark(in_, path);
    }

    std::ifstream in_;
};

// ---- TOML: a prelude with [defaults], then [[site]] blocks parsed one by one.

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
            return toml::parse(text, path().string());
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

// ---- CSV (RFC 4180): a header row naming the columns, then a site a row.

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
            const std::string cell(trim(cells[i]));
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
    static std::string_view trim(std::string_view text) {
        const auto first = text.find_first_not_of(" \t\r");
        if (first == std::string_view::npos) {
            return {};
        }
        const auto last = text.find_last_not_of(" \t\r");
        return text.substr(first, last - first + 1);
    }

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
            const std::string name = to_lower(trim(cell));
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

    // One record; quoted cells may hold commas, quotes ("") and line breaks.
    // Blank lines and lines starting with '#' are skipped.
    bool read_record(std::vector<std::string>& cells, std::size_t& start,
                     std::vector<SitesProblem>& problems) {
        cells.clear();
        std::string line;
        while (std::getline(in_, line)) {
            ++line_no_;
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            if (trim(line).empty() || line.front() == '#') {
                continue;
            }
            start = line_no_;
            std::string cell;
            bool quoted = false;
            std::size_t i = 0;
            for (;;) {
                if (i == line.size()) {
                    if (!quoted) {
                        break;
                    }
                    if (!std::getline(in_, line)) {
                        problems.push_back({start, 0, "a quoted cell is not closed"});
                        break;
                    }
                    ++line_no_;
                    if (!line.empty() && line.back() == '\r') {
                        line.pop_back();
                    }
                    cell += '\n';
                    i = 0;
                    continue;
                }
                const char c = line[i++];
                if (quoted) {
                    if (c == '"' && i < line.size() && line[i] == '"') {
                        cell += '"';
                        ++i;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        cell += c;
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    cells.push_back(std::move(cell));
                    cell.clear();
                } else {
                    cell += c;
                }
            }
            cells.push_back(std::move(cell));
            return true;
        }
        return false;
    }

    std::size_t line_no_ = 0;
    bool header_read_ = false;
    std::vector<const SiteField*> columns_;
};

} // namespace

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
    const std::string extension = to_lower(path.extension().string());
    if (extension == ".toml") {
        return std::make_unique<TomlSitesReader>(path);
    }
    if (extension == ".csv") {
        return std::make_unique<CsvSitesReader>(path);
    }
    throw InputError(fmt::format("{}: a sites file is TOML (.toml) or CSV (.csv)", path.string()));
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
        return fmt::format("{}:{}; no site was touched", path.string(),
                           problem_text(problems.front()));
    }
    return fmt::format("{}: {} problems, listed on standard output; no site was touched (first: "
                       "{})",
                       path.string(), problems.size(), problem_text(problems.front()));
}

} // namespace

SitesFileError::SitesFileError(fs::path path, std::vector<SitesProblem> problems)
    : InputError(sites_error_line(path, problems)), path_(std::move(path)),
      problems_(std::move(problems)) {}

std::string format_problems(const fs::path& path, const std::vector<SitesProblem>& problems,
                            std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < problems.size() && i < limit; ++i) {
        out += fmt::format("{}:{}\n", path.string(), problem_text(problems[i]));
    }
    if (problems.size() > limit) {
        out += fmt::format("... and {} more\n", problems.size() - limit);
    }
    return out;
}

} // namespace certforge
