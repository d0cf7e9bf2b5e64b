// SPDX-License-Identifier: Apache-2.0
#include "certforge/folder_lock.hpp"

#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/signal_guard.hpp"
#include "lib/platform/files.hpp"
#include "lib/platform/process.hpp"

#include <fmt/format.h>
#include <thread>

namespace certforge {
namespace fs = std::filesystem;

namespace {

constexpr auto kRetryEvery = std::chrono::milliseconds{20};

} // namespace

struct FolderLock::Held {
    // Declared in this order so that the lock goes before the folder.
    platform::Folder folder;
    std::unique_ptr<platform::LockFile> file;

    Held(const fs::path& dir, bool follow_link) : folder(dir, follow_link) {}
};

FolderLock::FolderLock(const fs::path& dir, std::chrono::milliseconds wait, bool follow_link) {
    auto held = std::make_unique<Held>(dir, follow_link);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
        auto file = std::make_unique<platform::LockFile>(held->folder, kFolderLockFile);
        const auto attempt = file->try_lock();
        if (attempt == platform::LockFile::Attempt::stale) {
            continue; // its holder removed it as it let go
        }
        if (attempt == platform::LockFile::Attempt::locked) {
            file->set_owner(platform::current_pid());
            held->file = std::move(file);
            held_ = std::move(held);
            return;
        }
        if (std::chrono::steady_clock::now() >= deadline || SignalGuard::interrupted()) {
            const long pid = file->owner();
            throw InputError(fmt::format("folder {} is in use by another certforge{}",
                                         path_text(dir),
                                         pid > 0 ? fmt::format(" (pid {})", pid) : ""));
        }
        std::this_thread::sleep_for(kRetryEvery);
    }
}

FolderLock::~FolderLock() = default;

const platform::Folder& FolderLock::folder() const noexcept {
    return held_->folder;
}

const fs::path& FolderLock::path() const noexcept {
    return held_->folder.path();
}

} // namespace certforge
