// SPDX-License-Identifier: Apache-2.0
// The raw libraries' single-thread RSA key generation rate (mean over N
// keys, no certforge code): the limit a batch can reach is this rate times
// the cores. Prints "openssl <keys/s>" and "botan <keys/s>" lines.
// Usage: certforge_raw_keygen_rate [--bits 2048] [--keys 100]
#include "raw_keygen.hpp"

#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#if CERTFORGE_HAVE_BOTAN
#include <botan/auto_rng.h>
#endif

namespace {

template <class F> double keys_per_second(int keys, F&& make_key) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < keys; ++i) {
        make_key();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return keys / seconds;
}

} // namespace

int main(int argc, char** argv) {
    unsigned bits = 2048;
    int keys = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--bits") {
            bits = static_cast<unsigned>(std::strtoul(argv[i + 1], nullptr, 10));
        } else if (option == "--keys") {
            keys = std::max(1, std::atoi(argv[i + 1]));
        }
    }
#if CERTFORGE_HAVE_OPENSSL
    fmt::print("openssl {:.3f}\n",
               keys_per_second(keys, [&] { certforge::bench::raw_openssl_rsa_key(bits); }));
#endif
#if CERTFORGE_HAVE_BOTAN
    Botan::AutoSeeded_RNG rng;
    fmt::print("botan {:.3f}\n",
               keys_per_second(keys, [&] { certforge::bench::raw_botan_rsa_key(rng, bits); }));
#endif
    return 0;
}
