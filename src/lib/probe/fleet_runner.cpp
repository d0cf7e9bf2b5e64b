// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/fleet.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace certforge {
namespace {

using Clock = std::chrono::steady_clock;

// The run's shared state: the next target to take and the counts the
// progress line shows. Each worker writes only its own devices' slots.
struct Run {
    const std::vector<FleetTarget>& targets;
    const TlsProber& prober;
    const FleetRunOptions& options;
    std::vector<FleetDevice>& devices;
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next = 0;
    FleetProgress progress;
    std::exception_ptr failure; // an internal error ends the run

    // The next target's index, or nothing when all are taken or the run failed.
    std::optional<std::size_t> take() {
        std::lock_guard lock(mutex);
        if (next == targets.size() || failure) {
            return std::nullopt;
        }
        ++progress.running;
        return next++;
    }

    void finish(const FleetDevice& device) {
        {
            std::lock_guard lock(mutex);
            --progress.running;
            ++progress.done;
            if (device.status == FleetStatus::unreachable) {
                ++progress.unreachable;
            }
        }
        changed.notify_all();
    }

    void fail(std::exception_ptr error) {
        {
            std::lock_guard lock(mutex);
            --progress.running;
            failure = failure ? failure : error;
        }
        changed.notify_all();
    }
};

FleetDevice probe_one(const FleetTarget& target, const Run& run) {
    FleetDevice device;
    device.target = target;
    ProbeTarget probe = target.target;
    probe.timeout_seconds = run.options.timeout_seconds;
    probe.max_seconds = run.options.max_seconds;
    const auto start = Clock::now();
    try {
        device.report = run.prober.probe(probe);
        device.status = device.report.speaks_tls ? FleetStatus::probed : FleetStatus::not_tls;
    } catch (const InputError& e) {
        device.status = FleetStatus::unreachable;
        device.error = e.what();
    }
    device.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return device;
}

void work(Run& run) {
    while (const auto index = run.take()) {
        try {
            run.devices[*index] = probe_one(run.targets[*index], run);
            run.finish(run.devices[*index]);
        } catch (...) {
            run.fail(std::current_exception());
        }
    }
}

} // namespace

std::vector<FleetDevice> probe_fleet(const std::vector<FleetTarget>& targets,
                                     const TlsProber& prober, const FleetRunOptions& options) {
    std::vector<FleetDevice> devices(targets.size());
    Run run{targets, prober, options, devices, {}, {}, 0, {}, nullptr};
    run.progress.total = targets.size();
    const auto workers =
        std::max<std::size_t>(1, std::min<std::size_t>(options.jobs, targets.size()));
    std::vector<std::thread> threads;
    threads.reserve(workers);
    try {
        for (std::size_t i = 0; i < workers; ++i) {
            threads.emplace_back([&run] { work(run); });
        }
    } catch (const std::system_error&) {
        // The system gave fewer threads than asked: the ones running do the work.
        if (threads.empty()) {
            throw;
        }
    }
    {
        std::unique_lock lock(run.mutex);
        const auto interval = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(options.progress_interval));
        auto shown = Clock::now();
        while (run.progress.done < targets.size() && !(run.failure && run.progress.running == 0)) {
            run.changed.wait_for(lock, interval);
            if (options.progress && Clock::now() - shown >= interval) {
                shown = Clock::now();
                const FleetProgress now = run.progress;
                lock.unlock();
                options.progress(now);
                lock.lock();
            }
        }
    }
    for (auto& thread : threads) {
        thread.join();
    }
    if (run.failure) {
        std::rethrow_exception(run.failure);
    }
    if (options.progress) {
        options.progress(run.progress);
    }
    return devices;
}

std::string_view to_string(FleetStatus status) {
    switch (status) {
    case FleetStatus::probed:
        return "probed";
    case FleetStatus::not_tls:
        return "not-tls";
    case FleetStatus::unreachable:
        break;
    }
    return "unreachable";
}

} // namespace certforge
