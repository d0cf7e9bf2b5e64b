// SPDX-License-Identifier: Apache-2.0
#include "certforge/version.hpp"

#include "lib/common/test_hooks.hpp"

namespace certforge {

std::string_view version() {
    // Test hook: the golden outputs (files that record the version, such as
    // ca.json and the bundle's README) stay the same from commit to commit.
    if (const char* fixed = detail::test_hook("CERTFORGE_TEST_VERSION")) {
        return fixed;
    }
    return CERTFORGE_VERSION;
}

} // namespace certforge
