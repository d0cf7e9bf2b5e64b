# SPDX-License-Identifier: Apache-2.0
# The Windows cross build's targets for what the Linux build finds as
# packages: CLI11, toml++, fmt (header-only mode) and nlohmann-json from
# CERTFORGE_HEADER_ONLY_DIR (the host's Debian headers, copied there by
# packaging/windows/build.sh), and the system libraries the static OpenSSL,
# Botan and libzip need. Everything, the C++ runtime too, links statically.
if(NOT CERTFORGE_HEADER_ONLY_DIR)
  message(FATAL_ERROR "a Windows build needs CERTFORGE_HEADER_ONLY_DIR (use packaging/windows/build.sh)")
endif()
foreach(target CLI11::CLI11 tomlplusplus::tomlplusplus fmt::fmt nlohmann_json::nlohmann_json)
  add_library(${target} INTERFACE IMPORTED)
  set_target_properties(${target} PROPERTIES
    INTERFACE_SYSTEM_INCLUDE_DIRECTORIES ${CERTFORGE_HEADER_ONLY_DIR}
    INTERFACE_INCLUDE_DIRECTORIES ${CERTFORGE_HEADER_ONLY_DIR})
endforeach()
set_property(TARGET fmt::fmt PROPERTY INTERFACE_COMPILE_DEFINITIONS FMT_HEADER_ONLY=1)
find_library(CERTFORGE_ZLIB NAMES z libz REQUIRED)
add_library(certforge_windows_system INTERFACE)
target_link_libraries(certforge_windows_system INTERFACE
  ${CERTFORGE_ZLIB} ws2_32 crypt32 bcrypt advapi32 user32)
target_compile_definitions(certforge_windows_system INTERFACE
  _WIN32_WINNT=0x0A00 WIN32_LEAN_AND_MEAN NOMINMAX UNICODE _UNICODE)
add_link_options(-static)
set(OPENSSL_USE_STATIC_LIBS TRUE)
