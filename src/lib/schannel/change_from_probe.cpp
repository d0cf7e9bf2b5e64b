// SPDX-License-Identifier: Apache-2.0
#include "certforge/errors.hpp"
#include "certforge/json_documents.hpp"
#include "certforge/schannel.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace certforge {
namespace {

using nlohmann::json;

constexpr double kMinDhBits = 512;
constexpr double kMaxDhBits = 8192;

// A JSON value as an error shows it: the kind of a container, the escaped
// text of a scalar, on one line and short.
std::string shown(const json& value) {
    if (value.is_object()) {
        return "an object";
    }
    if (value.is_array()) {
        return "an array";
    }
    std::string text = value.dump(-1, ' ', true, json::error_handler_t::replace);
    if (text.size() > 40) {
        text = text.substr(0, 37) + "...";
    }
    return text;
}

class ReportReader {
public:
    explicit ReportReader(std::string_view source) : source_(source) {}

    [[noreturn]] void fail(std::string_view key, std::string_view message) const {
        throw InputError(fmt::format("{}: {}: {}", source_, key, message));
    }

    [[noreturn]] void wrong(std::string_view key, std::string_view expected,
                            const json& found) const {
        fail(key, fmt::format("expected {}, found {}", expected, shown(found)));
    }

    json parse(std::string_view text) const {
        try {
            return json::parse(text.begin(), text.end());
        } catch (const json::parse_error& e) {
            const std::size_t at = std::min<std::size_t>(e.byte, text.size());
            const std::string_view before = text.substr(0, at == 0 ? 0 : at - 1);
            const auto line = std::count(before.begin(), before.end(), '\n') + 1;
            const auto line_start = before.rfind('\n');
            const std::size_t column =
                before.size() - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
            throw InputError(fmt::format("{}: not JSON (syntax error at line {}, column {})",
                                         source_, line, column));
        } catch (const json::out_of_range&) {
            throw InputError(
                fmt::format("{}: not JSON that certforge reads (a number too large)", source_));
        }
    }

    static const json* member(const json& object, const char* key) {
        const auto found = object.find(key);
        return found == object.end() ? nullptr : &*found;
    }

    const json& object_at(const json& object, const char* key, std::string_view name) const {
        const json* value = member(object, key);
        if (value == nullptr) {
            fail(name, "missing");
        }
        if (!value->is_object()) {
            wrong(name, "an object", *value);
        }
        return *value;
    }

    std::string text_at(const json& object, const char* key, std::string_view name) const {
        const json* value = member(object, key);
        if (value == nullptr) {
            fail(name, "missing");
        }
        if (!value->is_string()) {
            wrong(name, "a string", *value);
        }
        return value->get<std::string>();
    }

    bool flag(const json& object, const char* key, std::string_view name, bool absent) const {
        const json* value = member(object, key);
        if (value == nullptr) {
            return absent;
        }
        if (!value->is_boolean()) {
            wrong(name, "true or false", *value);
        }
        return value->get<bool>();
    }

    std::vector<TlsVersion> versions(const json& fix, const char* key) const {
        const std::string name = fix_key(key);
        const json* value = member(fix, key);
        if (value == nullptr) {
            return {};
        }
        if (!value->is_array()) {
            wrong(name, "an array of protocol versions", *value);
        }
        std::vector<TlsVersion> out;
        for (std::size_t i = 0; i < value->size(); ++i) {
            const json& item = (*value)[i];
            const auto version =
                item.is_string() ? tls_version_from_name(item.get<std::string>()) : std::nullopt;
            if (!version) {
                wrong(fmt::format("{}[{}]", name, i), "ssl3, tls1.0, tls1.1, tls1.2 or tls1.3",
                      item);
            }
            out.push_back(*version);
        }
        return out;
    }

    SchannelSide side(const json& fix) const {
        const std::string name = fix_key("side");
        const json* value = member(fix, "side");
        if (value == nullptr) {
            fail(name, "missing (client, server or both)");
        }
        const std::string text = value->is_string() ? value->get<std::string>() : std::string();
        if (text == "client") {
            return SchannelSide::client;
        }
        if (text == "server") {
            return SchannelSide::server;
        }
        if (text == "both") {
            return SchannelSide::both;
        }
        wrong(name, "client, server or both", *value);
    }

    std::optional<unsigned> dh_bits(const json& fix) const {
        const json* value = member(fix, "dh_min_bits");
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        const double bits = value->is_number() ? value->get<double>() : 0;
        if (!value->is_number() || bits != std::floor(bits) || bits < kMinDhBits ||
            bits > kMaxDhBits) {
            wrong(fix_key("dh_min_bits"), "a whole number of bits from 512 to 8192 (or null)",
                  *value);
        }
        return static_cast<unsigned>(bits);
    }

