// SPDX-License-Identifier: Apache-2.0
#include "csv_records.hpp"

namespace certforge::detail {

std::string_view trim_blanks(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r");
    return text.substr(first, last - first + 1);
}

bool CsvRecords::next_line(std::string& line) {
    if (!std::getline(in_, line)) {
        return false;
    }
    ++line_no_;
    if (!line.empty() && line.back() == '\r') {
        line.pop_back();
    }
    return true;
}

bool CsvRecords::next(std::vector<std::string>& cells, std::size_t& start, std::string& problem) {
    cells.clear();
    problem.clear();
    std::string line;
    while (next_line(line)) {
        if (trim_blanks(line).empty() || line.front() == '#') {
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
                if (!next_line(line)) {
                    problem = "a quoted cell is not closed";
                    break;
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

} // namespace certforge::detail
