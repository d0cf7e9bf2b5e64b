// SPDX-License-Identifier: Apache-2.0
// What a batch decides for one site (src/lib/batch/site_planner.hpp), on each
// backend: create a new site, skip a good one, renew one that expires within
// the window, and renew, with the reason, one whose folder no longer matches
// (key, issuer, ledger, names, devices, profiles, files, a killed write).
// Certificates are signed from the fixture keys at fixed times.
#include "batch/site_planner.hpp"
#include "certforge/backend_registry.hpp"
#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace certforge;
using namespace certforge::detail;
using certforge::test::TempDir;
using certforge::test::write_text;
namespace fs = std::filesystem;

namespace {

constexpr UnixTime kIssued = 1'700'000'000; // 2023-11-14T22:13:20Z
constexpr UnixTime kDay = 86400;
constexpr std::int64_t kWindow = 30 * kDay;

// A 16-byte serial (the profile wants at least 8) starting with `first`.
Bytes serial(std::uint8_t first) {
    Bytes out(16, 0x5a);
    out.front() = first;
    return out;
}

// A CA, and a site folder with a certificate the CA issued for `site`.
struct Planner {
    std::unique_ptr<Backend> backend;
    TempDir dir;
    fs::path folder = dir / "site-1";
    Profile profile = certforge::test::shipped_profile("default");
    IssueTarget target = IssueTarget::of({profile});
    PrivateKey ca_key = certforge::test::fixture_private_key("rsa4096");
    Bytes ca_der;
    CertInfo ca;
    SiteSpec site;
    CertInfo leaf;

    explicit Planner(const std::string& backend_name) : backend(make_backend(backend_name)) {
        ca_der = make_ca("Planner CA", ca_key, std::nullopt);
        ca = parse(ca_der);
        site.id = "site-1";
        site.cn = "print-1.corp.local";
        site.sans = {"ip:10.0.0.1"};
        site.profiles = {"default"};
        leaf = issue(site, {ca_der, ca_key});
    }

    CertInfo parse(const Bytes& der) const { return backend->parse_certificate(der, "test"); }

    Bytes make_ca(const std::string& name, const PrivateKey& key,
                  std::optional<UnixTime> not_after) const {
        CaRequest request;
        request.subject.common_name = name;
        auto tmpl = ca_template(profile, request, serial(0x4c), kIssued - kDay);
        if (not_after) {
            tmpl.not_after = *not_after;
        }
        return backend->sign_certificate(tmpl, key, std::nullopt);
    }

    // Signs the site's certificate with the fixture key rsa2048 and writes
    // server.crt, server.key and chain.pem into the folder.
    CertInfo issue(const SiteSpec& spec, const CaCredentials& issuer) const {
        const CertRequest request = site_request(spec, profile);
        const auto tmpl = leaf_template(profile, request, serial(0x51), kIssued);
        const Bytes der = backend->sign_certificate(
            tmpl, certforge::test::fixture_private_key("rsa2048"), issuer);
        fs::create_directories(folder);
        write_text(folder / "server.crt", pem_encode("CERTIFICATE", der));
        fs::copy_file(certforge::test::fixture_key("rsa2048"), folder / "server.key",
                      fs::copy_options::overwrite_existing);
        write_text(folder / "chain.pem", pem_encode("CERTIFICATE", der) +
                                             pem_encode("CERTIFICATE", issuer.certificate_der));
        return parse(der);
    }

    // The plan for `spec` at `now`, with the ledger naming the folder's
    // certificate as the site's.
    SitePlan plan(const SiteSpec& spec, UnixTime now, bool interrupted = false,
                  std::vector<std::string> ledger_devices = {}, bool devices_in_bundle = false,
                  std::vector<std::string> expected_files = {"server.key", "server.crt",
                                                             "chain.pem"}) const {
        const CertRequest request = site_request(spec, profile);
        return plan_site({.site = spec,
                          .request = request,
                          .target = target,
                          .ca = ca,
                          .folder = folder,
                          .expected_files = std::move(expected_files),
                          .ledger_sha256 = to_hex(leaf.sha256_fingerprint),
                          .ledger_devices = std::move(ledger_devices),
                          .devices_in_bundle = devices_in_bundle,
                          .interrupted = interrupted,
                          .now = now,
                          .renew_within = kWindow},
                         *backend);
    }
};

std::string action_name(SiteAction action) {
    switch (action) {
    case SiteAction::create:
        return "create";
    case SiteAction::renew:
        return "renew";
    case SiteAction::skip:
        return "skip";
    }
    return "?";
}

// "action: reason", to compare in one line.
std::string decided(const SitePlan& plan) {
    return action_name(plan.action) + ": " + plan.reason;
}

} // namespace

