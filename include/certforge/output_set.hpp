// Writes a set of files into one folder all or nothing: each file goes to a
// temporary name first (created exclusively, with its final mode), and only
// when all are written are they renamed into place, in the order they were
// added. Existing files are refused
// unless `force`; a failed commit removes what it wrote and puts back what it
// replaced.
#pragma once

#include "certforge/bytes.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace certforge {

enum class FileMode : unsigned { public_file = 0644, private_file = 0600 };

class OutputSet {
public:
    OutputSet(std::filesystem::path dir, bool force);
    ~OutputSet();
    OutputSet(const OutputSet&) = delete;
    OutputSet& operator=(const OutputSet&) = delete;

    void add(std::string name, ByteView content, FileMode mode);
    void add(std::string name, std::string_view content, FileMode mode) {
        add(std::move(name), as_bytes(content), mode);
    }

    // Throws InputError naming the files that exist already (before anything
    // is written) and InternalError when the file system fails.
    std::vector<std::filesystem::path> commit();

    const std::filesystem::path& dir() const noexcept { return dir_; }

    // Throws the InputError that commit() would throw if these names existed
    // in `dir` already; lets a command refuse before it does expensive work.
    static void refuse_existing(const std::filesystem::path& dir,
                                const std::vector<std::string>& names, bool force);

private:
    struct Pending {
        std::string name;
        SecureBytes content;
        FileMode mode;
    };
    std::filesystem::path dir_;
    bool force_;
    std::vector<Pending> files_;
};

// Cleans up after an OutputSet::commit that was killed in `dir`: a backup of
// a replaced file goes back to its name when that name is empty, every other
// temporary file (names with ".certforge-tmp-") is removed. Returns how many
// files it removed or restored.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir);

// The folder a file of that path is written into: "." for a bare name.
std::filesystem::path folder_of(const std::filesystem::path& file);

// The largest file certforge reads whole (a certificate with 100,000 names
// is about 3 MiB), so that /dev/zero or a mistaken disk image cannot eat
// memory.
inline constexpr std::size_t kMaxInputFileBytes = std::size_t{64} << 20;

// Whole-file read. Throws InputError naming the path when it cannot be read
// or is larger than kMaxInputFileBytes.
std::string read_file(const std::filesystem::path& path);
SecureString read_secret_file(const std::filesystem::path& path);

} // namespace certforge
