// SPDX-License-Identifier: Apache-2.0
// Internal: the records of an RFC 4180 CSV text, as the sites file and the
// fleet's targets file read them.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace certforge::detail {

class CsvRecords {
public:
    explicit CsvRecords(std::istream& in) : in_(in) {}

    // The next record's cells; quoted cells may hold commas, quotes ("")
    // and line breaks. Blank lines and lines starting with '#' are skipped.
    // `start` is the record's first line. False at the end. A quoted cell
    // left open at the end sets `problem` and still gives the record.
    bool next(std::vector<std::string>& cells, std::size_t& start, std::string& problem);

private:
    bool next_line(std::string& line);

    std::istream& in_;
    std::size_t line_no_ = 0;
};

// `text` without leading and trailing blanks (space, tab, CR).
std::string_view trim_blanks(std::string_view text);

} // namespace certforge::detail
