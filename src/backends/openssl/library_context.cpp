// SPDX-License-Identifier: Apache-2.0
// The fixed random sequence uses RAND_set_rand_method: deprecated in
// OpenSSL 3, but the one switch that reaches every generator of the process
// (key generation, PKCS#12 salts and IVs, serials).
#define OPENSSL_SUPPRESS_DEPRECATED

#include "library_context.hpp"

#include "certforge/errors.hpp"
#include "lib/common/test_hooks.hpp"
#include "openssl_error.hpp"

#include <array>
#include <cstring>
#include <mutex>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string>

namespace certforge::openssl {
namespace {

// SHA-256(seed || counter) blocks, handed out in order.
struct FixedStream {
    std::string seed;
    std::uint64_t counter = 0;
    std::array<unsigned char, 32> block{};
    std::size_t used = block.size();
    std::mutex mutex;

    bool fill(unsigned char* out, std::size_t count) {
        const std::lock_guard lock(mutex);
        while (count > 0) {
            if (used == block.size()) {
                std::string input = seed;
                input.append(reinterpret_cast<const char*>(&counter), sizeof counter);
                ++counter;
                unsigned int length = 0;
                if (EVP_Digest(input.data(), input.size(), block.data(), &length, EVP_sha256(),
                               nullptr) != 1) {
                    return false;
                }
                used = 0;
            }
            const std::size_t take = std::min(count, block.size() - used);
            std::memcpy(out, block.data() + used, take);
            used += take;
            out += take;
            count -= take;
        }
        return true;
    }
};

FixedStream& stream() {
    static FixedStream instance;
    return instance;
}

int fixed_bytes(unsigned char* out, int count) {
    return count >= 0 && stream().fill(out, static_cast<std::size_t>(count)) ? 1 : 0;
}

int fixed_status() {
    return 1;
}

const RAND_METHOD kFixedMethod = {
    nullptr, fixed_bytes, nullptr, nullptr, fixed_bytes, fixed_status,
};

void use_fixed_random(const std::string& seed) {
    static std::once_flag installed;
    std::call_once(installed, [&seed] {
        stream().seed = seed;
        check(RAND_set_rand_method(&kFixedMethod) == 1, "cannot install the fixed random sequence");
    });
}

} // namespace

LibCtxPtr new_library_context() {
    if (const auto seed = detail::fixed_random_seed()) {
        use_fixed_random(*seed);
    }
    LibCtxPtr ctx(OSSL_LIB_CTX_new());
    check(ctx != nullptr, "cannot create an OpenSSL library context");
    return ctx;
}

} // namespace certforge::openssl
