// SPDX-License-Identifier: Apache-2.0
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/scep_service.hpp"
#include "certforge/text.hpp"

#include <array>
#include <fmt/format.h>

namespace certforge {
namespace {

struct CapabilityName {
    std::string_view name;
    bool ScepCapabilities::*flag;
};

// In the order GetCACaps lists them: certmonger takes the first cipher
// listed, so AES comes before DES3.
constexpr std::array<CapabilityName, 6> kCapabilities{{
    {"POSTPKIOperation", &ScepCapabilities::post},
    {"Renewal", &ScepCapabilities::renewal},
    {"SHA-256", &ScepCapabilities::sha256},
    {"SHA-1", &ScepCapabilities::sha1},
    {"AES", &ScepCapabilities::aes},
    {"DES3", &ScepCapabilities::des3},
}};

} // namespace

std::string ScepCapabilities::text() const {
    std::string out;
    for (const auto& [name, flag] : kCapabilities) {
        if (this->*flag) {
            out += fmt::format("{}\n", name);
        }
    }
    if (sha256) {
        out += "SHA-512\n";
    }
    // RFC 8894 §3.5.2: SCEPStandard promises AES, SHA-256 and POST.
    if (post && sha256 && aes) {
        out += "SCEPStandard\n";
    }
    return out;
}

ScepCapabilities ScepCapabilities::parse(std::string_view list) {
    ScepCapabilities caps;
    for (const auto& [name, flag] : kCapabilities) {
        caps.*flag = false;
    }
    for (const auto& item : split(list, ',')) {
        const std::string_view wanted = item;
        bool known = false;
        for (const auto& [name, flag] : kCapabilities) {
            if (name == wanted) {
                caps.*flag = true;
                known = true;
            }
        }
        if (!known) {
            std::vector<std::string_view> names;
            for (const auto& capability : kCapabilities) {
                names.push_back(capability.name);
            }
            throw UsageError(fmt::format("unknown SCEP capability '{}' (one of: {})",
                                         escape_control(wanted), fmt::join(names, ", ")));
        }
    }
    if (!caps.sha1 && !caps.sha256) {
        throw UsageError("SCEP needs SHA-1 or SHA-256 among the capabilities");
    }
    if (!caps.des3 && !caps.aes) {
        throw UsageError("SCEP needs DES3 or AES among the capabilities");
    }
    return caps;
}

} // namespace certforge
