// The raw libraries' single-thread RSA key generation rate (mean over N
// keys, no certforge code): the limit a batch can reach is this rate times
// the cores. Prints "openssl <keys/s>" and "botan <keys/s>" lines.
// Usage: certforge_raw_keygen_rate [--bits 2048] [--keys 100]
#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <string>

#if CERTFORGE_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#endif
#if CERTFORGE_HAVE_BOTAN
#include <botan/auto_rng.h>
#include <botan/rsa.h>
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
    fmt::print("openssl {:.3f}\n", keys_per_second(keys, [&] {
                   EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
                   EVP_PKEY* pkey = nullptr;
                   EVP_PKEY_keygen_init(ctx);
                   EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits));
                   EVP_PKEY_generate(ctx, &pkey);
                   EVP_PKEY_free(pkey);
                   EVP_PKEY_CTX_free(ctx);
               }));
#endif
#if CERTFORGE_HAVE_BOTAN
    Botan::AutoSeeded_RNG rng;
    fmt::print("botan {:.3f}\n", keys_per_second(keys, [&] { const Botan::RSA_PrivateKey k(rng, bits); }));
#endif
    return 0;
}
