// SPDX-License-Identifier: Apache-2.0
#include "token_session.hpp"

#include "certforge/errors.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace certforge::pkcs11 {
namespace {

// A fixed-width, blank-padded PKCS#11 text field without its padding.
template <std::size_t N> std::string field_text(const CK_UTF8CHAR (&field)[N]) {
    std::string text(reinterpret_cast<const char*>(field), N);
    text.erase(text.find_last_not_of(' ') + 1);
    return text;
}

std::string reason(CK_RV rv) {
    return fmt::format("{} ({:#x})", p11_kit_strerror(rv), rv);
}

struct Candidate {
    CK_FUNCTION_LIST* module = nullptr;
    CK_SLOT_ID slot = 0;
    CK_TOKEN_INFO info{};
};

} // namespace

UriPtr parse_key_uri(std::string_view text) {
    UriPtr uri(p11_kit_uri_new());
    if (uri == nullptr) {
        throw InternalError("cannot allocate a PKCS#11 URI");
    }
    if (std::any_of(text.begin(), text.end(), [](char c) { return c <= ' ' || c > '~'; })) {
        throw UsageError("the PKCS#11 URI has a space, a control or a non-ASCII character: "
                         "write those %-encoded (RFC 7512)");
    }
    const std::string owned(text);
    const int parsed = p11_kit_uri_parse(owned.c_str(), P11_KIT_URI_FOR_ANY, uri.get());
    if (parsed != P11_KIT_URI_OK) {
        throw UsageError(fmt::format("'{}' is not a PKCS#11 URI (RFC 7512): {}", text,
                                     p11_kit_uri_message(parsed)));
    }
    if (p11_kit_uri_get_pin_value(uri.get()) != nullptr ||
        p11_kit_uri_get_pin_source(uri.get()) != nullptr) {
        throw UsageError("the PKCS#11 URI must not carry the PIN (pin-value, pin-source): "
                         "certforge asks for it");
    }
    if (p11_kit_uri_get_module_name(uri.get()) != nullptr) {
        throw UsageError(fmt::format("{}: certforge does not pick modules by module-name=: give "
                                     "?module-path=/path/to/module.so",
                                     text));
    }
    if (p11_kit_uri_any_unrecognized(uri.get()) != 0) {
        throw UsageError(fmt::format("{}: the URI has an attribute certforge does not know", text));
    }
    if (p11_kit_uri_get_attribute(uri.get(), CKA_LABEL) == nullptr &&
        p11_kit_uri_get_attribute(uri.get(), CKA_ID) == nullptr) {
        throw UsageError(
            fmt::format("{}: the URI must name the key (object=LABEL or id=...)", text));
    }
    if (const CK_ATTRIBUTE* type = p11_kit_uri_get_attribute(uri.get(), CKA_CLASS)) {
        CK_OBJECT_CLASS object_class = 0;
        if (type->ulValueLen == sizeof object_class) {
            std::memcpy(&object_class, type->pValue, sizeof object_class);
        }
        if (object_class != CKO_PRIVATE_KEY) {
            throw UsageError(fmt::format("{}: the URI names an object that is not a private key "
                                         "(type=private, or no type=)",
                                         text));
        }
    }
    return uri;
}

ModuleSet::ModuleSet(std::string_view uri_text, P11KitUri& uri) {
    if (const char* path = p11_kit_uri_get_module_path(&uri)) {
        CK_FUNCTION_LIST* module = p11_kit_module_load(path, 0);
        if (module == nullptr) {
            throw InputError(fmt::format("{}: cannot load the PKCS#11 module {}: {}", uri_text,
                                         path, p11_kit_message()));
        }
        const CK_RV rv = p11_kit_module_initialize(module);
        if (rv != CKR_OK) {
            p11_kit_module_release(module);
            throw InputError(fmt::format("{}: the PKCS#11 module {} does not start: {}", uri_text,
                                         path, reason(rv)));
        }
        modules_.push_back(module);
        return;
    }
    registered_ = p11_kit_modules_load_and_initialize(0);
    if (registered_ == nullptr) {
        throw InputError(fmt::format("{}: p11-kit cannot load its registered modules: {}", uri_text,
                                     p11_kit_message()));
    }
    for (CK_FUNCTION_LIST** module = registered_; *module != nullptr; ++module) {
        modules_.push_back(*module);
    }
    if (modules_.empty()) {
        p11_kit_modules_finalize_and_release(registered_);
        throw InputError(fmt::format("{}: p11-kit has no PKCS#11 module registered: name one with "
                                     "?module-path=/path/to/module.so",
                                     uri_text));
    }
}

ModuleSet::~ModuleSet() {
    if (registered_ != nullptr) {
        p11_kit_modules_finalize_and_release(registered_);
        return;
    }
    for (CK_FUNCTION_LIST* module : modules_) {
        p11_kit_module_finalize(module);
        p11_kit_module_release(module);
    }
}