TEST_CASE("site planner: a new site, and a folder without server.crt, are created",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    fs::remove_all(p.folder);
    const auto fresh = p.plan(p.site, kIssued + kDay);
    CHECK(decided(fresh) == "create: new site");
    CHECK_FALSE(fresh.current);
    // Even an interrupted write has nothing to renew in an empty folder.
    fs::create_directories(p.folder);
    write_text(p.folder / "server.key", "left over\n");
    const auto empty = p.plan(p.site, kIssued + kDay, true);
    CHECK(decided(empty) == "create: no server.crt in its folder");
    CHECK_FALSE(empty.current);
}

TEST_CASE("site planner: a good certificate is skipped until the renewal window",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const std::string until = format_utc(p.leaf.not_after);
    // 825 days (the profile's default) from notBefore, an hour before issue.
    REQUIRE(p.leaf.not_after == kIssued - 3600 + 825 * kDay);

    const auto good = p.plan(p.site, kIssued + kDay);
    CHECK(decided(good) == "skip: valid until " + until);
    REQUIRE(good.current);
    CHECK(good.current->sha256_fingerprint == p.leaf.sha256_fingerprint);

    // One second before the window: skipped; at its edge and inside it: renewed.
    CHECK(decided(p.plan(p.site, p.leaf.not_after - kWindow - 1)) == "skip: valid until " + until);
    const std::string expiring = "renew: expires " + until + ", within the renewal window";
    CHECK(decided(p.plan(p.site, p.leaf.not_after - kWindow)) == expiring);
    const auto late = p.plan(p.site, p.leaf.not_after - kDay);
    CHECK(decided(late) == expiring);
    REQUIRE(late.current);
    CHECK(late.current->sha256_fingerprint == p.leaf.sha256_fingerprint);

    // Expired: the profile check says so first.
    CHECK(decided(p.plan(p.site, p.leaf.not_after + 1)) ==
          "renew: does not pass profile default with its CA: validity.current: expired: notAfter "
          "was " +
              until);
}

TEST_CASE("site planner: a certificate that ends with its CA is kept, even in the window",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const UnixTime ca_end = p.leaf.not_after;
    p.ca_der = p.make_ca("Planner CA", p.ca_key, ca_end);
    p.ca = p.parse(p.ca_der);
    p.leaf = p.issue(p.site, {p.ca_der, p.ca_key});
    REQUIRE(p.leaf.not_after == ca_end);
    CHECK(decided(p.plan(p.site, ca_end - kDay)) ==
          "skip: valid until " + format_utc(ca_end) +
              ", when its CA ends: a new CA (certforge ca init) takes it further");
}

TEST_CASE("site planner: a killed write, a bad server.crt or server.key renew the site",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const UnixTime now = kIssued + kDay;
    const auto killed = p.plan(p.site, now, true);
    CHECK(decided(killed) == "renew: an earlier run was killed while writing its files");
    CHECK_FALSE(killed.current);

    fs::copy_file(certforge::test::fixture_key("ec256"), p.folder / "server.key",
                  fs::copy_options::overwrite_existing);
    const auto other_key = p.plan(p.site, now);
    CHECK(decided(other_key) == "renew: server.key does not belong to server.crt");
    REQUIRE(other_key.current);
    CHECK(other_key.current->sha256_fingerprint == p.leaf.sha256_fingerprint);

    fs::remove(p.folder / "server.key");
    const auto no_key = p.plan(p.site, now);
    CHECK_THAT(decided(no_key), Catch::StartsWith("renew: server.key cannot be read: ") &&
                                    Catch::Contains((p.folder / "server.key").string()));
    CHECK(no_key.current);

    write_text(p.folder / "server.crt", "not a certificate\n");
    const auto garbage = p.plan(p.site, now);
    CHECK_THAT(decided(garbage), Catch::StartsWith("renew: server.crt cannot be read: ") &&
                                     Catch::Contains((p.folder / "server.crt").string()));
    CHECK_FALSE(garbage.current);
}

