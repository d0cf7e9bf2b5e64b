// SPDX-License-Identifier: Apache-2.0
#include "lib/common/test_hooks.hpp"

#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace certforge::detail {

const char* test_hook([[maybe_unused]] const char* name) noexcept {
#if defined(CERTFORGE_TEST_HOOKS)
    return std::getenv(name);
#else
    return nullptr;
#endif
}

std::optional<std::string> fixed_random_seed() {
    const char* seed = test_hook("CERTFORGE_TEST_FIXED_RANDOM");
    if (seed == nullptr) {
        return std::nullopt;
    }
    static std::once_flag announced;
    std::call_once(announced, [] {
        std::fputs("certforge: warning: CERTFORGE_TEST_FIXED_RANDOM is set: every random number "
                   "is a fixed sequence (test build only)\n",
                   stderr);
    });
    return std::string(seed);
}

} // namespace certforge::detail
