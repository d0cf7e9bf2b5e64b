// SPDX-License-Identifier: Apache-2.0
// A fixed pool of threads, each with its own state (a backend and a codec:
// neither Botan's RNG nor the codecs are shared between threads). Tasks run
// in submission order as threads free up; results come back as futures.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace certforge::detail {

template <class State, class Result> class WorkerPool {
public:
    using Task = std::packaged_task<Result(State&)>;

    // The states are made here, on the calling thread, so that a failure
    // to make one is an exception for the caller.
    WorkerPool(unsigned threads, const std::function<State()>& make_state) {
        std::vector<State> states;
        for (unsigned i = 0; i < threads; ++i) {
            states.push_back(make_state());
        }
        try {
            for (auto& state : states) {
                threads_.emplace_back([this, state = std::move(state)]() mutable { work(state); });
            }
        } catch (...) {
            stop();
            throw;
        }
    }

    ~WorkerPool() { stop(); }

    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    std::future<Result> submit(std::function<Result(State&)> job) {
        Task task(std::move(job));
        auto future = task.get_future();
        {
            std::lock_guard lock(mutex_);
            tasks_.push_back(std::move(task));
        }
        ready_.notify_one();
        return future;
    }

private:
    // Lets the threads finish the queued tasks, then joins them.
    void stop() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        for (auto& thread : threads_) {
            if (thread.joinable()) {
                thread.join();
            }
        }
    }

    void work(State& state) {
        for (;;) {
            Task task;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
                if (tasks_.empty()) {
                    return;
                }
                task = std::move(tasks_.front());
                tasks_.pop_front();
            }
            task(state);
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Task> tasks_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace certforge::detail
