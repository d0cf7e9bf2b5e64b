// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "certforge/text.hpp"
#include "lib/common/csv_records.hpp"

#include <charconv>
#include <fmt/format.h>
#include <map>
#include <sstream>
#include <toml++/toml.h>

namespace certforge {
namespace {

namespace fs = std::filesystem;

constexpr const char* kColumns = "id, address, sni, profile";

// The targets of one file, with the checks every format shares.
class TargetList {
public:
    explicit TargetList(const fs::path& file) : source_(path_text(file)) {}

    [[noreturn]] void fail(std::size_t line, std::string_view message) const {
        throw InputError(fmt::format("{}:{}: {}", source_, line, message));
    }

    void add(std::size_t line, std::string_view address, std::string id, std::string sni,
             std::string profile) {
        if (address.empty()) {
            fail(line, "no address (HOST[:PORT])");
        }
        FleetTarget target;
        try {
            target.target = parse_probe_address(address);
        } catch (const UsageError& e) {
            fail(line, e.what());
        }
        target.id = id.empty()
                        ? fmt::format("{}:{}", address_text(target.target), target.target.port)
                        : std::move(id);
        if (has_control_characters(target.id)) {
            fail(line, "the name has a control character");
        }
        target.target.sni = std::move(sni);
        target.profile = std::move(profile);
        target.line = line;
        if (const auto [at, fresh] = lines_.emplace(target.id, line); !fresh) {
            fail(line, fmt::format("'{}' is listed twice (first on line {})", excerpt(target.id),
                                   at->second));
        }
        if (targets_.size() == kMaxFleetTargets) {
            fail(line, fmt::format("more than {} targets: split the file", kMaxFleetTargets));
        }
        targets_.push_back(std::move(target));
    }

    std::vector<FleetTarget> take() {
        if (targets_.empty()) {
            throw InputError(fmt::format("{}: no target in the file", source_));
        }
        return std::move(targets_);
    }

private:
    static std::string address_text(const ProbeTarget& target) {
        return target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
    }

    std::string source_;
    std::vector<FleetTarget> targets_;
    std::map<std::string, std::size_t> lines_;
};

void read_list(const std::string& text, TargetList& list) {
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::vector<std::string> words;
        std::istringstream fields(line);
        for (std::string word; fields >> word;) {
            words.push_back(word);
        }
        if (words.empty()) {
            continue;
        }
        if (words.size() > 2) {
            list.fail(number, "expected HOST[:PORT] [NAME]; a name has no blanks");
        }
        list.add(number, words[0], words.size() == 2 ? words[1] : "", "", "");
    }
}

void read_csv(const std::string& text, TargetList& list) {
    std::istringstream in(text);
    detail::CsvRecords records(in);
    std::vector<std::string> cells;
    std::size_t start = 0;
    std::string problem;
    if (!records.next(cells, start, problem)) {
        list.fail(1,
                  fmt::format("the file is empty: the first row names the columns ({})", kColumns));
    }
    std::map<std::string, std::size_t> columns;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string name = to_lower(detail::trim_blanks(cells[i]));
        if (name != "id" && name != "address" && name != "sni" && name != "profile") {
            list.fail(start,
                      fmt::format("unknown column '{}' (known: {})", excerpt(name), kColumns));
        }
        if (!columns.emplace(name, i).second) {
            list.fail(start, fmt::format("column '{}' appears twice", excerpt(name)));
        }
    }
    if (!columns.contains("address")) {
        list.fail(start, "no 'address' column");
    }
    while (records.next(cells, start, problem)) {
        if (!problem.empty()) {
            list.fail(start, problem);
        }
        if (cells.size() > columns.size()) {
            list.fail(start, fmt::format("{} cells, but the header names {} columns", cells.size(),
                                         columns.size()));
        }
        auto cell = [&](const char* name) {
            const auto at = columns.find(name);
            return at == columns.end() || at->second >= cells.size()
                       ? std::string()
                       : std::string(detail::trim_blanks(cells[at->second]));
        };
        list.add(start, cell("address"), cell("id"), cell("sni"), cell("profile"));
    }
}

void read_toml(const std::string& text, const std::string& source, TargetList& list) {
    toml::table root;
    try {
        root = toml::parse(text, source);
    } catch (const toml::parse_error& e) {
        list.fail(e.source().begin.line, e.description());
    }
    for (const auto& [key, value] : root) {
        if (key.str() != "device") {
            list.fail(value.source().begin.line,
                      fmt::format("unknown key '{}': devices go in [[device]] tables",
                                  excerpt(key.str())));
        }
    }
    const toml::array* devices = root["device"].as_array();
    if (devices == nullptr) {
        if (root.contains("device")) {
            list.fail(root["device"].node()->source().begin.line,
                      "'device' must be [[device]] tables");
        }
        return;
    }
    for (const auto& node : *devices) {
        const toml::table* device = node.as_table();
        const std::size_t line = node.source().begin.line;
        if (device == nullptr) {
            list.fail(line, "'device' must be [[device]] tables");
        }
        std::map<std::string, std::string> fields;
        for (const auto& [key, value] : *device) {
            const std::string name(key.str());
            if (name != "id" && name != "address" && name != "sni" && name != "profile") {
                list.fail(value.source().begin.line,
                          fmt::format("unknown key '{}' (known: {})", excerpt(name), kColumns));
            }
            const auto* text_value = value.as_string();
            if (text_value == nullptr) {
                list.fail(value.source().begin.line, fmt::format("'{}' must be a string", name));
            }
            fields[name] = text_value->get();
        }
        list.add(line, fields["address"], fields["id"], fields["sni"], fields["profile"]);
    }
}

} // namespace

ProbeTarget parse_probe_address(std::string_view text) {
    ProbeTarget target;
    const std::string quoted = excerpt(text);
    std::string_view port = "443";
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos) {
            throw UsageError(
                fmt::format("'{}': an IPv6 address goes in brackets: [::1]:443", quoted));
        }
        target.host = std::string(text.substr(1, close - 1));
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') {
                throw UsageError(fmt::format("'{}' is not HOST:PORT", quoted));
            }
            port = text.substr(close + 2);
        }
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        if (text.find(':') != colon) {
            throw UsageError(
                fmt::format("'{}': put an IPv6 address in brackets: [{}]:443", quoted, quoted));
        }
        target.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    } else {
        target.host = std::string(text);
    }
    unsigned number = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (error != std::errc() || end != port.data() + port.size() || number == 0 || number > 65535) {
        throw UsageError(fmt::format("'{}' is not a port number", excerpt(port)));
    }
    if (target.host.empty()) {
        throw UsageError("name the host to probe: HOST:PORT");
    }
    target.port = static_cast<std::uint16_t>(number);
    return target;
}

std::vector<FleetTarget> read_fleet_targets(const fs::path& file) {
    const std::string text = read_file(file);
    TargetList list(file);
    const std::string extension = to_lower(path_text(file.extension()));
    if (extension == ".csv") {
        read_csv(text, list);
    } else if (extension == ".toml") {
        read_toml(text, path_text(file), list);
    } else {
        read_list(text, list);
    }
    return list.take();
}

} // namespace certforge
