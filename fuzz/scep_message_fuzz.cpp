// SPDX-License-Identifier: Apache-2.0
// A SCEP PKIOperation body, as `certforge scep serve` reads it: the codec's
// decoder (signature, attributes, envelope, CSR or IssuerAndSubject) and
// then the whole service (a repeated message, renewal, challenge, the
// issuing path, the ledger, the CertRep). The CA and RA are fuzz/scep-ca/
// (made by make-seeds.sh, like the seeds, which are encrypted for that RA
// and carry the challenge registered here), copied to a scratch folder.
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/ca_ledger.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/scep_message.hpp"
#include "certforge/scep_service.hpp"
#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <ctime>

using namespace certforge;
using namespace certforge::fuzz;
namespace fs = std::filesystem;

namespace {

// The challenge the seeds carry (make-seeds.sh writes the same).
constexpr std::string_view kChallenge = "F0221E5EED5C4A11E46E0000C0FFEE00";

struct Scep {
    fs::path dir;
    std::unique_ptr<ScepCodec> codec;
    std::unique_ptr<ScepService> service;
};

const Scep& scep() {
    static const Scep instance = [] {
        Scep s;
        s.dir = scratch_folder() / "scep-ca";
        fs::create_directories(s.dir);
        for (const char* name : {"ca.key", "ca.crt", "ca.json", "scep-ra.key", "scep-ra.crt"}) {
            fs::copy_file(fs::path(CERTFORGE_FUZZ_SCEP_CA) / name, s.dir / name,
                          fs::copy_options::overwrite_existing);
        }
        const auto backend = make_backend();
        const CaFolder ca = load_ca_folder(s.dir, *backend);
        const Bytes ra = read_certificate_file(s.dir / kScepRaCertFile).front();
        s.codec =
            make_scep_codec(ra, read_private_key_file(s.dir / kScepRaKeyFile), ca.certificate_der);
        const auto now = static_cast<UnixTime>(std::time(nullptr));
        CaLedger ledger(s.dir);
        ScepChallenge challenge;
        challenge.id = "f0221e5e";
        challenge.profile = "default";
        challenge.created_at = now;
        challenge.expires_at = now + 86'400;
        challenge.uses_left = 1'000'000'000;
        ledger.add_scep_challenge(challenge, scep_secret_sha256(*backend, kChallenge), now);
        // The certificate the renewal seed is signed with, valid in the ledger.
        const Bytes signer =
            read_certificate_file(fs::path(CERTFORGE_FUZZ_SCEP_CA) / "renewal-signer.crt").front();
        const CertInfo info = backend->parse_certificate(signer, "renewal-signer.crt");
        ledger.record_pending(make_ledger_entry(info, "default", "scep", "", "scep:fuzz", now));
        ledger.mark_delivered(serial_hex(info));
        ScepServiceOptions options;
        options.ca_dir = s.dir;
        s.service = std::make_unique<ScepService>(options);
        return s;
    }();
    return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const Scep& s = scep();
    expect_user_errors("scep: decode", [&] { s.codec->decode(ByteView(data, size)); });
    ScepHttpRequest request;
    request.method = "POST";
    request.path = "/certsrv/mscep/mscep.dll";
    request.operation = "PKIOperation";
    request.body = std::string(as_text(data, size));
    request.peer = "127.0.0.1";
    request.peer_loopback = true;
    const ScepHttpResponse response = s.service->handle(request);
    if (response.status >= 500) {
        std::fprintf(stderr, "scep: service answered %d: %s\n", response.status,
                     response.log.c_str());
        std::abort();
    }
    return 0;
}