TokenSession::TokenSession(std::string uri_text, P11KitUri& uri, bool read_write)
    : uri_(std::move(uri_text)), modules_(uri_, uri) {
    std::vector<Candidate> matches;
    std::vector<std::string> present;
    const CK_SLOT_ID wanted_slot = p11_kit_uri_get_slot_id(&uri);
    for (CK_FUNCTION_LIST* module : modules_.modules()) {
        CK_INFO module_info{};
        if (module->C_GetInfo(&module_info) != CKR_OK ||
            p11_kit_uri_match_module_info(&uri, &module_info) == 0) {
            continue;
        }
        CK_ULONG count = 0;
        if (module->C_GetSlotList(CK_TRUE, nullptr, &count) != CKR_OK || count == 0) {
            continue;
        }
        std::vector<CK_SLOT_ID> slots(count);
        if (module->C_GetSlotList(CK_TRUE, slots.data(), &count) != CKR_OK) {
            continue;
        }
        slots.resize(count);
        for (const CK_SLOT_ID slot : slots) {
            Candidate candidate{module, slot, {}};
            if (module->C_GetTokenInfo(slot, &candidate.info) != CKR_OK ||
                (candidate.info.flags & CKF_TOKEN_INITIALIZED) == 0) {
                continue;
            }
            present.push_back(fmt::format("\"{}\"", field_text(candidate.info.label)));
            if (p11_kit_uri_match_token_info(&uri, &candidate.info) != 0 &&
                (wanted_slot == static_cast<CK_SLOT_ID>(-1) || wanted_slot == slot)) {
                matches.push_back(candidate);
            }
        }
    }
    if (matches.empty()) {
        throw InputError(fmt::format(
            "{}: no token matches the URI (tokens present: {})", uri_,
            present.empty() ? std::string("none") : fmt::format("{}", fmt::join(present, ", "))));
    }
    if (matches.size() > 1) {
        throw InputError(fmt::format(
            "{}: {} tokens match the URI; name one with token= or serial=", uri_, matches.size()));
    }
    functions_ = matches.front().module;
    slot_ = matches.front().slot;
    token_flags_ = matches.front().info.flags;
    token_label_ = field_text(matches.front().info.label);
    const CK_FLAGS flags = CKF_SERIAL_SESSION | (read_write ? CKF_RW_SESSION : 0);
    check(functions_->C_OpenSession(slot_, flags, nullptr, nullptr, &session_), "C_OpenSession");
}

TokenSession::~TokenSession() {
    if (session_ != CK_INVALID_HANDLE) {
        functions_->C_CloseSession(session_);
    }
}

SecureString TokenSession::login(const TokenPin& pin) {
    if ((token_flags_ & CKF_LOGIN_REQUIRED) == 0) {
        return {};
    }
    SecureString secret;
    CK_RV rv = CKR_OK;
    if ((token_flags_ & CKF_PROTECTED_AUTHENTICATION_PATH) != 0) {
        rv = functions_->C_Login(session_, CKU_USER, nullptr, 0);
    } else {
        if (!pin) {
            throw InputError(fmt::format("{}: the token \"{}\" needs a PIN and none was given",
                                         uri_, token_label_));
        }
        secret = pin(token_label_);
        rv = functions_->C_Login(session_, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(secret.data()),
                                 secret.size());
    }
    if (rv == CKR_PIN_INCORRECT) {
        throw InputError(fmt::format("{}: the token \"{}\" refused the PIN", uri_, token_label_));
    }
    if (rv == CKR_PIN_LOCKED) {
        throw InputError(fmt::format(
            "{}: the PIN of the token \"{}\" is locked (too many wrong PINs): its security "
            "officer must unlock it",
            uri_, token_label_));
    }
    if (rv != CKR_USER_ALREADY_LOGGED_IN) {
        check(rv, "C_Login");
    }
    return secret;
}

void TokenSession::login_for_operation(const SecureString& pin) {
    SecureString copy = pin;
    check(functions_->C_Login(session_, CKU_CONTEXT_SPECIFIC,
                              reinterpret_cast<CK_UTF8CHAR*>(copy.data()), copy.size()),
          "C_Login for the signature");
}

std::vector<CK_OBJECT_HANDLE> TokenSession::find(std::vector<CK_ATTRIBUTE> attributes) {
    check(functions_->C_FindObjectsInit(session_, attributes.data(), attributes.size()),
          "C_FindObjectsInit");
    std::vector<CK_OBJECT_HANDLE> found;
    CK_RV rv = CKR_OK;
    for (;;) {
        CK_OBJECT_HANDLE batch[16];
        CK_ULONG count = 0;
        rv = functions_->C_FindObjects(session_, batch, 16, &count);
        if (rv != CKR_OK || count == 0) {
            break;
        }
        found.insert(found.end(), batch, batch + count);
    }
    functions_->C_FindObjectsFinal(session_);
    check(rv, "C_FindObjects");
    return found;
}

std::optional<Bytes> TokenSession::attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type) {
    CK_ATTRIBUTE query{type, nullptr, 0};
    CK_RV rv = functions_->C_GetAttributeValue(session_, object, &query, 1);
    if (rv == CKR_ATTRIBUTE_SENSITIVE || rv == CKR_ATTRIBUTE_TYPE_INVALID ||
        query.ulValueLen == CK_UNAVAILABLE_INFORMATION) {
        return std::nullopt;
    }
    check(rv, "C_GetAttributeValue");
    Bytes value(query.ulValueLen);
    query.pValue = value.data();
    check(functions_->C_GetAttributeValue(session_, object, &query, 1), "C_GetAttributeValue");
    value.resize(query.ulValueLen);
    return value;
}

void TokenSession::check(CK_RV rv, std::string_view what) const {
    if (rv != CKR_OK) {
        throw InputError(fmt::format("{}: {} failed: {}", uri_, what, reason(rv)));
    }
}

} // namespace certforge::pkcs11
