// SPDX-License-Identifier: Apache-2.0
#include "cli_support.hpp"

#include "certforge/algorithms.hpp"
#include "certforge/backend_registry.hpp"
#include "certforge/ca_folder.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/certificate_file.hpp"
#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/passwords.hpp"
#include "certforge/path_text.hpp"
#include "certforge/profile_catalog.hpp"
#include "certforge/profile_merge.hpp"
#include "certforge/text.hpp"

#include <fmt/format.h>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

namespace certforge::cli {

void add_crypto_overrides(CLI::App* command, CryptoOverrides& overrides, bool with_days) {
    command
        ->add_option("--rsa-bits", overrides.rsa_bits,
                     "RSA key size; must be one the profile allows (default: the profile's)")
        ->check(CLI::Range(1024u, 16384u));
    command->add_option("--hash", overrides.hash,
                        "signature hash: sha1, sha256, sha384, sha512; must be one the profile "
                        "allows (default: the profile's)");
    if (with_days) {
        command
            ->add_option("--days", overrides.days,
                         "validity in days (default: the profile's; at most its maximum)")
            ->check(CLI::Range(1u, 36500u));
    }
}

template <class Request> void apply_overrides(const CryptoOverrides& overrides, Request& request) {
    if (overrides.rsa_bits != 0) {
        request.rsa_bits = overrides.rsa_bits;
    }
    if (!overrides.hash.empty()) {
        const auto hash = hash_from_name(overrides.hash);
        if (!hash) {
            throw UsageError(
                fmt::format("--hash '{}' is not a hash name: use sha1, sha256, sha384 or sha512",
                            overrides.hash));
        }
        request.hash = *hash;
    }
    if (overrides.days != 0) {
        request.days = overrides.days;
    }
}
template void apply_overrides(const CryptoOverrides&, CertRequest&);
template void apply_overrides(const CryptoOverrides&, CaRequest&);

CertRequest server_request(const IssueOptions& options, const std::string& cn,
                           const std::vector<std::string>& sans) {
    CertRequest request;
    request.subject = options.subject;
    request.subject.common_name = cn;
    for (const auto& spec : sans) {
        request.subject_alt_names.push_back(parse_san(spec));
    }
    apply_overrides(options.overrides, request);
    return request;
}

void add_subject_options(CLI::App* command, SubjectFields& subject) {
    command->add_option("--org", subject.organization, "organization (O)");
    command->add_option("--org-unit", subject.organizational_unit, "organizational unit (OU)");
    command->add_option("--locality", subject.locality, "locality or city (L)");
    command->add_option("--state", subject.state, "state or province (ST)");
    command->add_option("--country", subject.country, "two-letter country code (C)");
}

void add_backend_option(CLI::App* command, std::string& backend) {
    command->add_option("--backend", backend,
                        fmt::format("crypto backend: {} (default: {})",
                                    fmt::join(built_backends(), ", "), default_backend_name()));
}

void add_issue_options(CLI::App* command, IssueOptions& options, const std::string& force_help,
                       bool with_days) {
    add_subject_options(command, options.subject);
    add_crypto_overrides(command, options.overrides, with_days);
    add_backend_option(command, options.backend);
    command->add_flag("--force", options.force, force_help);
    command->add_flag("--json", options.json, "print JSON");
}

void add_password_options(CLI::App* command, PasswordOptions& options, PasswordUse use,
                          const std::string& what, bool old_spelling) {
    const std::string prefix = use == PasswordUse::input ? "--in-" : "--out-";
    const auto names = [&](const char* kind) {
        return old_spelling ? fmt::format("{}password-{},--password-{}", prefix, kind, kind)
                            : fmt::format("{}password-{}", prefix, kind);
    };
    command->add_option(names("file"), options.file,
                        fmt::format("read the {} password from the first line of this file", what));
    command->add_option(names("env"), options.env,
                        fmt::format("read the {} password from this environment variable", what));
}

SecureString existing_password(const PasswordOptions& options, const std::string& file) {
    if (!options.file.empty()) {
        return read_password_file(utf8_path(options.file));
    }
    if (!options.env.empty()) {
        return read_password_env(options.env);
    }
    if (!stdin_is_terminal()) {
        throw InputError(fmt::format("{}: a password is needed and standard input is not a "
                                     "terminal: use --in-password-file or --in-password-env",
                                     file));
    }
    return prompt_password(fmt::format("Password for {}: ", file));
}

PasswordSource password_source(const PasswordOptions& options, const std::string& file) {
    PasswordSource source{utf8_path(options.file), options.env, {}};
    if (options.file.empty() && options.env.empty() && stdin_is_terminal()) {
        source.prompt = [file] {
            return prompt_password(fmt::format("Password for {} (Enter: generate one): ", file),
                                   fmt::format("Password for {} again: ", file));
        };
    }
    return source;
}

SecureString new_password(const PasswordOptions& options, const std::string& file, Backend& backend,
                          bool& generated) {
    return certforge::new_password(password_source(options, file), backend, generated);
}

void add_pin_options(CLI::App* command, PasswordOptions& pin) {
    command->add_option("--pin-file", pin.file,
                        "a CA key on a PKCS#11 token: read its PIN from the first line of this "
                        "file (default: ask on the terminal)");
    command->add_option("--pin-env", pin.env,
                        "a CA key on a PKCS#11 token: read its PIN from this environment variable");
}

TokenPin token_pin(const PasswordOptions& pin, PinPrompt prompt) {
    return [pin, prompt](std::string_view token) {
        if (!pin.file.empty()) {
            return read_password_file(utf8_path(pin.file));
        }
        if (!pin.env.empty()) {
            return read_password_env(pin.env);
        }
        if (prompt == PinPrompt::never || !stdin_is_terminal()) {
            throw InputError(fmt::format(
                "the token \"{}\" needs its PIN{}: use --pin-file or "
                "--pin-env",
                token, prompt == PinPrompt::never ? "" : " and standard input is not a terminal"));
        }
        return prompt_password(fmt::format("PIN of the token \"{}\": ", token));
    };
}

Profile load_profile_quietly(const std::string& name_or_path) {
    return ProfileCatalog::from_environment().load(name_or_path);
}

Profile load_profile(const std::string& name_or_path) {
    Profile profile = load_profile_quietly(name_or_path);
    if (profile.legacy) {
        warn(legacy_warning(profile));
    }
    return profile;
}

IssueTarget load_target(const std::string& profile, const std::string& profiles) {
    if (profile.empty() == profiles.empty()) {
        throw UsageError("give exactly one of --profile P and --profiles A,B,C");
    }
    const auto catalog = ProfileCatalog::from_environment();
    std::vector<Profile> loaded;
    for (const auto& name : profile.empty() ? split(profiles, ',') : std::vector{profile}) {
        loaded.push_back(catalog.load(name));
    }
    return IssueTarget::of(std::move(loaded));
}

std::string cli_hint(const RefusedError& refused, HintStyle style) {
    const std::string& profile = refused.profile();
    // Several profiles share one merged id ("a+b"), which names no file.
    const std::string show = fmt::format(
        "certforge profiles show {}", fmt::join(split(profile, '+'), "; certforge profiles show "));
    const std::string new_ca = fmt::format(
        "make a CA for it (certforge ca init --profile {} --name NAME --out NEW-DIR) and give "
        "--ca NEW-DIR",
        profile);
    if (style == HintStyle::ca_sign) {
        switch (refused.hint()) {
        case FixHint::ca_for_profile:
            return new_ca + " to ca sign";
        case FixHint::ca_renewal:
            return "make a new CA (certforge ca init) and sign with it";
        case FixHint::days:
            return fmt::format("profile '{}' sets the days; sign with a profile that allows "
                               "them",
                               profile);
        default:
            return fmt::format("ask the requester for a new request (CSR) that profile '{}' "
                               "accepts",
                               profile);
        }
    }
    switch (refused.hint()) {
    case FixHint::common_name:
        return style == HintStyle::ca_init
                   ? "give the CA a name with --name, e.g. \"Print CA\""
                   : "give the host name or IP address devices use with --cn";
    case FixHint::names:
        return "give every name devices use as --san dns:NAME or --san ip:ADDRESS";
    case FixHint::ip_san:
        return "add the address devices use with --san ip:ADDRESS";
    case FixHint::subject:
        return "correct --org, --org-unit, --locality, --state or --country";
    case FixHint::days:
        return "give --days within the profiles' maximum (" + show + ")";
    case FixHint::key:
        return "give --rsa-bits with a size the profile allows, or a --key of that size";
    case FixHint::hash:
        return "give --hash with a hash the profile allows";
    case FixHint::password:
        return "give a non-empty password (--out-password-file or --out-password-env), or leave "
               "both "
               "out to have one generated";
    case FixHint::ca_for_profile:
        return new_ca;
    case FixHint::ca_renewal:
        return fmt::format("make a new CA (certforge ca init --profile {} --name NAME --out "
                           "NEW-DIR) and give --ca NEW-DIR",
                           profile);
    case FixHint::device_names:
        return "leave out --device-cn and --device-san for this profile";
    case FixHint::device_entry:
        return "correct the device's --device-cn and --device-san";
    case FixHint::request:
    case FixHint::none:
        break;
    }
    return "see " + show;
}

void print_notices(const std::vector<IssueNotice>& notices) {
    for (const auto& notice : notices) {
        if (notice.warning) {
            warn(notice.text);
        } else {
            note(notice.text);
        }
    }
}

std::string printable(std::string_view text) {
    return escape_control(text);
}

Pkcs12Encryption server_pfx_encryption(const std::string& server_os, const std::string& requested) {
    return certforge::server_pfx_encryption(ProfileCatalog::from_environment(), server_os,
                                            requested);
}

std::int64_t parse_duration(std::string_view text, std::string_view option) {
    struct Unit {
        std::string_view name;
        std::int64_t seconds;
    };
    static constexpr Unit kUnits[] = {{"", 86400},        {"s", 1},          {"min", 60},
                                      {"h", 3600},        {"d", 86400},      {"w", 7 * 86400},
                                      {"mo", 30 * 86400}, {"y", 365 * 86400}};
    std::int64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        value = value * 10 + (text[i] - '0');
        if (value > 1'000'000'000) {
            break;
        }
    }
    const std::string_view unit = text.substr(i);
    if (i > 0 && unit == "m") {
        throw UsageError(fmt::format("{} '{}' is ambiguous: write {}min for minutes or {}mo for "
                                     "months",
                                     option, text, text.substr(0, i), text.substr(0, i)));
    }
    for (const auto& known : kUnits) {
        if (i > 0 && value <= 1'000'000'000 && unit == known.name &&
            value <= std::numeric_limits<std::int64_t>::max() / known.seconds) {
            return value * known.seconds;
        }
    }
    throw UsageError(fmt::format("{} '{}' is not a time span: use a number with s, min, h, d, w, "
                                 "mo or y (a bare number is days), e.g. 30d",
                                 option, escape_control(text)));
}

