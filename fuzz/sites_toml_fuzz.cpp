// SPDX-License-Identifier: Apache-2.0
// A TOML sites file as `certforge batch` reads it; see sites_fuzz.hpp.
#include "sites_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    certforge::fuzz::read_sites("sites.toml", data, size);
    return 0;
}
