// SPDX-License-Identifier: Apache-2.0
// The format table: names, aliases, what a make/batch set may hold, and the
// messages for what it may not.
#include "certforge/errors.hpp"
#include "certforge/export_formats.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace certforge;
using Names = std::vector<std::string>;

TEST_CASE("export formats: every name and alias finds its own row, and no two clash", "[formats]") {
    std::set<std::string_view> spellings;
    std::set<std::string_view> set_files;
    for (const auto& info : export_formats()) {
        CHECK(&export_format(info.format) == &info);
        CHECK(&find_export_format(info.name) == &info);
        CHECK(spellings.insert(info.name).second);
        if (!info.alias.empty()) {
            CHECK(&find_export_format(info.alias) == &info);
            CHECK(spellings.insert(info.alias).second);
        }
        if (!info.set_file.empty()) {
            CHECK(set_files.insert(info.set_file).second);
        }
        CHECK_FALSE(info.description.empty());
        CHECK((info.needs_key ? info.mode == FileMode::private_file : true));
    }
    CHECK(find_export_format("pem-bundle").name == "pem-chain");
    CHECK(find_export_format("bundle").name == "import-bundle");
    CHECK_THROWS_WITH(find_export_format("PFX"),
                      "unknown format 'PFX' (one of: pfx, pfx-3des, pfx-rc2, jks, truststore-jks, "
                      "p7b, der, pem, pem-chain, import-bundle)");
    CHECK_THROWS_AS(find_export_format(""), UsageError);
}

TEST_CASE("export formats: a server's set takes the set formats by either spelling", "[formats]") {
    CHECK(ServerFormats().names() == Names{"pfx", "import-bundle"});
    CHECK(ServerFormats::none().names().empty());
    CHECK(ServerFormats(Names{"bundle", "der", "pfx", "jks", "p7b"}).names() ==
          Names{"pfx", "jks", "p7b", "der", "import-bundle"});
    CHECK(ServerFormats(Names{"import-bundle", "bundle"}).names() == Names{"import-bundle"});
    ServerFormats formats = ServerFormats::none();
    formats.add(ExportFormat::der);
    CHECK(formats.has(ExportFormat::der));
    formats.remove(ExportFormat::der);
    CHECK_FALSE(formats.has(ExportFormat::der));

    CHECK_THROWS_WITH(ServerFormats(Names{"pem-chain"}),
                      "certforge export's format 'pem-chain' (one of: pfx, jks, p7b, der, "
                      "import-bundle; server.key, server.crt and chain.pem are always written)");
    CHECK_THROWS_WITH(ServerFormats(Names{"pfx-rc2"}),
                      "certforge export's format 'pfx-rc2' (one of: pfx, jks, p7b, der, "
                      "import-bundle; server.key, server.crt and chain.pem are always written; "
                      "the PFX encryption is chosen with pkcs12)");
    CHECK_THROWS_WITH(ServerFormats(Names{"pfx", "zip"}),
                      "unknown format 'zip' (one of: pfx, jks, p7b, der, import-bundle; "
                      "server.key, server.crt and chain.pem are always written)");
}

TEST_CASE("export formats: what a PFX format asks the host profile for", "[formats]") {
    CHECK(pfx_request(ExportFormat::pfx, false) == "aes");
    CHECK(pfx_request(ExportFormat::pfx, true).empty());
    CHECK(pfx_request(ExportFormat::pfx_3des, true) == "3des");
    CHECK(pfx_request(ExportFormat::pfx_rc2, false) == "rc2");
    CHECK(is_pfx(ExportFormat::pfx_rc2));
    CHECK_FALSE(is_pfx(ExportFormat::jks));
}
