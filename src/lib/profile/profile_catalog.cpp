// SPDX-License-Identifier: Apache-2.0
#include "certforge/profile_catalog.hpp"

#include "certforge/algorithms.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/text.hpp"
#include "lib/common/test_hooks.hpp"
#include "lib/platform/files.hpp"
#include "lib/platform/process.hpp"
#include "profile_layer.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <set>

namespace certforge {
namespace fs = std::filesystem;
namespace {

// Host (Terminal Server OS) profiles live in this subfolder of each folder.
constexpr const char* kHostsFolder = "hosts";

bool looks_like_path(std::string_view name) {
    constexpr char separator = fs::path::preferred_separator;
    return name.find('/') != std::string_view::npos ||
           (separator != '/' && name.find(separator) != std::string_view::npos) ||
           name.ends_with(".toml");
}

} // namespace

ProfileCatalog::ProfileCatalog(std::vector<fs::path> search_dirs) : dirs_(std::move(search_dirs)) {}

fs::path ProfileCatalog::shipped_profiles_dir() {
    std::vector<fs::path> candidates = platform::shipped_profiles_candidates();
#ifdef CERTFORGE_SOURCE_PROFILES_DIR
    candidates.emplace_back(CERTFORGE_SOURCE_PROFILES_DIR);
#endif
    for (const auto& candidate : candidates) {
        std::error_code ec;
        if (fs::is_directory(candidate, ec)) {
            return candidate;
        }
    }
    return {};
}

fs::path ProfileCatalog::system_profiles_dir() {
    // Test hook: tests cannot write to /etc.
    if (const char* dir = detail::test_hook("CERTFORGE_TEST_SYSTEM_PROFILES_DIR")) {
        return dir;
    }
    return platform::admin_profiles_dir();
}

ProfileCatalog ProfileCatalog::from_environment() {
    std::vector<fs::path> dirs;
    if (const auto list = platform::environment_variable("CERTFORGE_PROFILE_PATH")) {
        for (const auto& part : split(*list, platform::path_list_separator())) {
            dirs.push_back(utf8_path(part));
        }
    }
    if (fs::path system = system_profiles_dir(); !system.empty()) {
        std::error_code ec;
        if (fs::is_directory(system, ec)) {
            dirs.push_back(std::move(system));
        }
    }
    if (fs::path shipped = shipped_profiles_dir(); !shipped.empty()) {
        dirs.push_back(std::move(shipped));
    }
    return ProfileCatalog(std::move(dirs));
}

std::vector<CatalogEntry> ProfileCatalog::entries() const {
    std::vector<CatalogEntry> out;
    std::set<std::string> seen;
    for (const auto& dir : dirs_) {
        std::error_code ec;
        std::vector<fs::path> files;
        for (const auto& folder : {dir, dir / kHostsFolder}) {
            for (const auto& entry : fs::directory_iterator(folder, ec)) {
                if (entry.path().extension() == ".toml" && entry.is_regular_file(ec)) {
                    files.push_back(entry.path());
                }
            }
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            if (seen.insert(path_text(file.stem())).second) {
                out.push_back({path_text(file.stem()), file});
            }
        }
    }
    std::sort(out.begin(), out.end(),
              [](const CatalogEntry& a, const CatalogEntry& b) { return a.id < b.id; });
    return out;
}

std::vector<fs::path> ProfileCatalog::find_all(std::string_view id) const {
    std::vector<fs::path> found;
    for (const auto& dir : dirs_) {
        for (const auto& candidate : {dir / (std::string(id) + ".toml"),
                                      dir / kHostsFolder / (std::string(id) + ".toml")}) {
            std::error_code ec;
            if (fs::is_regular_file(candidate, ec)) {
                found.push_back(candidate);
            }
        }
    }
    return found;
}

fs::path ProfileCatalog::find(std::string_view id) const {
    auto found = find_all(id);
    return found.empty() ? fs::path() : std::move(found.front());
}

Profile ProfileCatalog::load(std::string_view name_or_path) const {
    if (looks_like_path(name_or_path)) {
        return load_file(utf8_path(name_or_path));
    }
    const auto files = find_all(name_or_path);
    if (files.empty()) {
        std::vector<std::string> ids;
        for (const auto& entry : entries()) {
            ids.push_back(entry.id);
        }
        const auto close = closest_names(name_or_path, ids);
        std::string hint = close.empty()
                               ? std::string(" (certforge profiles list shows them all)")
                               : fmt::format("; did you mean: {}?", fmt::join(close, ", "));
        throw InputError(fmt::format("unknown profile '{}'{}", name_or_path, hint));
    }
    Profile profile = load_file(files.front());
    profile.overrides.assign(files.begin() + 1, files.end());
    return profile;
}

namespace {

// A profile file and the files it extends, nearest first: their layers and
// the ids of the parents.
struct Chain {
    std::vector<detail::ProfileLayer> layers;
    std::vector<std::string> parents;
};

[[noreturn]] void fail_at(const detail::SourcePos& pos, const std::string& message) {
    throw ProfileError(pos.file, pos.line, pos.column, message);
}

// The file of `parent`, which the profile `current` extends: next to it, else
// along the search path. Throws at `pos` naming the closest known ids.
fs::path parent_file(const ProfileCatalog& catalog, const fs::path& current,
                     const std::string& parent, const detail::SourcePos& pos) {
    std::error_code ec;
    fs::path file = current.parent_path() / (parent + ".toml");
    if (!fs::is_regular_file(file, ec)) {
        file = catalog.find(parent);
    }
    if (file.empty()) {
        std::vector<std::string> ids;
        for (const auto& entry : catalog.entries()) {
            ids.push_back(entry.id);
        }
        const auto close = closest_names(parent, ids);
        fail_at(pos, fmt::format("extends '{}': no such profile{}", parent,
                                 close.empty() ? std::string()
                                               : fmt::format(" (did you mean: {}?)",
                                                             fmt::join(close, ", "))));
    }
    return file;
}

Chain read_chain(const ProfileCatalog& catalog, const fs::path& file) {
    Chain chain{{detail::parse_profile_layer(file)}, {}};
    std::vector<std::string> visiting{path_text(file.stem())};
    fs::path current = file;
    while (true) {
        const auto extends = chain.layers.back().find("extends");
        if (extends == chain.layers.back().end()) {
            return chain;
        }
        const std::string parent = std::get<std::string>(extends->second.value);
        const auto& pos = extends->second.pos;
        const bool cycle = std::find(visiting.begin(), visiting.end(), parent) != visiting.end();
        visiting.push_back(parent);
        if (cycle) {
            fail_at(pos, fmt::format("extends cycle: {}", fmt::join(visiting, " -> ")));
        }
        current = parent_file(catalog, current, parent, pos);
        chain.parents.push_back(parent);
        chain.layers.push_back(detail::parse_profile_layer(current));
    }
}

bool says_legacy(const detail::ProfileLayer& layer) {
    const auto it = layer.find("legacy");
    return it != layer.end() && std::get<bool>(it->second.value);
}

// Legacy is never inherited silently: each profile below a legacy one says
// legacy = true itself.
void check_legacy_inheritance(const Chain& chain) {
    const auto& layers = chain.layers;
    for (std::size_t child = 0; child + 1 < layers.size(); ++child) {
        if (says_legacy(layers[child])) {
            continue;
        }
        for (std::size_t ancestor = child + 1; ancestor < layers.size(); ++ancestor) {
            if (says_legacy(layers[ancestor])) {
                fail_at(layers[child].at("extends").pos,
                        fmt::format("extends legacy profile '{}': a profile that extends a "
                                    "legacy profile must say legacy = true itself",
                                    chain.parents[ancestor - 1]));
            }
        }
    }
}

// The farthest parent first, each nearer one over it; identity and
// inheritance belong to the file itself.
detail::ProfileLayer merge_layers(const Chain& chain) {
    detail::ProfileLayer merged;
    for (auto it = chain.layers.rbegin(); it != chain.layers.rend(); ++it) {
        for (const auto& [key, value] : *it) {
            merged[key] = value;
        }
    }
    const auto& own_layer = chain.layers.front();
    for (const char* own : {"id", "name", "extends"}) {
        merged.erase(own);
        if (auto it = own_layer.find(own); it != own_layer.end()) {
            merged[own] = it->second;
        }
    }
    return merged;
}

} // namespace

Profile ProfileCatalog::load_file(const fs::path& file) const {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        throw InputError(fmt::format("{}: no such profile file", path_text(file)));
    }
    if (!platform::readable(file)) {
        throw InputError(fmt::format("{}: cannot read the profile file", path_text(file)));
    }
    Chain chain = read_chain(*this, file);
    check_legacy_inheritance(chain);
    return detail::build_profile(merge_layers(chain), file, std::move(chain.parents));
}

Pkcs12Encryption server_pfx_encryption(const ProfileCatalog& catalog, const std::string& server_os,
                                       const std::string& requested) {
    if (server_os.empty()) {
        return requested.empty() ? Pkcs12Encryption::triple_des
                                 : pkcs12_encryption_from_name(requested);
    }
    const Profile host = catalog.load(server_os);
    if (host.kind != ProfileKind::host) {
        throw UsageError(fmt::format("'{}' is a device profile; --server-os (server_os in a sites "
                                     "file) takes a host profile "
                                     "(certforge profiles list --kind host)",
                                     host.id));
    }
    const auto& accepted = host.import.pkcs12_encryption;
    if (requested.empty()) {
        return accepted.front();
    }
    const Pkcs12Encryption wanted = pkcs12_encryption_from_name(requested);
    if (std::find(accepted.begin(), accepted.end(), wanted) == accepted.end()) {
        std::vector<std::string_view> names;
        for (auto e : accepted) {
            names.push_back(to_string(e));
        }
        throw InputError(
            fmt::format("{} does not import PFX files encrypted with {} (it imports {})",
                        host.host.os, requested, fmt::join(names, ", ")));
    }
    return wanted;
}

} // namespace certforge
