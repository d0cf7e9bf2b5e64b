// SPDX-License-Identifier: Apache-2.0
// Every device profile × every CA profile, for make, batch and ca sign: each
// pair is either refused with nothing written, or gives a chain that
// `certforge verify` passes with the same profile and that `openssl verify`
// accepts. The three commands must refuse exactly the same pairs. Each test
// prints its count of refusals by rule (ctest -V shows it).
#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"
#include "certforge/issue.hpp"
#include "certforge/profile_catalog.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <ctime>
#include <fmt/format.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

using certforge::Profile;
using certforge::ProfileCatalog;
using certforge::ProfileKind;
using certforge::test::fixture_key;
using certforge::test::read_text;
using certforge::test::run;
using certforge::test::run_certforge;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

// device profile, CA profile
using Pair = std::pair<std::string, std::string>;

// "(profile P, rule R); fix: ..." at the end of every refusal.
std::string rule_of(const std::string& message) {
    const auto at = message.rfind(", rule ");
    const auto end = message.find(')', at);
    REQUIRE(at != std::string::npos);
    REQUIRE(message.find("; fix: ", end) != std::string::npos);
    return message.substr(at + 7, end - at - 7);
}

struct Matrix {
    std::string backend;
    TempDir dir;
    std::vector<Profile> devices;
    fs::path password = dir / "pw";
    std::set<Pair> refused;
    std::map<std::string, unsigned> reasons;
    // device profile -> chain files to verify with it, and their CA certificate
    std::map<std::string, std::vector<std::pair<fs::path, fs::path>>> issued;

    explicit Matrix(std::string backend_name) : backend(std::move(backend_name)) {
        const ProfileCatalog catalog({certforge::test::shipped_profiles()});
        for (const auto& entry : catalog.entries()) {
            Profile profile = catalog.load_file(entry.file);
            if (profile.kind == ProfileKind::device) {
                devices.push_back(std::move(profile));
            }
        }
        REQUIRE(devices.size() >= 20);
        write_text(password, "matrix-secret\n");
        for (const auto& profile : devices) {
            const auto made =
                run_certforge({"ca", "init", "--profile", profile.id, "--name", profile.id + " CA",
                               "--out", ca(profile.id).string(), "--backend", backend});
            INFO(made.err);
            REQUIRE(made.exit_code == 0);
        }
    }

    fs::path ca(const std::string& id) const { return dir / "cas" / id; }

    // A fixture key of the profile's default size (every shipped profile
    // allows 1024, 2048 or 4096).
    static std::string key_for(const Profile& profile) {
        for (unsigned bits : {profile.key.default_rsa_bits, 2048u, 4096u, 1024u}) {
            const auto& allowed = profile.key.rsa_bits;
            if ((bits == 1024 || bits == 2048 || bits == 4096) &&
                std::find(allowed.begin(), allowed.end(), bits) != allowed.end()) {
                return fmt::format("rsa{}", bits);
            }
        }
        FAIL("profile " << profile.id << " allows no fixture key size");
        return {};
    }

    void refuse(const Pair& pair, const std::string& message) {
        refused.insert(pair);
        ++reasons[rule_of(message)];
    }

    // verify --profile D with every chain issued for D, and openssl verify of
    // each against its CA.
    void verify_all() {
        for (const auto& [device, chains] : issued) {
            std::vector<std::string> args{"verify",    "--profile", device,
                                          "--backend", backend,     "--json"};
            for (const auto& [chain, ca_cert] : chains) {
                args.push_back(chain.string());
                const auto ok =
                    run({"openssl", "verify", "-auth_level", "0", "-x509_strict", "-purpose",
                         "sslserver", "-CAfile", ca_cert.string(), chain.string()});
                INFO(chain << ": " << ok.out << ok.err);
                CHECK(ok.exit_code == 0);
            }
            const auto verified = run_certforge(args);
            INFO(device << ": " << verified.err);
            REQUIRE(verified.exit_code <= 1);
            const auto json = nlohmann::json::parse(verified.out);
            for (const auto& file : json["files"]) {
                INFO(device << " " << file["file"] << "\n" << file.dump(2));
                CHECK(file["result"] == "pass");
            }
        }
    }

    void report(const std::string& command) const {
        std::cout << fmt::format("{} ({}): {} device x {} CA profiles, {} refused\n", command,
                                 backend, devices.size(), devices.size(), refused.size());
        for (const auto& [rule, count] : reasons) {
            std::cout << fmt::format("  {:>4}  {}\n", count, rule);
        }
        std::map<std::string, std::vector<std::string>> by_ca;
        for (const auto& [device, ca] : refused) {
            by_ca[ca].push_back(device);
        }
        for (const auto& [ca, refusing] : by_ca) {
            std::cout << fmt::format("  a {} CA is refused by {}: {}\n", ca, refusing.size(),
                                     fmt::join(refusing, ", "));
        }
    }
};

// The pairs whose CA the library's own fitness check refuses: every command
// must refuse exactly these (the request itself fits every profile).
std::set<Pair> expected_refusals(const Matrix& matrix) {
    const auto backend = certforge::make_backend(matrix.backend);
    const auto at = static_cast<certforge::UnixTime>(std::time(nullptr));
    std::set<Pair> pairs;
    for (const auto& ca : matrix.devices) {
        const auto file = matrix.ca(ca.id) / "ca.crt";
        const auto info = backend->parse_certificate(certforge::test::der_of(file), file.string());
        for (const auto& device : matrix.devices) {
            try {
                certforge::require_ca_fits(info, certforge::IssueTarget::of({device}), at,
                                           file.string());
            } catch (const certforge::RefusedError&) {
                pairs.insert({device.id, ca.id});
            }
        }
    }
    return pairs;
}

