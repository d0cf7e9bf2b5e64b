// SPDX-License-Identifier: Apache-2.0
#include "help_text.hpp"

#include <fmt/format.h>
#include <map>
#include <stdexcept>
#include <string_view>

namespace certforge::cli {
namespace {

// What an option's value is, by option name; kByCommand overrides it where
// the same name means another kind of value.
const std::map<std::string_view, std::string_view> kPlaceholders = {
    {"--admin-profile", "PROFILE"},
    {"--admin-token-file", "FILE"},
    {"--alias", "NAME"},
    {"--approve", "auto|manual"},
    {"--backend", "openssl|botan"},
    {"--ca", "DIR"},
    {"--ca-key", "URI"},
    {"--caps", "CAP,..."},
    {"--cert", "FILE"},
    {"--chain", "FILE"},
    {"--cn", "NAME"},
    {"--country", "CC"},
    {"--days", "DAYS"},
    {"--device-cn", "NAME"},
    {"--device-san", "SAN"},
    {"--dh-min-bits", "BITS"},
    {"--disable", "VERSION"},
    {"--enable", "VERSION"},
    {"--encoding", "ENCODING"},
    {"--expiring", "SPAN"},
    {"--format", "FORMAT"},
    {"--formats", "FORMAT,..."},
    {"--from-probe", "FILE"},
    {"--hash", "HASH"},
    {"--in", "FILE"},
    {"--in-password-env", "VAR"},
    {"--in-password-file", "FILE"},
    {"--jobs", "N"},
    {"--key", "FILE"},
    {"--kind", "device|host"},
    {"--ledger", "URL"},
    {"--listen", "HOST:PORT"},
    {"--locality", "NAME"},
    {"--max-time", "SECONDS"},
    {"--model", "MODEL"},
    {"--name", "NAME"},
    {"--org", "NAME"},
    {"--org-unit", "NAME"},
    {"--out", "DIR"},
    {"--out-password-env", "VAR"},
    {"--out-password-file", "FILE"},
    {"--pin-env", "VAR"},
    {"--pin-file", "FILE"},
    {"--pkcs12", "aes|3des|rc2"},
    {"--profile", "PROFILE"},
    {"--profiles", "PROFILE,..."},
    {"--reason", "REASON"},
    {"--renew-within", "SPAN"},
    {"--role", "ROLE"},
    {"--rsa-bits", "BITS"},
    {"--san", "SAN"},
    {"--server-os", "HOST"},
    {"--side", "client|server|both"},
    {"--site", "ID"},
    {"--sni", "NAME"},
    {"--state", "NAME"},
    {"--status", "STATUS"},
    {"--targets", "FILE"},
    {"--threads", "N"},
    {"--timeout", "SECONDS"},
    {"--tls-cert", "FILE"},
    {"--tls-key", "FILE"},
    {"--uses", "N"},
    {"--valid", "SPAN"},
    {"--vendor", "VENDOR"},
    {"--write-profile", "FILE"},
    // Positionals.
    {"command", "COMMAND"},
    {"files", "FILE"},
    {"id", "ID"},
    {"profile", "PROFILE"},
    {"request", "FILE"},
    {"serial", "SERIAL"},
    {"sites", "FILE"},
    {"target", "HOST[:PORT]"},
    {"words", "WORD"},
};

struct CommandPlaceholder {
    std::string_view command;
    std::string_view option;
    std::string_view placeholder;
};

constexpr CommandPlaceholder kByCommand[] = {
    {"export", "--out", "FILE"}, {"bundle", "--out", "FILE"},   {"ca sign", "--out", "FILE"},
    {"ca crl", "--out", "FILE"}, {"schannel", "--out", "FILE"},
};

struct Examples {
    std::string_view command;
    std::string_view text;
};

constexpr Examples kExamples[] = {
    {"make", "certforge make --profile konica-bizhub-i --cn print.corp.local --san "
             "dns:print --san ip:10.1.2.3 --ca ca/ --out ts/\n"
             "certforge make --profiles konica-legacy,ricoh-im-act1 --cn print.corp.local "
             "--ca legacy-ca/ --server-os windows-server-2012r2 --out mixed/\n"
             "certforge make --profile default --cn 10.1.2.3 --formats pfx,jks --out "
             "self-signed/"},
    {"csr", "certforge csr --profile default --cn print.corp.local --san ip:10.1.2.3 --out "
            "request/"},
    {"export", "certforge export --in ts/server.pfx --in-password-file ts/server.pfx.pass "
               "--format pfx-3des --out ts-2012.pfx\n"
               "certforge export --key ts/server.key --cert ts/server.crt --chain ts/ca.crt "
               "--format jks --out ts.jks"},
    {"bundle", "certforge bundle --profile hp-futuresmart --ca ca/ --out hp-import.zip"},
    {"schannel", "certforge schannel --enable tls1.0 --side client --i-understand --out "
                 "enable-tls10.reg\n"
                 "certforge schannel --from-probe mfd.json --out fix.reg"},
    {"probe", "certforge probe 10.1.2.50:443\n"
              "certforge probe mfd.corp.local --profile konica-legacy --server-os "
              "windows-server-2019 --json > mfd.json\n"
              "certforge probe --targets site-devices.csv --server-os windows-server-2019 "
              "--json > fleet.json"},
    {"ca", "certforge ca init --profile default --name \"Print CA\" --out ca/\n"
           "certforge ca list --ca ca/ --expiring 30d"},
    {"ca init", "certforge ca init --profile default --name \"Print CA\" --out ca/\n"
                "certforge ca init --profile konica-legacy --name \"Legacy Print CA\" --out "
                "legacy-ca/\n"
                "certforge ca init --profile default --name \"Print CA\" --out ca/ --ledger "
                "postgresql://db.corp.local:5432/certforge\n"
                "certforge ca init --profile default --name \"Print CA\" --out ca/ --ca-key "
                "\"pkcs11:token=Print%20CA;object=ca-2026\" --pin-file /run/secrets/ca-pin"},
    {"ca sign", "certforge ca sign request/server.csr --ca ca/ --profile default --out "
                "server.crt"},
    {"ca list", "certforge ca list --ca ca/\n"
                "certforge ca list --ca ca/ --expiring 30d --json"},
    {"ca revoke", "certforge ca revoke 4F:2A:91 --ca ca/ --reason keyCompromise"},
    {"ca crl", "certforge ca crl --ca ca/ --out ca/crl.pem"},
    {"ca status", "certforge ca status --ca ca/"},
    {"scep", "certforge scep challenge --ca ca/ --profile canon-imagerunner --valid 60m\n"
             "certforge scep serve --ca ca/ --listen 10.1.2.5:80 --admin-profile "
             "canon-imagerunner"},
    {"scep serve", "certforge scep serve --ca ca/\n"
                   "certforge scep serve --ca ca/ --listen 10.1.2.5:80 --approve manual\n"
                   "certforge scep serve --ca ca/ --listen 0.0.0.0:8443 --tls-cert scep.crt "
                   "--tls-key scep.key"},
    {"scep challenge", "certforge scep challenge --ca ca/ --profile canon-imagerunner\n"
                       "certforge scep challenge --ca ca/ --profile default --cn mfd1.corp.local "
                       "--san dns:mfd1.corp.local --valid 2h"},
    {"scep requests", "certforge scep requests --ca ca/ --status pending"},
    {"scep approve", "certforge scep approve 3f2a91c0 --ca ca/"},
    {"scep reject", "certforge scep reject 3f2a91c0 --ca ca/ --reason 'unknown device'"},
    {"batch", "certforge batch sites.toml --ca ca/ --out sites/\n"
              "certforge batch sites.csv --ca ca/ --out sites/ --dry-run"},
    {"verify", "certforge verify --profile konica-legacy ts/server.crt\n"
               "certforge verify --profile default ts/server.pfx --in-password-file "
               "ts/server.pfx.pass --json"},
    {"profiles", "certforge profiles list\n"
                 "certforge profiles show konica-legacy"},
    {"profiles list", "certforge profiles list --kind host\n"
                      "certforge profiles list --vendor ricoh --model 'IM 2500'\n"
                      "certforge profiles list --json"},
    {"profiles show", "certforge profiles show ricoh-im-act2\n"
                      "certforge profiles show ./my-printer.toml --json"},
    {"profiles lint", "certforge profiles lint ./my-printer.toml"},
    {"profiles search", "certforge profiles search bizhub 751\n"
                        "certforge profiles search ricoh --json"},
    {"version", "certforge version\n"
                "certforge version --json"},
    {"help", "certforge help\n"
             "certforge help make\n"
             "certforge help ca sign"},
};

std::string path_of(const CLI::App& command) {
    std::string path;
    for (const CLI::App* at = &command; at->get_parent() != nullptr; at = at->get_parent()) {
        path = path.empty() ? at->get_name() : at->get_name() + " " + path;
    }
    return path;
}

std::string_view placeholder(const std::string& command, const CLI::Option& option) {
    const std::string name =
        option.get_positional() ? option.get_name(true, false) : "--" + option.get_lnames().front();
    for (const auto& entry : kByCommand) {
        if (entry.command == command && entry.option == name) {
            return entry.placeholder;
        }
    }
    if (const auto found = kPlaceholders.find(name); found != kPlaceholders.end()) {
        return found->second;
    }
    throw std::logic_error(fmt::format("no help placeholder for {} of '{}'", name, command));
}

// A default worth showing: not "", 0, false or an empty list.
bool shown(const std::string& value) {
    return !value.empty() && value != "0" && value != "0.0" && value != "false" && value != "[]" &&
           value != "{}";
}

void finish_command(CLI::App& command) {
    const std::string path = path_of(command);
    for (CLI::Option* option : command.get_options()) {
        const bool flag = option->get_items_expected_max() == 0;
        if (flag || (option->get_lnames().empty() && !option->get_positional())) {
            continue;
        }
        std::string text(placeholder(path, *option));
        const bool many = option->get_items_expected_max() > 1;
        if (many && !text.ends_with(",...")) {
            text += " ...";
        }
        std::string default_text = option->get_default_str();
        if (default_text.empty()) {
            option->capture_default_str();
            default_text = option->get_default_str();
        }
        if (default_text.size() >= 2 && default_text.front() == '[' && default_text.back() == ']') {
            default_text = default_text.substr(1, default_text.size() - 2);
        }
        if (shown(default_text)) {
            text += fmt::format(" (default: {})", default_text);
        }
        if (option->get_required()) {
            text += " REQUIRED";
        }
        option->option_text(text);
    }
    if (path.empty()) {
        command.footer("EXAMPLES:\n  certforge make --profile default --cn print.corp.local "
                       "--out ts/\n  certforge help make");
    } else {
        bool found = false;
        for (const auto& entry : kExamples) {
            if (entry.command == path) {
                std::string text = "EXAMPLES:";
                std::string_view rest = entry.text;
                while (!rest.empty()) {
                    const auto end = rest.find('\n');
                    text += fmt::format("\n  {}", rest.substr(0, end));
                    rest =
                        end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
                }
                command.footer(text);
                found = true;
            }
        }
        if (!found) {
            throw std::logic_error(fmt::format("no examples for '{}'", path));
        }
    }
    for (CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; })) {
        finish_command(*sub);
    }
}

} // namespace

void finish_help(CLI::App& app) {
    finish_command(app);
}

std::vector<std::string> commands_with_examples() {
    std::vector<std::string> out;
    for (const auto& entry : kExamples) {
        out.emplace_back(entry.command);
    }
    return out;
}

} // namespace certforge::cli
