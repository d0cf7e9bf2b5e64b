// SPDX-License-Identifier: Apache-2.0
#include "support/nmap_ciphers.hpp"

#include "support/test_support.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <sstream>

namespace certforge::test {

std::map<std::string, CipherMap> nmap_ssl_ciphers(const std::vector<std::string>& hosts,
                                                  unsigned port) {
    require_tool("nmap", "nmap");
    std::vector<std::string> argv{
        "nmap", "-Pn", "-n", "-p", std::to_string(port), "--script", "ssl-enum-ciphers"};
    argv.insert(argv.end(), hosts.begin(), hosts.end());
    const auto scan = run(argv);
    INFO(scan.out << scan.err);
    REQUIRE(scan.exit_code == 0);
    std::map<std::string, CipherMap> out;
    std::istringstream lines(scan.out);
    const std::regex host_line(R"(^Nmap scan report for (\S+))");
    const std::regex version_line(R"(^\|\s+(SSLv3|TLSv1\.[0-2]):\s*$)");
    const std::regex cipher_line(R"(^\|\s+(TLS_\w+) \(([^)]*)\))");
    const std::regex dh(R"(dh (\d+))");
    std::string host, version, line;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_search(line, m, host_line)) {
            host = m[1];
            version.clear();
            out[host];
        } else if (std::regex_search(line, m, version_line)) {
            version = m[1] == "SSLv3" ? "ssl3" : "tls" + m[1].str().substr(4);
        } else if (!host.empty() && !version.empty() && std::regex_search(line, m, cipher_line)) {
            std::smatch bits;
            const std::string detail = m[2];
            const unsigned dh_bits = std::regex_search(detail, bits, dh)
                                         ? static_cast<unsigned>(std::stoul(bits[1]))
                                         : 0;
            out[host][version].insert({m[1], dh_bits});
        }
    }
    return out;
}

} // namespace certforge::test
