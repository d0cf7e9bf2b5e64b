// SPDX-License-Identifier: Apache-2.0
// A PKCS#11 token as certforge uses one: its URI parsed by p11-kit, its
// module loaded and initialised through p11-kit, one session on the one
// token the URI names, and the calls that find and read objects. Every
// failure is an InputError of one line that names the URI.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/token_key.hpp"

#include <memory>
#include <optional>
#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>
#include <string>
#include <string_view>
#include <vector>

namespace certforge::pkcs11 {

struct UriDeleter {
    void operator()(P11KitUri* uri) const noexcept { p11_kit_uri_free(uri); }
};
using UriPtr = std::unique_ptr<P11KitUri, UriDeleter>;

// The URI parsed and checked as check_token_key_uri() says.
UriPtr parse_key_uri(std::string_view text);

// The modules a URI may name: its module-path alone, else every module
// p11-kit has registered (its module-name= is refused by parse_key_uri).
// Finalised and released with the object.
class ModuleSet {
public:
    ModuleSet(std::string_view uri_text, P11KitUri& uri);
    ~ModuleSet();
    ModuleSet(const ModuleSet&) = delete;
    ModuleSet& operator=(const ModuleSet&) = delete;

    const std::vector<CK_FUNCTION_LIST*>& modules() const noexcept { return modules_; }

private:
    std::vector<CK_FUNCTION_LIST*> modules_;
    CK_FUNCTION_LIST** registered_ = nullptr; // p11-kit's array, when loaded that way
};

// One session on the one token the URI names (read-write when keys are to
// be made), closed with the object.
class TokenSession {
public:
    TokenSession(std::string uri_text, P11KitUri& uri, bool read_write);
    ~TokenSession();
    TokenSession(const TokenSession&) = delete;
    TokenSession& operator=(const TokenSession&) = delete;

    // Logs in as the user when the token asks for it; returns the PIN used
    // (empty when none was needed or the token reads it itself).
    SecureString login(const TokenPin& pin);
    // Logs in again for one operation on a key with CKA_ALWAYS_AUTHENTICATE.
    void login_for_operation(const SecureString& pin);

    // The objects that have every attribute of `attributes`.
    std::vector<CK_OBJECT_HANDLE> find(std::vector<CK_ATTRIBUTE> attributes);
    // One attribute's value; nullopt when the object has none or hides it.
    std::optional<Bytes> attribute(CK_OBJECT_HANDLE object, CK_ATTRIBUTE_TYPE type);

    // Throws InputError "URI: WHAT failed: REASON" unless rv is CKR_OK.
    void check(CK_RV rv, std::string_view what) const;

    CK_FUNCTION_LIST& functions() const noexcept { return *functions_; }
    CK_SESSION_HANDLE handle() const noexcept { return session_; }
    const std::string& uri() const noexcept { return uri_; }
    const std::string& token_label() const noexcept { return token_label_; }

private:
    std::string uri_;
    ModuleSet modules_;
    CK_FUNCTION_LIST* functions_ = nullptr;
    CK_SLOT_ID slot_ = 0;
    CK_FLAGS token_flags_ = 0;
    std::string token_label_;
    CK_SESSION_HANDLE session_ = CK_INVALID_HANDLE;
};

} // namespace certforge::pkcs11
