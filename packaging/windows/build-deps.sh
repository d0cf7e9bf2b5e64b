#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the static Windows x64 libraries certforge.exe links, from
# Debian's source packages (bookworm, with Debian's patches applied), into
# a cache folder outside the repository:
#   $CERTFORGE_WINDOWS_CACHE (default ~/.cache/certforge-windows)/
#     PACKAGE-KEY/   one library, KEY a hash of its source version, the
#                    mingw-w64 compiler's version and its recipe below (and
#                    of what it builds on: libzip on zlib)
#     deps-KEY/      all of them in one prefix (include/, lib/), made from
#                    those folders
# A new Debian upload or a changed recipe rebuilds that library only.
# Prints the prefix as its last line.
#   OpenSSL 3.0   ./Configure mingw64 no-shared no-module (the legacy
#                 provider is built into libcrypto, for pfx-rc2)
#   Botan 2.19    configure.py --os=mingw, the modules certforge uses
#   zlib, libzip  static, libzip without its optional crypto and compressors
#   SQLite        the amalgamation made from the source tree (needs tclsh)
# Header-only CLI11, toml++, fmt and nlohmann-json come from the host's
# Debian -dev packages (packaging/windows/build.sh). Needs root only to add
# the deb-src entry once.
set -euo pipefail
triplet=x86_64-w64-mingw32
cache_root=${CERTFORGE_WINDOWS_CACHE:-$HOME/.cache/certforge-windows}
toolchain=$(cd "$(dirname "$0")" && pwd)/mingw-w64.cmake
jobs=$(nproc)
packages=(openssl botan zlib libzip sqlite3)
log() { echo "build-deps: $*" >&2; }

# A deb-src entry for each deb entry of Debian's sources (same URIs,
# suites and keyring), once.
ensure_deb_src() {
  local sources=/etc/apt/sources.list.d/debian.sources
  local ours=/etc/apt/sources.list.d/certforge-deb-src.sources
  if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return
  fi
  [ -r "$sources" ] || { log "no $sources to derive a deb-src entry from"; exit 2; }
  log "adding $ours (deb-src for the entries of $sources)"
  sed -e 's/^Types: deb$/Types: deb-src/' "$sources" >"$ours"
  apt-get update -q >&2
}

# The source versions apt knows for PACKAGE, newest first.
versions_of() {
  apt-cache showsrc "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -rV | uniq
}

# build_PACKAGE SOURCE_TREE PREFIX: one library, installed into PREFIX.
build_openssl() {
  (cd "$1" &&
    ./Configure mingw64 no-shared no-tests no-dso no-module \
      --cross-compile-prefix=$triplet- --prefix="$2" --libdir=lib \
      CC=gcc-posix CXX=g++-posix >/dev/null &&
    make -j"$jobs" build_libs >/dev/null 2>&1 &&
    make install_dev >/dev/null)
}
build_botan() {
  (cd "$1" &&
    python3 configure.py --os=mingw --cpu=x86_64 --cc=gcc --cc-bin=$triplet-g++-posix \
      --ar-command=$triplet-ar --disable-shared-library --prefix="$2" \
      --without-documentation --minimized-build \
      --enable-modules=rsa,ecdsa,ecdh,ed25519,dh,dsa,x509,pubkey,pem,pbes2,emsa_pkcs1,emsa_pssr,sha1,sha2_32,sha2_64,sha3,md5,auto_rng,system_rng,chacha_rng,hmac_drbg,aes,des,cbc,gcm,hmac,pbkdf2,pbkdf,scrypt,asn1,bigint,ec_group,eme_pkcs1,eme_oaep,entropy,win32_stats >/dev/null &&
    make -j"$jobs" libs >/dev/null 2>&1 &&
    make install >/dev/null)
}
build_zlib() {
  (cd "$1" &&
    CHOST=$triplet CC=$triplet-gcc-posix AR=$triplet-ar RANLIB=$triplet-ranlib \
      ./configure --static --prefix="$2" >/dev/null &&
    make -j"$jobs" libz.a >/dev/null 2>&1 &&
    mkdir -p "$2/include" "$2/lib" &&
    cp zlib.h zconf.h "$2/include/" && cp libz.a "$2/lib/")
}
build_libzip() {
  local zlib=$cache_root/zlib-${keys[zlib]}
  cmake -S "$1" -B "$1/build-cross" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$2" -DBUILD_SHARED_LIBS=OFF \
    -DZLIB_LIBRARY="$zlib/lib/libz.a" -DZLIB_INCLUDE_DIR="$zlib/include" \
    -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF \
    -DENABLE_WINDOWS_CRYPTO=OFF -DENABLE_BZIP2=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF \
    -DBUILD_TOOLS=OFF -DBUILD_REGRESS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF >/dev/null &&
    cmake --build "$1/build-cross" >/dev/null &&
    cmake --install "$1/build-cross" >/dev/null
}
build_sqlite3() {
  mkdir -p "$1/build-amalgamation" "$2/include" "$2/lib"
  (cd "$1/build-amalgamation" && "$1/configure" >/dev/null && make sqlite3.c >/dev/null 2>&1 &&
    $triplet-gcc-posix -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
      -c sqlite3.c -o sqlite3.o &&
    $triplet-ar rcs "$2/lib/libsqlite3.a" sqlite3.o &&
    cp sqlite3.h sqlite3ext.h "$2/include/")
}

