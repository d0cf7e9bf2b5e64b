// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/path_text.hpp"
#include "lib/platform/system_error_text.hpp"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>

namespace certforge {
namespace fs = std::filesystem;
namespace {

template <class String> String read_whole(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        throw InputError(fmt::format("{}: is a folder, not a file", path_text(path)));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!fs::exists(path, ec)) {
            throw InputError(fmt::format("{}: no such file", path_text(path)));
        }
        throw InputError(fmt::format("{}: cannot read: {}", path_text(path), detail::errno_text()));
    }
    String out;
    char buffer[8192];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        out.append(buffer, static_cast<std::size_t>(in.gcount()));
        if (out.size() > kMaxInputFileBytes) {
            secure_wipe(buffer, sizeof buffer);
            throw InputError(fmt::format("{}: larger than {} MiB, which no certificate, key or "
                                         "keystore is",
                                         path_text(path), kMaxInputFileBytes >> 20));
        }
    }
    secure_wipe(buffer, sizeof buffer);
    if (in.bad()) {
        throw InputError(fmt::format("{}: read error", path_text(path)));
    }
    return out;
}

} // namespace

fs::path folder_of(const fs::path& file) {
    return file.parent_path().empty() ? fs::path(".") : file.parent_path();
}

std::string read_file(const fs::path& path) {
    return read_whole<std::string>(path);
}

SecureString read_secret_file(const fs::path& path) {
    return read_whole<SecureString>(path);
}

} // namespace certforge
