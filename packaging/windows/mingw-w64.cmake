# SPDX-License-Identifier: Apache-2.0
# CMake toolchain for a Windows x64 build on Debian with mingw-w64 (the
# -posix compilers, for std::thread and std::mutex). CERTFORGE_WINDOWS_PREFIX
# (the dependency cache's prefix) is searched for libraries and headers
# before the host's header-only packages.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc-posix)
set(CMAKE_CXX_COMPILER x86_64-w64-mingw32-g++-posix)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_AR x86_64-w64-mingw32-ar CACHE FILEPATH "")
set(CMAKE_RANLIB x86_64-w64-mingw32-ranlib CACHE FILEPATH "")
if(DEFINED ENV{CERTFORGE_WINDOWS_PREFIX})
  set(CMAKE_FIND_ROOT_PATH $ENV{CERTFORGE_WINDOWS_PREFIX} /usr/x86_64-w64-mingw32)
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
