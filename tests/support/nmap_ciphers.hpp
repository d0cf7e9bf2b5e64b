// SPDX-License-Identifier: Apache-2.0
// What nmap's ssl-enum-ciphers script sees on TLS servers: the independent
// view the probe tests compare certforge's reports with.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace certforge::test {

// version ("ssl3", "tls1.0" ... "tls1.2") -> {(IANA suite name, DH bits or 0)}
using CipherMap = std::map<std::string, std::set<std::pair<std::string, unsigned>>>;

// Runs `nmap -Pn -n -p PORT --script ssl-enum-ciphers HOSTS...` (nmap 7.93
// lists SSLv3 to TLS 1.2, not TLS 1.3) and gives each host's suites; a host
// without TLS has an empty map. Fails the test when nmap is missing (Debian
// package nmap) or fails.
std::map<std::string, CipherMap> nmap_ssl_ciphers(const std::vector<std::string>& hosts,
                                                  unsigned port);

} // namespace certforge::test
