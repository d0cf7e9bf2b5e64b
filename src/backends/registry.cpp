// SPDX-License-Identifier: Apache-2.0
#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

#if CERTFORGE_HAVE_OPENSSL
#include "openssl/openssl_factory.hpp"
#endif
#if CERTFORGE_HAVE_BOTAN
#include "botan/botan_factory.hpp"
#endif

namespace certforge {
namespace {

struct BackendEntry {
    std::string_view name;
    std::unique_ptr<Backend> (*make)();
};

const std::vector<BackendEntry>& entries() {
    static const std::vector<BackendEntry> built {
#if CERTFORGE_HAVE_OPENSSL
        {"openssl", make_openssl_backend},
#endif
#if CERTFORGE_HAVE_BOTAN
            {"botan", make_botan_backend},
#endif
    };
    return built;
}

} // namespace

std::string_view default_backend_name() {
    constexpr std::string_view configured = CERTFORGE_DEFAULT_BACKEND;
    return configured.empty() ? entries().front().name : configured;
}

std::vector<std::string_view> built_backends() {
    std::vector<std::string_view> names{default_backend_name()};
    for (const auto& entry : entries()) {
        if (entry.name != names.front()) {
            names.push_back(entry.name);
        }
    }
    return names;
}

std::unique_ptr<Backend> make_backend(std::string_view name) {
    const std::string_view wanted = name.empty() ? default_backend_name() : name;
    for (const auto& entry : entries()) {
        if (entry.name == wanted) {
            return entry.make();
        }
    }
    if (wanted == "openssl" || wanted == "botan") {
        std::string option(wanted);
        std::transform(option.begin(), option.end(), option.begin(),
                       [](char c) { return static_cast<char>(std::toupper(c)); });
        throw UsageError(fmt::format("backend '{}' is not in this build (it was configured with "
                                     "CERTFORGE_WITH_{}=OFF); this build has {}",
                                     wanted, option, fmt::join(built_backends(), ", ")));
    }
    throw UsageError(fmt::format("unknown backend '{}': this build has {}", wanted,
                                 fmt::join(built_backends(), ", ")));
}

} // namespace certforge
