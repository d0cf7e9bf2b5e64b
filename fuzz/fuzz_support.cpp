// SPDX-License-Identifier: Apache-2.0
#include "fuzz_support.hpp"

#include "certforge/backend_registry.hpp"
#include "certforge/certificate_builder.hpp"
#include "certforge/pem.hpp"
#include "certforge/profile_catalog.hpp"

#include <cstdio>
#include <cstdlib>
#include <cxxabi.h>
#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <stdlib.h>
#include <string>
#include <typeinfo>

namespace certforge::fuzz {
namespace {

namespace fs = std::filesystem;

class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "certforge-fuzz.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            std::perror("certforge fuzz: cannot make a scratch folder");
            std::abort();
        }
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

const ScratchDir& scratch_dir() {
    static const ScratchDir dir;
    return dir;
}

void write_file(const fs::path& path, std::string_view content) {
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                               &std::fclose);
    if (file == nullptr ||
        std::fwrite(content.data(), 1, content.size(), file.get()) != content.size() ||
        std::fflush(file.get()) != 0) {
        std::perror("certforge fuzz: cannot write a scratch file");
        std::abort();
    }
}

std::string type_name(const std::type_info& type) {
    int status = 0;
    const std::unique_ptr<char, decltype(&std::free)> name(
        abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), &std::free);
    return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

} // namespace

const std::vector<std::unique_ptr<Backend>>& backends() {
    static const std::vector<std::unique_ptr<Backend>> all = [] {
        std::vector<std::unique_ptr<Backend>> out;
        for (const auto name : built_backends()) {
            out.push_back(make_backend(name));
        }
        return out;
    }();
    return all;
}

const std::vector<Profile>& device_profiles() {
    static const std::vector<Profile> all = [] {
        const ProfileCatalog catalog({ProfileCatalog::shipped_profiles_dir()});
        std::vector<Profile> out;
        for (const auto& entry : catalog.entries()) {
            Profile profile = catalog.load_file(entry.file);
            if (profile.kind != ProfileKind::device) {
                continue;
            }
            out.insert(profile.id == "default" ? out.begin() : out.end(), std::move(profile));
        }
        if (out.empty() || out.front().id != "default") {
            std::fputs("certforge fuzz: the shipped profiles (with default) are missing\n", stderr);
            std::abort();
        }
        return out;
    }();
    return all;
}

const CaFolder& test_ca(Backend& backend) {
    static std::map<const Backend*, CaFolder> made;
    auto found = made.find(&backend);
    if (found == made.end()) {
        const Profile& profile = device_profiles().front();
        CaRequest request;
        request.subject.common_name = "certforge fuzz CA";
        IssuedCertificate ca = CertificateBuilder(backend, profile).issue_ca(request);
        CaMetadata metadata;
        metadata.name = "certforge fuzz CA";
        metadata.profile_id = profile.id;
        metadata.backend = std::string(backend.name());
        found = made.emplace(&backend, CaFolder{{},
                                                std::move(ca.certificate_der),
                                                std::move(ca.key),
                                                std::move(metadata)})
                    .first;
    }
    return found->second;
}

const fs::path& scratch_folder() {
    return scratch_dir().path();
}

const fs::path& test_ca_folder() {
    static const fs::path folder = [] {
        const CaFolder& ca = test_ca(*backends().front());
        fs::path dir = scratch_dir().path() / "ca";
        fs::create_directory(dir);
        const SecureString key = pem_encode_secret("PRIVATE KEY", ca.key.pkcs8_der());
        write_file(dir / kCaKeyFile, std::string_view(key.data(), key.size()));
        fs::permissions(dir / kCaKeyFile, fs::perms::owner_read | fs::perms::owner_write);
        write_file(dir / kCaCertFile, pem_encode("CERTIFICATE", ca.certificate_der));
        write_file(dir / kCaMetadataFile, metadata_to_json(ca.metadata));
        return dir;
    }();
    return folder;
}

fs::path scratch_file(std::string_view name, const std::uint8_t* data, std::size_t size) {
    fs::path path = scratch_dir().path() / name;
    write_file(path, as_text(data, size));
    return path;
}

void report_unexpected(std::string_view context) {
    std::string what;
    try {
        throw;
    } catch (const InternalError& e) {
        what = fmt::format("InternalError (exit 4): {}", e.what());
    } catch (const CryptoError& e) {
        what = fmt::format("CryptoError (exit 4): {}", e.what());
    } catch (const std::exception& e) {
        what = fmt::format("{} (exit 4): {}", type_name(typeid(e)), e.what());
    } catch (...) {
        what = "an exception that is not a std::exception (the CLI would terminate)";
    }
    std::fprintf(stderr, "certforge fuzz: %.*s: unexpected %s\n", static_cast<int>(context.size()),
                 context.data(), what.c_str());
    std::abort();
}

void verify_like_cli(const Backend& backend, const KeyAndChain& contents,
                     std::optional<ContainerFacts> facts, std::string_view context) {
    if (contents.chain.empty()) {
        return;
    }
    expect_user_errors(context, [&] {
        if (contents.key) {
            backend.describe_key(*contents.key);
        }
        if (facts) {
            facts->has_key = contents.key.has_value();
            facts->key_matches_leaf = contents.key && backend.key_matches_certificate(
                                                          *contents.key, contents.chain.front());
        }
        std::vector<CertInfo> chain;
        for (const auto& der : contents.chain) {
            chain.push_back(backend.parse_certificate(der, "fuzz-input"));
        }
        const auto& profiles = device_profiles();
        ChainOptions options;
        options.signatures = &backend;
        Report report = verify_chain(chain, profiles.front(), kNow, options);
        if (facts) {
            report.container_findings = check_container(*facts, chain, profiles.front());
        }
        to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
        for (std::size_t i = 1; i < profiles.size(); ++i) {
            Report other = verify_chain(chain, profiles[i], kNow);
            if (facts) {
                other.container_findings = check_container(*facts, chain, profiles[i]);
            }
            first_error(other);
        }
    });
}

} // namespace certforge::fuzz
