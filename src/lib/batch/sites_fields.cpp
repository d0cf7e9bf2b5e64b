// SPDX-License-Identifier: Apache-2.0
#include "sites_fields.hpp"

#include "certforge/dn_text.hpp"
#include "certforge/errors.hpp"
#include "certforge/path_text.hpp"
#include "certforge/server_files.hpp"
#include "certforge/subject_alt_name.hpp"
#include "certforge/text.hpp"

#include <array>
#include <fmt/format.h>
#include <set>

namespace certforge::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::array<SiteField, 17> kFields{{
    {"id", FieldKind::text, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.id = std::move(v.text);
     }},
    {"cn", FieldKind::text, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.cn = std::move(v.text);
     }},
    {"sans", FieldKind::list, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.sans = std::move(v.list);
     }},
    {"profiles", FieldKind::list, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.profiles = std::move(v.list);
     }},
    {"profile", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.profiles = {std::move(v.text)};
     }},
    {"server_os", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.server_os = std::move(v.text);
     }},
    {"formats", FieldKind::list, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.formats = std::move(v.list);
     }},
    {"pkcs12", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.pkcs12 = std::move(v.text);
     }},
    {"password_env", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.password_env = std::move(v.text);
     }},
    {"password_file", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path& base) {
         s.password_file = v.text.empty() ? fs::path() : base / utf8_path(v.text);
     }},
    {"organization", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.organization = std::move(v.text);
     }},
    {"organizational_unit", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.organizational_unit = std::move(v.text);
     }},
    {"locality", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.locality = std::move(v.text);
     }},
    {"state", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.state = std::move(v.text);
     }},
    {"country", FieldKind::text, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.subject.country = std::move(v.text);
     }},
    {"days", FieldKind::number, false,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.days = static_cast<unsigned>(v.number);
     }},
    {"devices", FieldKind::list, true,
     [](SiteSpec& s, FieldValue&& v, const fs::path&) {
         s.devices = std::move(v.list);
     }},
}};

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64 || id.front() == '.' || id.front() == '-') {
        return false;
    }
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

// Skips a UTF-8 byte-order mark (as Excel's "CSV UTF-8" and Notepad write
// it) at the start of `in`. Throws InputError for a UTF-16 one.
void skip_byte_order_mark(std::istream& in, const fs::path& path) {
    std::array<char, 3> head{};
    in.read(head.data(), head.size());
    const std::string_view start(head.data(), static_cast<std::size_t>(in.gcount()));
    if (start.starts_with("\xEF\xBB\xBF")) {
        return;
    }
    if (start.starts_with("\xFF\xFE") || start.starts_with("\xFE\xFF")) {
        throw InputError(fmt::format("{}: the file is UTF-16 (byte-order mark {}); save it as "
                                     "UTF-8 (in Excel: CSV UTF-8)",
                                     path_text(path), start[0] == '\xFF' ? "FF FE" : "FE FF"));
    }
    in.clear();
    in.seekg(0);
}

} // namespace

const SiteField* find_field(std::string_view name) {
    for (const auto& field : kFields) {
        if (field.name == name) {
            return &field;
        }
    }
    return nullptr;
}

std::string field_names(bool defaults) {
    std::vector<std::string_view> names;
    for (const auto& field : kFields) {
        if (!defaults || !field.site_only) {
            names.push_back(field.name);
        }
    }
    return fmt::format("{}", fmt::join(names, ", "));
}

void validate_site(const SiteSpec& site, std::vector<SitesProblem>& problems) {
    const auto problem = [&](std::string message) {
        problems.push_back({site.line, 0, std::move(message)});
    };
    if (site.id.empty()) {
        problem("the site has no id");
    } else if (!valid_id(site.id)) {
        problem(fmt::format("site id '{}' is not a folder name certforge uses: 1-64 letters, "
                            "digits, '-', '_' or '.', not starting with '.' or '-'",
                            site.id));
    }
    const std::string name = site.id.empty() ? std::string("the site") : "site '" + site.id + "'";
    if (site.cn.empty()) {
        problem(fmt::format("{} has no cn", name));
    }
    if (site.profiles.empty()) {
        problem(fmt::format("{} has no profile (set profiles, or profiles in [defaults])", name));
    }
    for (const auto& san : site.sans) {
        try {
            static_cast<void>(parse_san(san));
        } catch (const Error& e) {
            problem(fmt::format("{}: {}", name, e.what()));
        }
    }
    std::set<std::string> device_names;
    for (const auto& device : site.devices) {
        try {
            if (!device_names.insert(parse_device_entry(device).subject.common_name).second) {
                problem(fmt::format("{}: device '{}' is listed twice", name, device));
            }
        } catch (const Error& e) {
            problem(fmt::format("{}: device '{}': {}", name, device, e.what()));
        }
    }
    try {
        static_cast<void>(ServerFormats(site.formats));
    } catch (const Error& e) {
        problem(fmt::format("{}: {}", name, e.what()));
    }
    if (!site.pkcs12.empty() && site.pkcs12 != "aes" && site.pkcs12 != "3des" &&
        site.pkcs12 != "rc2") {
        problem(fmt::format("{}: pkcs12 '{}' is not aes, 3des or rc2", name, site.pkcs12));
    }
    if (!site.password_env.empty() && !site.password_file.empty()) {
        problem(fmt::format("{}: give password_env or password_file, not both", name));
    }
    if (site.days && (*site.days < 1 || *site.days > 36500)) {
        problem(fmt::format("{}: days must be 1 to 36500", name));
    }
}

StreamedSitesReader::StreamedSitesReader(const fs::path& path) : SitesReader(path), in_(path) {
    if (!in_) {
        throw InputError(fmt::format("cannot read {}", path_text(path)));
    }
    skip_byte_order_mark(in_, path);
}

} // namespace certforge::detail
