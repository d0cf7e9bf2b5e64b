// SPDX-License-Identifier: Apache-2.0
// Internal: how a row of the profile schema reaches its Profile member.
// at<&Profile::key, &Profile::Key::rsa_bits>() makes the Field of a member
// from its type's codec; at<Codec, members...>() names the codec
// where the type alone does not tell (a key usage set, EKU OIDs).
#pragma once

#include "profile_schema.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <type_traits>

namespace certforge::detail {

// Every value of an enum that a profile may name, in declaration order.
template <class E> inline constexpr std::array<E, 0> kEnumValues{};
template <>
inline constexpr std::array kEnumValues<ProfileKind>{ProfileKind::device, ProfileKind::host};
template <>
inline constexpr std::array kEnumValues<DnEncoding>{DnEncoding::utf8, DnEncoding::printable};
template <>
inline constexpr std::array kEnumValues<CaCertFormat>{CaCertFormat::pem, CaCertFormat::der};
template <>
inline constexpr std::array kEnumValues<KeyAlgorithm>{KeyAlgorithm::rsa, KeyAlgorithm::ec,
                                                      KeyAlgorithm::dsa, KeyAlgorithm::ed25519,
                                                      KeyAlgorithm::ed448};
template <>
inline constexpr std::array kEnumValues<HashAlgorithm>{
    HashAlgorithm::md5,    HashAlgorithm::sha1,   HashAlgorithm::sha224,
    HashAlgorithm::sha256, HashAlgorithm::sha384, HashAlgorithm::sha512};
template <>
inline constexpr std::array kEnumValues<Pkcs12Encryption>{
    Pkcs12Encryption::aes, Pkcs12Encryption::triple_des, Pkcs12Encryption::rc2};

template <class T> struct IsVector : std::false_type {};
template <class T> struct IsVector<std::vector<T>> : std::true_type {};

// Codec<T>: the ValueKind of a member of type T, how a validated value
// becomes a T, how a T is written in JSON and, for names, the names it takes.
template <class T> struct Codec;

template <> struct Codec<std::string> {
    static constexpr ValueKind kind = ValueKind::string;
    static std::string decode(const ProfileValue& v) { return std::get<std::string>(v); }
    static nlohmann::json encode(const std::string& value) { return value; }
};

template <> struct Codec<bool> {
    static constexpr ValueKind kind = ValueKind::boolean;
    static bool decode(const ProfileValue& v) { return std::get<bool>(v); }
    static nlohmann::json encode(bool value) { return value; }
};

template <> struct Codec<unsigned> {
    static constexpr ValueKind kind = ValueKind::integer;
    static unsigned decode(const ProfileValue& v) {
        return static_cast<unsigned>(std::get<std::int64_t>(v));
    }
    static nlohmann::json encode(unsigned value) { return value; }
};

template <class E>
requires std::is_enum_v<E>
struct Codec<E> {
    static constexpr ValueKind kind = ValueKind::string;
    static E from_name(std::string_view name) {
        for (const E value : kEnumValues<E>) {
            if (to_string(value) == name) {
                return value;
            }
        }
        throw std::logic_error("internal: a profile value that validation let through");
    }
    static E decode(const ProfileValue& v) { return from_name(std::get<std::string>(v)); }
    static nlohmann::json encode(E value) { return std::string(to_string(value)); }
    static std::vector<std::string_view> names() {
        std::vector<std::string_view> out;
        for (const E value : kEnumValues<E>) {
            out.push_back(to_string(value));
        }
        return out;
    }
};

template <> struct Codec<std::vector<std::string>> {
    static constexpr ValueKind kind = ValueKind::string_array;
    static std::vector<std::string> decode(const ProfileValue& v) {
        return std::get<std::vector<std::string>>(v);
    }
    static nlohmann::json encode(const std::vector<std::string>& values) { return values; }
};

template <> struct Codec<std::vector<unsigned>> {
    static constexpr ValueKind kind = ValueKind::integer_array;
    static std::vector<unsigned> decode(const ProfileValue& v) {
        std::vector<unsigned> out;
        for (const auto n : std::get<std::vector<std::int64_t>>(v)) {
            out.push_back(static_cast<unsigned>(n));
        }
        return out;
    }
    static nlohmann::json encode(const std::vector<unsigned>& values) { return values; }
};

template <class E>
requires std::is_enum_v<E>
struct Codec<std::vector<E>> {
    static constexpr ValueKind kind = ValueKind::string_array;
    static std::vector<E> decode(const ProfileValue& v) {
        std::vector<E> out;
        for (const auto& name : std::get<std::vector<std::string>>(v)) {
            out.push_back(Codec<E>::from_name(name));
        }
        return out;
    }
    static nlohmann::json encode(const std::vector<E>& values) {
        nlohmann::json out = nlohmann::json::array();
        for (const E value : values) {
            out.push_back(Codec<E>::encode(value));
        }
        return out;
    }
    static std::vector<std::string_view> names() { return Codec<E>::names(); }
};

// keyUsage bits, named as in profiles ("digitalSignature").
struct KeyUsageNames {
    static constexpr ValueKind kind = ValueKind::string_array;
    static KeyUsageSet decode(const ProfileValue& v);
    static nlohmann::json encode(KeyUsageSet set) { return key_usage_names(set); }
    static std::vector<std::string_view> names();
    static void unite(KeyUsageSet& out, KeyUsageSet more) { out |= more; }
};

// extendedKeyUsage OIDs, named as in profiles ("serverAuth").
struct EkuNames {
    static constexpr ValueKind kind = ValueKind::string_array;
    static std::vector<std::string> decode(const ProfileValue& v);
    static nlohmann::json encode(const std::vector<std::string>& oids);
    static std::vector<std::string_view> names();
};

// A Profile member through a chain of pointers to members.
template <auto... Members> struct Member {
    template <class P> static auto& of(P& profile) { return (profile.*....*Members); }
};

// Throws the InputError of Merge::intersect: the first two profiles whose
// lists (`lists`, as in JSON) share nothing, else all of them.
[[noreturn]] void no_common_value(const KeyRule& rule, const std::vector<Profile>& profiles,
                                  const std::vector<nlohmann::json>& lists);

// Whether the merge rule `how` fits a member of type T written with codec C.
template <class C, class T> constexpr bool suits(Merge how) {
    switch (how) {
    case Merge::first:
    case Merge::derived:
        return true;
    case Merge::min:
    case Merge::max:
        return std::is_arithmetic_v<T> || std::is_enum_v<T>;
    case Merge::any:
        return std::is_same_v<T, bool>;
    case Merge::unite:
        return IsVector<T>::value || requires(T & out, const T& more) {
            C::unite(out, more);
        };
    case Merge::intersect:
        return IsVector<T>::value;
    }
    return false;
}

constexpr bool only_first(Merge how) {
    return how == Merge::first;
}

template <class C, class T> void combine(Merge how, T& out, const T& value) {
    constexpr bool scalar = std::is_arithmetic_v<T> || std::is_enum_v<T>;
    if constexpr (scalar) {
        if (how == Merge::min || how == Merge::max) {
            out = how == Merge::min ? std::min(out, value) : std::max(out, value);
            return;
        }
    }
    if constexpr (std::is_same_v<T, bool>) {
        if (how == Merge::any) {
            out = out || value;
            return;
        }
    }
    if constexpr (IsVector<T>::value) {
        if (how == Merge::unite) {
            for (const auto& item : value) {
                if (std::find(out.begin(), out.end(), item) == out.end()) {
                    out.push_back(item);
                }
            }
            return;
        }
    }
    if constexpr (requires { C::unite(out, value); }) {
        if (how == Merge::unite) {
            C::unite(out, value);
            return;
        }
    }
    throw std::logic_error("internal: a merge rule that does not suit its key");
}

template <class C, class M>
void merge_member(const KeyRule& rule, const std::vector<Profile>& profiles, Profile& out) {
    auto& target = M::of(out);
    using T = std::remove_cvref_t<decltype(target)>;
    const Merge how = rule.merge.how;
    if (how == Merge::first || how == Merge::derived) {
        return;
    }
    if constexpr (IsVector<T>::value) {
        if (how == Merge::intersect) {
            T shared;
            for (const auto& item : target) {
                const auto everywhere = [&](const Profile& p) {
                    const auto& list = M::of(p);
                    return std::find(list.begin(), list.end(), item) != list.end();
                };
                if (std::all_of(profiles.begin(), profiles.end(), everywhere)) {
                    shared.push_back(item);
                }
            }
            if (shared.empty()) {
                std::vector<nlohmann::json> lists;
                for (const auto& p : profiles) {
                    lists.push_back(C::encode(M::of(p)));
                }
                no_common_value(rule, profiles, lists);
            }
            target = std::move(shared);
            return;
        }
    }
    for (const auto& p : profiles) {
        combine<C>(how, target, M::of(p));
    }
}

template <class C, class M> constexpr Field make_field() {
    using T = std::remove_cvref_t<decltype(M::of(std::declval<Profile&>()))>;
    std::vector<std::string_view> (*names)() = nullptr;
    if constexpr (requires { C::names(); }) {
        names = &C::names;
    }
    return {C::kind,
            names,
            [](Profile& p, const ProfileValue& v) { M::of(p) = C::decode(v); },
            [](const Profile& p) { return C::encode(M::of(p)); },
            &merge_member<C, M>,
            &suits<C, T>};
}

// The Field of the member Profile.*Members..., written with its type's codec.
template <auto... Members> constexpr Field at() {
    using M = Member<Members...>;
    return make_field<Codec<std::remove_cvref_t<decltype(M::of(std::declval<Profile&>()))>>, M>();
}

// The same with the codec C.
template <class C, auto... Members> constexpr Field at() {
    return make_field<C, Member<Members...>>();
}

// A key that only the loader reads (extends): in no member and no JSON.
constexpr Field loader_only(ValueKind kind) {
    return {kind, nullptr, [](Profile&, const ProfileValue&) {}, nullptr, nullptr, &only_first};
}

} // namespace certforge::detail
