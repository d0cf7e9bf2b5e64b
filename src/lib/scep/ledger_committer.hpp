// SPDX-License-Identifier: Apache-2.0
// Group commit for the SCEP server: request threads hand their decisions
// to one thread that commits whatever has queued up in one ledger
// transaction (one fsync), then wakes each of them with its own result.
// Nothing is answered before it is durable in the ledger.
#pragma once

#include "certforge/ca_ledger.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

namespace certforge::scep {

class LedgerCommitter {
public:
    // Opens its own connection to the ledger of `ca_dir`.
    explicit LedgerCommitter(const std::filesystem::path& ca_dir);
    // Commits what is queued, then stops.
    ~LedgerCommitter();
    LedgerCommitter(const LedgerCommitter&) = delete;
    LedgerCommitter& operator=(const LedgerCommitter&) = delete;

    // Blocks until `decision` is committed (CaLedger::commit_scep) and
    // returns its result; rethrows what the ledger threw for it.
    ScepCommitResult commit(ScepDecision decision);

    // How many transactions and decisions were committed (for the log).
    std::size_t transactions() const;
    std::size_t decisions() const;

private:
    struct Item {
        ScepDecision decision;
        std::promise<ScepCommitResult> result;
    };
    void run();
    void commit_batch(std::deque<Item>& batch);

    CaLedger ledger_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::size_t transactions_ = 0;
    std::size_t decisions_ = 0;
    std::thread thread_;
};

} // namespace certforge::scep
