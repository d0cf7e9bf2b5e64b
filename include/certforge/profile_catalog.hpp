// SPDX-License-Identifier: Apache-2.0
// Finding and loading profiles: by name along a search path, or by file.
#pragma once

#include "certforge/algorithms.hpp"
#include "certforge/profile.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace certforge {

struct CatalogEntry {
    std::string id;
    std::filesystem::path file;
};

class ProfileCatalog {
public:
    // Searches the folders in order, each with its hosts/ subfolder; the
    // first file named ID.toml wins.
    explicit ProfileCatalog(std::vector<std::filesystem::path> search_dirs);

    // $CERTFORGE_PROFILE_PATH (colon-separated), then the admin's own
    // profiles (system_profiles_dir(), /etc/certforge/profiles), then the
    // shipped ones (shipped_profiles_dir()).
    static ProfileCatalog from_environment();

    // The admin's profiles folder: SYSCONFDIR/certforge/profiles (/etc for
    // an install into /usr), whether or not it exists.
    static std::filesystem::path system_profiles_dir();

    // The shipped profiles folder that this binary finds, or empty: next to
    // the executable (PREFIX/share/certforge/profiles for PREFIX/bin), else
    // the installed data folder; a development build (CERTFORGE_BUILD_TREE_
    // PROFILES) also looks in the source tree it was built from.
    static std::filesystem::path shipped_profiles_dir();

    const std::vector<std::filesystem::path>& search_dirs() const noexcept { return dirs_; }

    // Every profile id found, sorted, each with the file that wins.
    std::vector<CatalogEntry> entries() const;

    // Every file named ID.toml along the search path, the winner first.
    std::vector<std::filesystem::path> find_all(std::string_view id) const;

    // Loads a profile by id, or by path when `name_or_path` contains a '/' or
    // ends in ".toml". Resolves `extends` along the same search path. Throws
    // ProfileError for an invalid profile, InputError for an unknown name
    // (naming the closest known ids).
    Profile load(std::string_view name_or_path) const;

    // Loads one file (used by load and by lint).
    Profile load_file(const std::filesystem::path& file) const;

    // Path of the profile with this id, or empty.
    std::filesystem::path find(std::string_view id) const;

private:
    std::vector<std::filesystem::path> dirs_;
};

// The PFX encryption for the Terminal Server: `requested` ("aes", "3des",
// "rc2"; empty: not given) checked against the host profile `server_os`
// (empty: none), else the host's first choice, else 3DES. Throws UsageError
// when server_os is not a host profile, InputError when the host does not
// import the requested encryption.
Pkcs12Encryption server_pfx_encryption(const ProfileCatalog& catalog, const std::string& server_os,
                                       const std::string& requested);

} // namespace certforge