TEST_CASE("site planner: a certificate of another CA, or not the ledger's, is renewed",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const UnixTime now = kIssued + kDay;
    const SiteSpec site = p.site;

    // Another CA, another name.
    const PrivateKey other_key = certforge::test::fixture_private_key("rsa1024");
    const Bytes other = p.make_ca("Other CA", other_key, std::nullopt);
    p.leaf = p.issue(site, {other, other_key});
    CHECK(decided(p.plan(site, now)) == "renew: server.crt was not issued by this CA");
    // Another CA of the same name: its key identifier tells them apart.
    const Bytes twin = p.make_ca("Planner CA", other_key, std::nullopt);
    p.leaf = p.issue(site, {twin, other_key});
    REQUIRE(p.parse(twin).subject == p.ca.subject);
    CHECK(decided(p.plan(site, now)) == "renew: server.crt was not issued by this CA");

    // This CA's certificate, but the ledger names another one as the site's.
    p.issue(site, {p.ca_der, p.ca_key});
    CHECK(decided(p.plan(site, now)) ==
          "renew: server.crt is not the site's certificate in the CA ledger");
}

TEST_CASE("site planner: changed names, devices or profiles renew the site with the change",
          "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const UnixTime now = kIssued + kDay;
    const std::string old_names = "CN print-1.corp.local SAN dns:print-1.corp.local ip:10.0.0.1";

    SiteSpec renamed = p.site;
    renamed.cn = "print-9.corp.local";
    CHECK(decided(p.plan(renamed, now)) ==
          "renew: names changed: " + old_names +
              " -> CN print-9.corp.local SAN dns:print-9.corp.local ip:10.0.0.1");
    SiteSpec more = p.site;
    more.sans = {"ip:10.0.0.1", "dns:print.corp.local"};
    CHECK(decided(p.plan(more, now)) ==
          "renew: names changed: " + old_names +
              " -> CN print-1.corp.local SAN dns:print-1.corp.local dns:print.corp.local "
              "ip:10.0.0.1");
    // The same names in another order and spelling are no change.
    SiteSpec same = p.site;
    same.sans = {"IP:10.0.0.1", "dns:PRINT-1.corp.local"};
    CHECK(p.plan(same, now).action == SiteAction::skip);

    // Devices count only when the bundle carries their certificates.
    SiteSpec devices = p.site;
    devices.devices = {"mfd-1.corp.local=ip:10.0.0.21"};
    const std::string device = "mfd-1.corp.local dns:mfd-1.corp.local,ip:10.0.0.21";
    CHECK(decided(p.plan(devices, now, false, {}, true)) ==
          "renew: devices changed: none -> " + device);
    CHECK(p.plan(devices, now, false, {device}, true).action == SiteAction::skip);
    CHECK(p.plan(devices, now, false, {}, false).action == SiteAction::skip);
    CHECK(decided(p.plan(p.site, now, false, {device}, true)) ==
          "renew: devices changed: " + device + " -> none");

    // A target profile the certificate no longer passes.
    Profile strict = p.profile;
    strict.id = "strict";
    strict.signature.hashes = {HashAlgorithm::sha384};
    strict.signature.default_hash = HashAlgorithm::sha384;
    p.target = IssueTarget::of({p.profile, strict});
    CHECK_THAT(decided(p.plan(p.site, now)),
               Catch::StartsWith("renew: does not pass profile strict with its CA: "
                                 "signature.hash: "));
}

TEST_CASE("site planner: a missing file of the site's formats renews it", "[batch][planner]") {
    Planner p(GENERATE(from_range(certforge::test::backend_names())));
    const UnixTime now = kIssued + kDay;
    CHECK(decided(p.plan(p.site, now, false, {}, false,
                         {"server.key", "server.crt", "chain.pem", "server.pfx"})) ==
          "renew: server.pfx is missing");
    fs::remove(p.folder / "chain.pem");
    CHECK(decided(p.plan(p.site, now)) == "renew: chain.pem is missing");
    // Files the formats do not ask for are not looked for.
    CHECK(p.plan(p.site, now, false, {}, false, {"server.crt"}).action == SiteAction::skip);
}

TEST_CASE("site planner: a site's request is checked against its profile", "[batch][planner]") {
    const Profile profile = certforge::test::shipped_profile("default");
    SiteSpec site;
    site.id = "a";
    site.cn = "print.corp.local";
    site.sans = {"ip:10.0.0.7"};
    site.days = 30;
    site.subject.organization = "Print Corp";
    site.subject.country = "DE";
    const CertRequest request = site_request(site, profile);
    CHECK(request.subject.common_name == "print.corp.local");
    CHECK(request.subject.organization == "Print Corp");
    CHECK(request.subject.country == "DE");
    CHECK(request.subject_alt_names == std::vector<SubjectAltName>{{SanType::ip, "10.0.0.7"}});
    CHECK(request.days == 30u);

    site.days = profile.validity.max_days + 1;
    CHECK_THROWS_AS(site_request(site, profile), RefusedError);
    site.days.reset();
    site.cn = "*.corp.local";
    CHECK_THROWS_AS(site_request(site, profile), RefusedError);
}