    SchannelChange change(const json& report) const {
        const json& fix = object_at(report, "schannel_fix", fix_key_);
        SchannelChange out;
        out.enable = versions(fix, "enable");
        out.disable = versions(fix, "disable");
        for (auto v : out.enable) {
            if (std::find(out.disable.begin(), out.disable.end(), v) != out.disable.end()) {
                fail(fix_key_, fmt::format("{} is both enabled and disabled", to_string(v)));
            }
        }
        out.side = side(fix);
        out.dh_client_min_bits = dh_bits(fix);
        out.disable_dh = flag(fix, "disable_dh", fix_key("disable_dh"), false);
        out.dotnet_strong_crypto =
            flag(fix, "dotnet_strong_crypto", fix_key("dotnet_strong_crypto"), false);
        if (out.changes_nothing()) {
            fail(fix_key_, "changes nothing (no enable, disable, dh_min_bits, disable_dh "
                           "or dotnet_strong_crypto)");
        }
        return out;
    }

    // A report without a fix: what its diagnosis found, for each Windows.
    ProbeSchannelFix nothing_to_change(const json& report) const {
        const json* diagnosis = member(report, "diagnosis");
        if (diagnosis == nullptr) {
            throw InputError(fmt::format("{}: neither schannel_fix nor diagnosis: not a "
                                         "'certforge probe --json' report",
                                         source_));
        }
        if (!diagnosis->is_array()) {
            wrong("diagnosis", "an array", *diagnosis);
        }
        if (diagnosis->empty()) {
            fail("diagnosis", "empty: the report names no Windows version");
        }
        ProbeSchannelFix out;
        for (std::size_t i = 0; i < diagnosis->size(); ++i) {
            const std::string name = fmt::format("diagnosis[{}]", i);
            const json& host = (*diagnosis)[i];
            if (!host.is_object()) {
                wrong(name, "an object", host);
            }
            out.server_os.push_back(text_at(host, "os", name + ".os"));
            const json* cases = member(host, "cases");
            if (cases == nullptr) {
                fail(name + ".cases", "missing");
            }
            if (!cases->is_array()) {
                wrong(name + ".cases", "an array", *cases);
            }
            for (std::size_t j = 0; j < cases->size(); ++j) {
                const std::string case_name = fmt::format("{}.cases[{}]", name, j);
                const json& found = (*cases)[j];
                if (!found.is_object()) {
                    wrong(case_name, "an object", found);
                }
                out.cases.push_back(text_at(found, "case", case_name + ".case"));
            }
        }
        if (out.server_os.size() > 1 && !out.cases.empty()) {
            throw InputError(fmt::format("{}: the probe ran for every Windows version (no "
                                         "--server-os), so the report has no schannel_fix: probe "
                                         "again with --server-os HOST-PROFILE",
                                         source_));
        }
        return out;
    }

    ProbeSchannelFix read(std::string_view text) {
        const json report = parse(text);
        if (!report.is_object()) {
            throw InputError(fmt::format("{}: expected a JSON object (a 'certforge probe --json' "
                                         "report), found {}",
                                         source_, shown(report)));
        }
        if (const json* schema = member(report, "schema")) {
            if (schema->is_string() &&
                schema->get<std::string>().starts_with("certforge.fleet-probe/")) {
                return read_fleet(report);
            }
            if (!schema->is_string() ||
                !schema->get<std::string>().starts_with("certforge.probe/")) {
                wrong("schema", fmt::format("{} or {}", schema::kProbe, schema::kFleetProbe),
                      *schema);
            }
        }
        if (!flag(report, "speaks_tls", "speaks_tls", true)) {
            throw InputError(fmt::format(
                "{}: the probed endpoint does not speak TLS; nothing to derive", source_));
        }
        if (member(report, "schannel_fix") == nullptr) {
            return nothing_to_change(report);
        }
        return {change(report), {}, {}};
    }

private:
    // A fleet report: its recommendation's change, or nothing to change on
    // the baseline's Windows.
    ProbeSchannelFix read_fleet(const json& report) {
        fix_key_ = "recommendation.schannel_fix";
        const json& recommendation = object_at(report, "recommendation", "recommendation");
        if (member(recommendation, "schannel_fix") == nullptr) {
            return {std::nullopt,
                    {text_at(recommendation, "server_os", "recommendation.server_os")},
                    {}};
        }
        return {change(recommendation), {}, {}};
    }

    std::string fix_key(std::string_view leaf) const { return fix_key_ + "." + std::string(leaf); }

    std::string_view source_;
    std::string fix_key_ = "schannel_fix"; // where the change is in the report
};

} // namespace

ProbeSchannelFix schannel_change_from_probe(std::string_view json_text, std::string_view source) {
    ReportReader reader(source);
    return reader.read(json_text);
}

} // namespace certforge