void warn(std::string_view message) {
    std::cerr << "certforge: warning: " << message << '\n';
}

void note(std::string_view message) {
    std::cerr << "certforge: note: " << message << '\n';
}

void print_json(const nlohmann::json& json) {
    // Text from foreign certificates may hold any bytes: invalid UTF-8 is
    // written as U+FFFD rather than failing the whole document.
    std::cout << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

} // namespace certforge::cli

namespace certforge::cli {

nlohmann::json paths_json(const std::vector<std::filesystem::path>& files) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& file : files) {
        out.push_back(path_text(file));
    }
    return out;
}

nlohmann::json issued_json(std::string_view schema, const Profile& profile,
                           std::string_view backend,
                           const std::vector<std::filesystem::path>& files, const CertInfo& info) {
    return {{"schema", schema},           {"profile", profile.id},
            {"backend", backend},         {"legacy", profile.legacy},
            {"files", paths_json(files)}, {"certificate", certificate_json(info)}};
}

CertInfo read_ca_certificate(const std::filesystem::path& ca_dir) {
    const std::filesystem::path file = ca_dir / kCaCertFile;
    if (!std::filesystem::exists(file)) {
        throw InputError(fmt::format("{} is not a CA folder (no {}); make one with 'certforge ca "
                                     "init'",
                                     path_text(ca_dir), kCaCertFile));
    }
    return make_backend("")->parse_certificate(read_certificate_file(file).front(),
                                               path_text(file));
}

std::string ca_state(const CertInfo& ca, UnixTime at) {
    if (at < ca.not_before) {
        return "not-yet-valid";
    }
    if (at > ca.not_after) {
        return "expired";
    }
    if (ca.not_after - at < static_cast<UnixTime>(kMinimumCaDaysLeft) * 86400) {
        return "expiring";
    }
    return "valid";
}

nlohmann::json ca_certificate_json(const CertInfo& ca, UnixTime at) {
    nlohmann::json json = certificate_json(ca);
    json["days_left"] = ca.not_after > at ? (ca.not_after - at) / 86400 : 0;
    json["state"] = ca_state(ca, at);
    return json;
}

void print_written(const std::vector<std::filesystem::path>& files) {
    for (const auto& file : files) {
        fmt::print("  wrote {}\n", path_text(file));
    }
}

} // namespace certforge::cli
