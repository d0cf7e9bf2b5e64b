// SPDX-License-Identifier: Apache-2.0
// Key generation and whole-command benchmark. Everything is measured in one
// run on one machine and printed as ratios:
//   - RSA keys per second for each size, per certforge backend, against the
//     raw library call (no certforge code) and against `openssl genpkey`;
//   - a whole `certforge make` per backend against `openssl req -x509
//     -newkey` doing the same job (RSA-2048, SHA-256, SAN).
// Usage: certforge_bench [--rounds N] [--sizes 1024,2048,3072]
#include "certforge/backend_registry.hpp"
#include "raw_keygen.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <functional>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#if CERTFORGE_HAVE_BOTAN
#include <botan/auto_rng.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

// Median seconds of `rounds` calls.
double median_seconds(int rounds, const std::function<void()>& work) {
    std::vector<double> samples;
    for (int i = 0; i < rounds; ++i) {
        const auto start = Clock::now();
        work();
        samples.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    std::sort(samples.begin(), samples.end());
    const auto n = samples.size();
    return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

void run_process(const std::vector<std::string>& argv) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        std::freopen("/dev/null", "w", stdout);
        std::freopen("/dev/null", "w", stderr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fmt::print(stderr, "command failed: {}\n", fmt::join(argv, " "));
        std::exit(1);
    }
}

struct Row {
    std::string what;
    double seconds;
    double raw_seconds = 0; // the same library called directly, when measured
};

void print_rows(const std::string& title, const std::vector<Row>& rows, double reference) {
    fmt::print("\n{}\n", title);
    fmt::print("  {:<40} {:>9} {:>9} {:>11} {:>9}\n", "", "ms each", "per s", "vs openssl",
               "vs raw");
    for (const auto& row : rows) {
        fmt::print("  {:<40} {:>9.1f} {:>9.2f} {:>10.2f}x {:>9}\n", row.what, row.seconds * 1000,
                   1.0 / row.seconds, reference / row.seconds,
                   row.raw_seconds > 0 ? fmt::format("{:.2f}x", row.raw_seconds / row.seconds)
                                       : std::string("-"));
    }
}

} // namespace

int main(int argc, char** argv) {
    int rounds = 15;
    std::vector<unsigned> sizes{1024, 2048, 3072};
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string option = argv[i];
        if (option == "--rounds") {
            rounds = std::max(1, std::atoi(argv[i + 1]));
        } else if (option == "--sizes") {
            sizes.clear();
            std::string list = argv[i + 1];
            for (std::size_t pos = 0; pos < list.size();) {
                const auto comma = list.find(',', pos);
                sizes.push_back(static_cast<unsigned>(std::stoul(list.substr(pos, comma - pos))));
                pos = comma == std::string::npos ? list.size() : comma + 1;
            }
        }
    }
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("certforge-bench-{}", ::getpid());
    std::filesystem::create_directories(dir);
    fmt::print("certforge benchmark: median of {} rounds each; 'vs openssl' is the openssl command "
               "line's time divided by this row's (above 1: faster)\n",
               rounds);

    for (const unsigned bits : sizes) {
        const int n = bits >= 3072 ? std::max(3, rounds / 2) : rounds;
        std::vector<Row> rows;
        const std::string key = (dir / "k.pem").string();
        const double cli = median_seconds(n, [&] {
            run_process({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt",
                         fmt::format("rsa_keygen_bits:{}", bits), "-out", key});
        });
        rows.push_back({"openssl genpkey (process)", cli});
#if CERTFORGE_HAVE_OPENSSL
        rows.push_back({"raw OpenSSL EVP_PKEY_generate",
                        median_seconds(n, [&] { certforge::bench::raw_openssl_rsa_key(bits); })});
#endif
#if CERTFORGE_HAVE_BOTAN
        Botan::AutoSeeded_RNG rng;
        rows.push_back({"raw Botan RSA_PrivateKey", median_seconds(n, [&] {
                            certforge::bench::raw_botan_rsa_key(rng, bits);
                        })});
#endif
        for (const auto name : certforge::built_backends()) {
            const auto backend = certforge::make_backend(name);
            const std::string raw_name = name == "openssl" ? "raw OpenSSL" : "raw Botan";
            const auto raw = std::find_if(rows.begin(), rows.end(), [&](const Row& r) {
                return r.what.rfind(raw_name, 0) == 0;
            });
            rows.push_back(
                {fmt::format("certforge {} backend (PKCS#8 out)", name),
                 median_seconds(n,
                                [&] {
                                    backend->generate_key({certforge::KeyAlgorithm::rsa, bits});
                                }),
                 raw == rows.end() ? 0.0 : raw->seconds});
        }
        print_rows(fmt::format("RSA-{} key generation ({} rounds)", bits, n), rows, cli);
    }

    std::vector<Row> rows;
    const std::string out = (dir / "out").string();
    const double cli = median_seconds(rounds, [&] {
        run_process({"openssl",
                     "req",
                     "-x509",
                     "-newkey",
                     "rsa:2048",
                     "-nodes",
                     "-sha256",
                     "-days",
                     "825",
                     "-subj",
                     "/CN=print.corp.local",
                     "-addext",
                     "subjectAltName=DNS:print.corp.local,DNS:print,IP:10.1.2.3",
                     "-addext",
                     "keyUsage=critical,digitalSignature,keyEncipherment",
                     "-addext",
                     "extendedKeyUsage=serverAuth",
                     "-keyout",
                     (dir / "req.key").string(),
                     "-out",
                     (dir / "req.crt").string()});
    });
    rows.push_back({"openssl req -x509 -newkey rsa:2048", cli});
    for (const auto name : certforge::built_backends()) {
        rows.push_back(
            {fmt::format("certforge make --backend {}", name), median_seconds(rounds, [&] {
                 run_process({CERTFORGE_BINARY, "make", "--profile", "default", "--cn",
                              "print.corp.local", "--san", "dns:print", "--san", "ip:10.1.2.3",
                              "--out", out, "--force", "--backend", std::string(name)});
             })});
    }
    print_rows(
        fmt::format("A whole self-signed RSA-2048 certificate, as a process ({} rounds)", rounds),
        rows, cli);
    std::filesystem::remove_all(dir);
    return 0;
}
