#include "certforge/version.hpp"

namespace certforge {

std::string_view version() {
    return CERTFORGE_VERSION;
}

} // namespace certforge
