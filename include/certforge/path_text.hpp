// SPDX-License-Identifier: Apache-2.0
// Paths as UTF-8 text. certforge's text is UTF-8 everywhere (arguments, sites
// files, JSON, messages), but std::filesystem::path converts a std::string
// in the C library's code page on Windows, where mingw's msvcrt reads one
// byte per character: "složka" would name "sloÅ¾ka". Every path made from
// text goes through utf8_path, and every path shown or stored as text
// through path_text. On POSIX both keep the bytes as they are.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace certforge {

// The path that the UTF-8 `text` names.
std::filesystem::path utf8_path(std::string_view text);

// `path` as UTF-8 text.
std::string path_text(const std::filesystem::path& path);

} // namespace certforge
