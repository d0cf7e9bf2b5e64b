// SPDX-License-Identifier: Apache-2.0
#include "ledger_committer.hpp"

#include <ctime>

namespace certforge::scep {

LedgerCommitter::LedgerCommitter(const std::filesystem::path& ca_dir)
    : ledger_(ca_dir), thread_([this] { run(); }) {}

LedgerCommitter::~LedgerCommitter() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

ScepCommitResult LedgerCommitter::commit(ScepDecision decision) {
    std::future<ScepCommitResult> result;
    {
        const std::lock_guard lock(mutex_);
        queue_.push_back(Item{std::move(decision), {}});
        result = queue_.back().result.get_future();
    }
    wake_.notify_one();
    return result.get();
}

std::size_t LedgerCommitter::transactions() const {
    const std::lock_guard lock(mutex_);
    return transactions_;
}

std::size_t LedgerCommitter::decisions() const {
    const std::lock_guard lock(mutex_);
    return decisions_;
}

void LedgerCommitter::run() {
    for (;;) {
        std::deque<Item> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;
            }
            batch.swap(queue_);
        }
        commit_batch(batch);
    }
}

// All at once; when that throws, each alone, so that one bad decision
// fails only its own request.
void LedgerCommitter::commit_batch(std::deque<Item>& batch) {
    const auto now = unix_now();
    std::vector<ScepDecision> decisions;
    decisions.reserve(batch.size());
    for (auto& item : batch) {
        decisions.push_back(std::move(item.decision));
    }
    try {
        const auto results = ledger_.commit_scep(decisions, now);
        {
            const std::lock_guard lock(mutex_);
            ++transactions_;
            decisions_ += batch.size();
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            batch[i].result.set_value(results[i]);
        }
        return;
    } catch (...) {
        if (batch.size() == 1) {
            batch.front().result.set_exception(std::current_exception());
            return;
        }
    }
    for (std::size_t i = 0; i < batch.size(); ++i) {
        auto& item = batch[i];
        try {
            const auto results = ledger_.commit_scep({decisions[i]}, now);
            {
                const std::lock_guard lock(mutex_);
                ++transactions_;
                ++decisions_;
            }
            item.result.set_value(results.front());
        } catch (...) {
            item.result.set_exception(std::current_exception());
        }
    }
}

} // namespace certforge::scep
