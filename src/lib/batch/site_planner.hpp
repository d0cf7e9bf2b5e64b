// SPDX-License-Identifier: Apache-2.0
// Decides what a batch does with one site: skip it (its certificate is
// good), create one, or renew it (and why).
#pragma once

#include "certforge/backend.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/issue.hpp"
#include "certforge/profile.hpp"
#include "certforge/request.hpp"
#include "certforge/server_files.hpp"
#include "certforge/sites.hpp"

#include <optional>
#include <string>

namespace certforge::detail {

enum class SiteAction { create, renew, skip };

struct SitePlan {
    SiteAction action = SiteAction::create;
    std::string reason;
    std::optional<CertInfo> current; // the certificate in the folder, when readable
};

struct PlanInput {
    const SiteSpec& site;
    const CertRequest& request;
    const IssueTarget& target;
    const CertInfo& ca;
    const std::filesystem::path& folder;
    std::vector<std::string> expected_files;
    std::string ledger_sha256; // the site's valid certificate in the ledger
    // The devices' valid certificates in the bundle, per the ledger, as
    // device_signature() spells them.
    std::vector<std::string> ledger_devices;
    bool devices_in_bundle = false; // the site's devices get certificates in its bundle
    bool interrupted = false;       // an earlier write of the folder was killed
    UnixTime now = 0;
    std::int64_t renew_within = 0;
};

// The request a site stands for (subject, SANs, days), checked against the
// profile. Throws RefusedError with the reason.
CertRequest site_request(const SiteSpec& site, const Profile& profile);

// Reads the site's folder and decides. A folder whose last write was killed
// is renewed whatever it holds. A good certificate is skipped only if all of
// these hold: server.crt and server.key are readable and belong
// together; it was issued by this CA and is the site's valid certificate in
// the ledger; its CN and SANs are the ones asked for, and so are the
// devices'; the whole chain (CA included, signatures checked) passes every
// target profile today; it does not expire within the renewal window (or
// it ends with its CA, which a renewal cannot move); every expected file is
// there.
SitePlan plan_site(const PlanInput& input, const Backend& backend);

} // namespace certforge::detail
