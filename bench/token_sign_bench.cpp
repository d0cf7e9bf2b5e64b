// SPDX-License-Identifier: Apache-2.0
// CA signing rate with the CA key on a PKCS#11 token (SoftHSM2) against the
// same size of key in a file, per certforge backend, in one run on one
// machine: a leaf certificate for a fixed public key, signed through the
// Backend interface (what make, ca sign, batch and scep serve do per
// certificate), plus the raw library's RSA signature alone for reference.
// The token is made in a temporary folder (SOFTHSM2_CONF), as the tests do.
// Usage: certforge_token_bench [--rounds N] [--bits 2048] [--threads 2]
#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/errors.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/token_key.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#if CERTFORGE_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#endif

namespace {

namespace fs = std::filesystem;
using namespace certforge;
using Clock = std::chrono::steady_clock;

constexpr const char* kModule = "/usr/lib/softhsm/libsofthsm2.so";
constexpr const char* kPin = "bench-pin";

// Seconds per call: `count` calls in each of `threads` threads, median of
// `rounds` such runs, divided by all calls.
double seconds_each(int rounds, int threads, int count, const std::function<void(int)>& work) {
    std::vector<double> samples;
    for (int round = 0; round < rounds; ++round) {
        const auto start = Clock::now();
        std::vector<std::thread> running;
        for (int t = 0; t < threads; ++t) {
            running.emplace_back([&, t] {
                for (int i = 0; i < count; ++i) {
                    work(t);
                }
            });
        }
        for (auto& thread : running) {
            thread.join();
        }
        samples.push_back(std::chrono::duration<double>(Clock::now() - start).count() /
                          (threads * count));
    }
    std::sort(samples.begin(), samples.end());
    return samples[samples.size() / 2];
}

// A SoftHSM2 token in a temporary folder, for this run.
fs::path make_token() {
    const fs::path dir =
        fs::temp_directory_path() / fmt::format("certforge-token-bench-{}", ::getpid());
    fs::create_directories(dir / "tokens");
    std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    const std::string init = fmt::format("softhsm2-util --init-token --free --label bench --pin "
                                         "{} --so-pin bench-so >/dev/null",
                                         kPin);
    if (std::system(init.c_str()) != 0) {
        fmt::print(stderr, "softhsm2-util failed (apt-get install softhsm2)\n");
        std::exit(1);
    }
    return dir;
}

struct Ca {
    Bytes certificate;
    PrivateKey key;
};

Ca make_ca(Backend& backend, const Profile& profile, unsigned bits,
           const CertificateBuilder::KeySource& source) {
    CertificateBuilder builder(backend, profile);
    CaRequest request;
    request.subject.common_name = "Bench CA";
    request.rsa_bits = bits;
    IssuedCertificate ca = builder.issue_ca(request, source);
    return {std::move(ca.certificate_der), std::move(ca.key)};
}

#if CERTFORGE_HAVE_OPENSSL
// The raw OpenSSL RSA-PKCS#1 v1.5 SHA-256 signature of a certificate-sized
// message with a key in memory: no certificate, no certforge code.
std::function<void(int)> raw_openssl_signer(unsigned bits) {
    EVP_PKEY* key = EVP_RSA_gen(bits);
    return [key](int) {
        static thread_local std::vector<unsigned char> message(700, 0x5a);
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        size_t length = 0;
        unsigned char signature[1024];
        length = sizeof signature;
        if (EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
            EVP_DigestSign(ctx, signature, &length, message.data(), message.size()) != 1) {
            std::abort();
        }
        EVP_MD_CTX_free(ctx);
    };
}
#endif

} // namespace

int main(int argc, char** argv) {
    int rounds = 5;
    unsigned bits = 2048;
    int threads = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--rounds") {
            rounds = std::atoi(argv[i + 1]);
        } else if (option == "--bits") {
            bits = static_cast<unsigned>(std::atoi(argv[i + 1]));
        } else if (option == "--threads") {
            threads = std::atoi(argv[i + 1]);
        }
    }
    const int count = 100;
    try {
        const fs::path dir = make_token();
        const auto pin = [](std::string_view) {
            return SecureString(kPin);
        };
        const std::string uri = fmt::format("pkcs11:token=bench;object=ca?module-path={}", kModule);
        const PrivateKey token_key = generate_token_key(uri, bits, Bytes{0x01}, pin);
        const Profile profile = ProfileCatalog::from_environment().load("default");
        fmt::print("CA signing rate, RSA-{} CA key, SHA-256, {} threads x {} certificates, median "
                   "of {} rounds\n\n",
                   bits, threads, count, rounds);
        fmt::print("| signer | ms/certificate | certificates/s | token vs file |\n");
        fmt::print("|---|---:|---:|---:|\n");
#if CERTFORGE_HAVE_OPENSSL
        const double raw = seconds_each(rounds, threads, count, raw_openssl_signer(bits));
        fmt::print("| raw OpenSSL RSA signature, key in memory (no certificate) | {:.2f} | {:.0f} "
                   "| |\n",
                   raw * 1000, 1 / raw);
#endif
        for (const auto name : built_backends()) {
            auto backend = make_backend(name);
            const PrivateKey leaf_key = backend->generate_key({KeyAlgorithm::rsa, 2048});
            const Ca file_ca = make_ca(*backend, profile, bits, {});
            const Ca token_ca =
                make_ca(*backend, profile, bits, [&](unsigned) { return token_key; });
            std::vector<std::unique_ptr<Backend>> own;
            for (int t = 0; t < threads; ++t) {
                own.push_back(make_backend(name));
            }
            CertRequest request;
            request.subject.common_name = "mfd.corp.local";
            request.subject_alt_names.push_back({SanType::dns, "mfd.corp.local"});
            const auto sign_with = [&](const Ca& ca) {
                return [&](int t) {
                    CertificateBuilder builder(*own[static_cast<std::size_t>(t)], profile);
                    static_cast<void>(builder.issue_leaf(
                        request, CaCredentials{ca.certificate, ca.key}, leaf_key));
                };
            };
            const double file = seconds_each(rounds, threads, count, sign_with(file_ca));
            const double token = seconds_each(rounds, threads, count, sign_with(token_ca));
            fmt::print("| certforge {} backend, CA key in a file | {:.2f} | {:.0f} | |\n", name,
                       file * 1000, 1 / file);
            fmt::print("| certforge {} backend, CA key on SoftHSM2 | {:.2f} | {:.0f} | {:.2f}x |\n",
                       name, token * 1000, 1 / token, file / token);
        }
        fs::remove_all(dir);
    } catch (const std::exception& e) {
        fmt::print(stderr, "certforge_token_bench: {}\n", e.what());
        return 1;
    }
    return 0;
}
