// SPDX-License-Identifier: Apache-2.0
// The JSON documents certforge writes: the one place their schema ids are
// spelled, and the certificate object they share.
//
// Every document carries "schema": "certforge.NAME/N", described by
// docs/schema/NAME.schema.json. N goes up when a document of the kind
// changes incompatibly (a member removed or renamed, a value spelled or
// meaning differently); a new member does not change it.
#pragma once

#include "certforge/cert_info.hpp"

#include <array>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace certforge::schema {

// Standard output of the commands.
inline constexpr std::string_view kMake = "certforge.make/2";
inline constexpr std::string_view kCsr = "certforge.csr/1";
inline constexpr std::string_view kExport = "certforge.export/1";
inline constexpr std::string_view kBundleResult = "certforge.bundle-result/1";
inline constexpr std::string_view kVerify = "certforge.verify/2";
inline constexpr std::string_view kVerifyAll = "certforge.verify-all/1";
inline constexpr std::string_view kCaInit = "certforge.ca-init/2";
inline constexpr std::string_view kCaSign = "certforge.ca-sign/2";
inline constexpr std::string_view kCaList = "certforge.ca-list/2";
inline constexpr std::string_view kCaRevoke = "certforge.ca-revoke/1";
inline constexpr std::string_view kCaCrl = "certforge.ca-crl/1";
inline constexpr std::string_view kCaStatus = "certforge.ca-status/2";
inline constexpr std::string_view kBatch = "certforge.batch/1";
inline constexpr std::string_view kBatchProblems = "certforge.batch-problems/1";
inline constexpr std::string_view kProbe = "certforge.probe/2";
inline constexpr std::string_view kFleetProbe = "certforge.fleet-probe/1";
inline constexpr std::string_view kSchannel = "certforge.schannel/1";
inline constexpr std::string_view kProfilesList = "certforge.profiles-list/1";
inline constexpr std::string_view kProfile = "certforge.profile/1";
inline constexpr std::string_view kProfilesLint = "certforge.profiles-lint/1";
inline constexpr std::string_view kVersion = "certforge.version/1";
// Files: a CA folder's ca.json and an import bundle's manifest.json.
inline constexpr std::string_view kCaFolder = "certforge.ca/2";
inline constexpr std::string_view kBundle = "certforge.bundle/2";

// Every id above; the tests check that each has its schema file.
inline constexpr std::array kAll{
    kMake,    kCsr,           kExport,  kBundleResult, kVerify,   kVerifyAll,
    kCaInit,  kCaSign,        kCaList,  kCaRevoke,     kCaCrl,    kCaStatus,
    kBatch,   kBatchProblems, kProbe,   kFleetProbe,   kSchannel, kProfilesList,
    kProfile, kProfilesLint,  kVersion, kCaFolder,     kBundle};

} // namespace certforge::schema

namespace certforge {

// A certificate as every document shows it: subject, issuer, serial
// (serial_hex), sha256 (sha256_hex), not_before, not_after (ISO 8601 UTC),
// signature_hash, key ("rsa 2048") and subject_alt_names
// (["dns:print", "ip:10.1.2.3"]).
nlohmann::json certificate_json(const CertInfo& info);

} // namespace certforge
