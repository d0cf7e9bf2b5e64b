// SPDX-License-Identifier: Apache-2.0
// A profile file as `profiles lint/show` and --profile PATH load it
// (extends resolved against the shipped profiles), then used as make and
// batch use one: alone and in common with the default profile, to plan a
// certificate on every backend. The file has no .toml extension, so that
// its id need not match the file name.
#include "certforge/issue.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_json.hpp"
#include "fuzz_support.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

using namespace certforge;
using namespace certforge::fuzz;

namespace {

CertRequest sample_request() {
    CertRequest request;
    request.subject.common_name = "print.example.com";
    request.subject.organization = "Example";
    request.subject_alt_names = {parse_san("dns:print"), parse_san("ip:10.0.0.5")};
    return request;
}

void plan_for(const std::vector<Profile>& profiles, std::string_view what) {
    std::optional<IssueTarget> target;
    expect_user_errors(fmt::format("profile: {}: IssueTarget::of", what),
                       [&] { target = IssueTarget::of(profiles); });
    if (!target) {
        return;
    }
    for (const auto& backend : backends()) {
        expect_user_errors(fmt::format("profile: {}: plan on {}", what, backend->name()), [&] {
            CertificateIssuer issuer(*backend, *target, nullptr, kNow);
            issuer.plan(sample_request());
            CertRequest defaults;
            defaults.subject.common_name = "print.example.com";
            issuer.plan(defaults);
        });
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ProfileCatalog catalog({ProfileCatalog::shipped_profiles_dir()});
    const auto path = scratch_file("profile", data, size);
    std::optional<Profile> profile;
    expect_user_errors("profile: load_file", [&] { profile = catalog.load_file(path); });
    if (!profile) {
        return 0;
    }
    expect_user_errors("profile: show", [&] {
        profile->allows_weak_crypto();
        to_json(*profile).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    });
    if (profile->kind != ProfileKind::device) {
        return 0;
    }
    plan_for({*profile}, "alone");
    plan_for({*profile, device_profiles().front()}, "with default");
    return 0;
}
