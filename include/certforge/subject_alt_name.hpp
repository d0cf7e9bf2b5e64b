// SPDX-License-Identifier: Apache-2.0
// Subject alternative names and host-name rules shared by requests,
// certificates and the verifier.
#pragma once

#include "certforge/bytes.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace certforge {

enum class SanType { dns, ip };

// One subjectAltName entry. For IP entries `value` is the canonical text form
// (inet_ntop), so equal addresses compare equal.
struct SubjectAltName {
    SanType type = SanType::dns;
    std::string value;

    bool operator==(const SubjectAltName&) const = default;
};

// "dns:print.corp.local", "ip:10.1.2.3", "ip:2001:db8::1". Throws InputError
// with the reason when the prefix is missing or the name or address is invalid.
SubjectAltName parse_san(std::string_view spec);

// "dns:NAME" or "ip:ADDR".
std::string to_string(const SubjectAltName& san);

// The address as 4 or 16 bytes, when `text` is an IPv4 or IPv6 address.
std::optional<Bytes> parse_ip_address(std::string_view text);
// The canonical text of a 4- or 16-byte address; empty when the size is wrong.
std::string format_ip_address(ByteView address);

// Why `name` is not a valid DNS host name (RFC 1123 labels, at most 253
// characters, no wildcard), or nullopt when it is valid.
std::optional<std::string> hostname_problem(std::string_view name);

// The SAN that a CN stands for: an IP entry when the CN is an address, a DNS
// entry otherwise. Throws InputError when the CN is neither.
SubjectAltName san_for_common_name(std::string_view cn);

} // namespace certforge