ensure_deb_src
[ -n "$(versions_of openssl)" ] || apt-get update -q >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
compiler=$($triplet-g++-posix -dumpfullversion)
declare -A chosen keys
# A mirror may list a version whose files are gone: take the newest that
# downloads in full.
fetch() {
  local package=$1 version
  for version in $(versions_of "$package"); do
    mkdir -p "$work/fetch/$package"
    if (cd "$work/fetch/$package" &&
        apt-get source -q --download-only "$package=$version" >/dev/null 2>&1); then
      chosen[$package]=$version
      return
    fi
    rm -rf "$work/fetch/$package"
  done
  log "cannot download the source of $package (is there a deb-src entry?)"
  exit 3
}

started=$SECONDS
combined=""
for package in "${packages[@]}"; do
  fetch "$package"
  key_text="$package ${chosen[$package]} gcc-$compiler $(declare -f "build_$package")"
  [ "$package" != libzip ] || key_text+=" zlib-${keys[zlib]}"
  keys[$package]=$(echo "$key_text" | sha256sum | cut -c1-16)
  combined+="$package-${keys[$package]} "
  dir=$cache_root/$package-${keys[$package]}
  if [ -f "$dir/.complete" ]; then
    log "$package ${chosen[$package]}: cached in $dir"
    continue
  fi
  step=$SECONDS
  rm -rf "$dir" "$work/src-$package"
  (cd "$work" && dpkg-source --no-check -x "$(ls "$work/fetch/$package"/*.dsc)" "src-$package" >/dev/null)
  if ! "build_$package" "$work/src-$package" "$dir"; then
    log "$package ${chosen[$package]}: the build failed"
    exit 4
  fi
  echo "${chosen[$package]}" >"$dir/version"
  touch "$dir/.complete"
  log "$package ${chosen[$package]}: built in $((SECONDS - step)) s into $dir"
done

prefix=$cache_root/deps-$(echo "$combined" | sha256sum | cut -c1-16)
if [ ! -f "$prefix/.complete" ]; then
  rm -rf "$prefix"
  mkdir -p "$prefix"
  for package in "${packages[@]}"; do
    cp -a "$cache_root/$package-${keys[$package]}/." "$prefix/"
  done
  rm -f "$prefix/version" "$prefix/.complete"
  # The pkg-config files name the folder each library was built into.
  for pc in "$prefix"/lib/pkgconfig/*.pc; do
    sed -i "s|^prefix=.*|prefix=$prefix|" "$pc"
  done
  for package in "${packages[@]}"; do
    echo "$package ${chosen[$package]}"
  done >"$prefix/versions.txt"
  touch "$prefix/.complete"
fi
log "ready in $((SECONDS - started)) s: $prefix"
echo "$prefix"