void require_same_refusals(const Matrix& matrix, const std::set<Pair>& expected) {
    std::vector<std::string> differ;
    for (const auto& pair : matrix.refused) {
        if (!expected.count(pair)) {
            differ.push_back(fmt::format("{} with a {} CA refused", pair.first, pair.second));
        }
    }
    for (const auto& pair : expected) {
        if (!matrix.refused.count(pair)) {
            differ.push_back(fmt::format("{} with a {} CA issued", pair.first, pair.second));
        }
    }
    INFO(fmt::format("{}", fmt::join(differ, "\n")));
    CHECK(differ.empty());
}

std::set<Pair> run_make(Matrix& matrix) {
    for (const auto& device : matrix.devices) {
        for (const auto& ca : matrix.devices) {
            const fs::path out = matrix.dir / "make" / (device.id + "--" + ca.id);
            const auto made = run_certforge(
                {"make", "--profile", device.id, "--cn", "print.corp.local", "--san", "ip:10.1.2.3",
                 "--ca", matrix.ca(ca.id).string(), "--key",
                 fixture_key(Matrix::key_for(device)).string(), "--password-file",
                 matrix.password.string(), "--out", out.string(), "--backend", matrix.backend});
            INFO(device.id << " with a " << ca.id << " CA: " << made.err);
            REQUIRE((made.exit_code == 0 || made.exit_code == 3));
            if (made.exit_code == 3) {
                CHECK_FALSE(fs::exists(out));
                matrix.refuse({device.id, ca.id}, made.err);
            } else {
                matrix.issued[device.id].emplace_back(out / "chain.pem",
                                                      matrix.ca(ca.id) / "ca.crt");
            }
        }
    }
    matrix.verify_all();
    matrix.report("make");
    return matrix.refused;
}

} // namespace

TEST_CASE("matrix: make issues for every device and CA profile only what verify passes",
          "[matrix]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Matrix matrix(backend);
    const auto refused = run_make(matrix);
    CHECK(refused.size() < matrix.devices.size() * matrix.devices.size());
    require_same_refusals(matrix, expected_refusals(matrix));
}

TEST_CASE("matrix: batch issues for every device and CA profile only what verify passes",
          "[matrix]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Matrix matrix(backend);
    for (const auto& ca : matrix.devices) {
        std::string sites =
            fmt::format("[defaults]\npassword_file = \"{}\"\n\n", matrix.password.string());
        for (const auto& device : matrix.devices) {
            sites += fmt::format("[[site]]\nid = \"{}\"\ncn = \"print.corp.local\"\n"
                                 "sans = [\"ip:10.1.2.3\"]\nprofiles = [\"{}\"]\n\n",
                                 device.id, device.id);
        }
        const fs::path file = matrix.dir / (ca.id + ".toml");
        write_text(file, sites);
        const fs::path out = matrix.dir / "batch" / ca.id;
        const auto batch = run_certforge({"batch", file.string(), "--ca", matrix.ca(ca.id).string(),
                                          "--out", out.string(), "--backend", backend, "--json"});
        INFO(ca.id << ": " << batch.err);
        REQUIRE((batch.exit_code == 0 || batch.exit_code == 1));
        const auto json = nlohmann::json::parse(batch.out);
        REQUIRE(json["sites"].size() == matrix.devices.size());
        for (const auto& site : json["sites"]) {
            const std::string device = site["id"];
            INFO(device << " with a " << ca.id << " CA: " << site.dump());
            if (site["status"] == "failed") {
                CHECK_FALSE(fs::exists(out / device));
                matrix.refuse({device, ca.id}, site["reason"]);
            } else {
                CHECK(site["status"] == "created");
                matrix.issued[device].emplace_back(out / device / "chain.pem",
                                                   matrix.ca(ca.id) / "ca.crt");
            }
        }
    }
    matrix.verify_all();
    matrix.report("batch");
    require_same_refusals(matrix, expected_refusals(matrix));
}

TEST_CASE("matrix: ca sign issues for every device and CA profile only what verify passes",
          "[matrix]") {
    const std::string backend = GENERATE(from_range(certforge::test::backend_names()));
    Matrix matrix(backend);
    for (const auto& device : matrix.devices) {
        const fs::path csr = matrix.dir / (device.id + ".csr");
        const auto made =
            run({"openssl", "req", "-new", "-key", fixture_key(Matrix::key_for(device)).string(),
                 "-subj", "/CN=print.corp.local", "-addext",
                 "subjectAltName=DNS:print.corp.local,IP:10.1.2.3", "-out", csr.string()});
        REQUIRE(made.exit_code == 0);
        for (const auto& ca : matrix.devices) {
            const fs::path out = matrix.dir / "sign" / (device.id + "--" + ca.id + ".crt");
            fs::create_directories(out.parent_path());
            const auto sign = run_certforge({"ca", "sign", "--ca", matrix.ca(ca.id).string(),
                                             "--profile", device.id, csr.string(), "--out",
                                             out.string(), "--backend", backend});
            INFO(device.id << " with a " << ca.id << " CA: " << sign.err);
            REQUIRE((sign.exit_code == 0 || sign.exit_code == 3));
            if (sign.exit_code == 3) {
                CHECK_FALSE(fs::exists(out));
                matrix.refuse({device.id, ca.id}, sign.err);
            } else {
                const fs::path chain = out.string() + ".chain.pem";
                write_text(chain, read_text(out) + read_text(matrix.ca(ca.id) / "ca.crt"));
                matrix.issued[device.id].emplace_back(chain, matrix.ca(ca.id) / "ca.crt");
            }
        }
    }
    matrix.verify_all();
    matrix.report("ca sign");
    require_same_refusals(matrix, expected_refusals(matrix));
}
