#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Builds the static Windows x64 libraries certforge.exe links, from
# Debian's source packages (bookworm, with Debian's patches applied), into
# a cache folder outside the repository:
#   $CERTFORGE_WINDOWS_CACHE (default ~/.cache/certforge-windows)/deps-KEY
# KEY is a hash of the source package versions, the mingw-w64 compiler's
# version and this script, so a new Debian upload or a changed recipe
# builds afresh and anything else reuses the cache. Prints the prefix
# (include/, lib/) as its last line.
#   OpenSSL 3.0   ./Configure mingw64 no-shared (legacy provider built in, for pfx-rc2)
#   Botan 2.19    configure.py --os=mingw, the modules certforge uses
#   zlib, libzip  static, libzip without its optional crypto and compressors
#   SQLite        the amalgamation made from the source tree (needs tclsh)
# Header-only CLI11, toml++, fmt and nlohmann-json come from the host's
# Debian -dev packages. Needs root only to add the deb-src entry once.
set -euo pipefail
triplet=x86_64-w64-mingw32
cache_root=${CERTFORGE_WINDOWS_CACHE:-$HOME/.cache/certforge-windows}
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
  apt-cache showsrc "$1" | sed -n 's/^Version: //p' | sort -rV | uniq
}

ensure_deb_src
if ! apt-cache showsrc openssl >/dev/null 2>&1 || [ -z "$(versions_of openssl)" ]; then
  apt-get update -q >&2
fi

# A mirror may list a version whose files are gone: take the newest that
# downloads in full.
declare -A chosen
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for package in "${packages[@]}"; do
  for version in $(versions_of "$package"); do
    mkdir -p "$work/fetch/$package"
    if (cd "$work/fetch/$package" && apt-get source -q --download-only "$package=$version" >/dev/null 2>&1); then
      chosen[$package]=$version
      break
    fi
    rm -rf "$work/fetch/$package"
  done
  [ -n "${chosen[$package]:-}" ] || { log "cannot download the source of $package"; exit 3; }
done

recipe_hash=$(sha256sum "$0" "$(dirname "$0")/mingw-w64.cmake" | sha256sum | cut -c1-12)
compiler=$($triplet-g++-posix -dumpfullversion)
key_text="gcc-$compiler recipe-$recipe_hash"
for package in "${packages[@]}"; do
  key_text+=" $package-${chosen[$package]}"
done
key=$(echo "$key_text" | sha256sum | cut -c1-16)
prefix=$cache_root/deps-$key
if [ -f "$prefix/.complete" ]; then
  log "cached: $prefix ($key_text)"
  echo "$prefix"
  exit 0
fi
log "building into $prefix ($key_text)"
rm -rf "$prefix"
mkdir -p "$prefix/include" "$prefix/lib"

unpack() { # PACKAGE: the patched source tree, printed
  local dsc
  dsc=$(ls "$work/fetch/$1"/*.dsc)
  (cd "$work" && dpkg-source --no-check -x "$dsc" "src-$1" >/dev/null)
  echo "$work/src-$1"
}

started=$SECONDS
step_started=$SECONDS
step_done() { log "$1 built in $((SECONDS - step_started)) s"; step_started=$SECONDS; }

src=$(unpack openssl)
(cd "$src" &&
  ./Configure mingw64 no-shared no-tests no-dso no-module \
    --cross-compile-prefix=$triplet- --prefix="$prefix" --libdir=lib \
    CC=gcc-posix CXX=g++-posix >/dev/null &&
  make -j"$jobs" build_libs >/dev/null &&
  make install_dev >/dev/null)
step_done "OpenSSL ${chosen[openssl]}"

src=$(unpack botan)
(cd "$src" &&
  python3 configure.py --os=mingw --cpu=x86_64 --cc=gcc --cc-bin=$triplet-g++-posix \
    --ar-command=$triplet-ar --disable-shared-library --prefix="$prefix" \
    --without-documentation --minimized-build \
    --enable-modules=rsa,ecdsa,ecdh,ed25519,dh,dsa,x509,pubkey,pem,pbes2,emsa_pkcs1,emsa_pssr,sha1,sha2_32,sha2_64,sha3,md5,auto_rng,system_rng,chacha_rng,hmac_drbg,aes,des,cbc,gcm,hmac,pbkdf2,pbkdf,scrypt,asn1,bigint,ec_group,eme_pkcs1,eme_oaep,entropy,win32_stats >/dev/null &&
  make -j"$jobs" libs >/dev/null &&
  make install >/dev/null)
step_done "Botan ${chosen[botan]}"

src=$(unpack zlib)
(cd "$src" &&
  make -f win32/Makefile.gcc PREFIX=$triplet- libz.a >/dev/null &&
  cp zlib.h zconf.h "$prefix/include/" && cp libz.a "$prefix/lib/")
step_done "zlib ${chosen[zlib]}"

src=$(unpack libzip)
cmake -S "$src" -B "$work/build-libzip" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$(cd "$(dirname "$0")" && pwd)/mingw-w64.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" -DBUILD_SHARED_LIBS=OFF \
  -DZLIB_LIBRARY="$prefix/lib/libz.a" -DZLIB_INCLUDE_DIR="$prefix/include" \
  -DENABLE_COMMONCRYPTO=OFF -DENABLE_GNUTLS=OFF -DENABLE_MBEDTLS=OFF -DENABLE_OPENSSL=OFF \
  -DENABLE_WINDOWS_CRYPTO=ON -DENABLE_BZIP2=OFF -DENABLE_LZMA=OFF -DENABLE_ZSTD=OFF \
  -DBUILD_TOOLS=OFF -DBUILD_REGRESS=OFF -DBUILD_EXAMPLES=OFF -DBUILD_DOC=OFF >/dev/null
cmake --build "$work/build-libzip" >/dev/null
cmake --install "$work/build-libzip" >/dev/null
step_done "libzip ${chosen[libzip]}"

src=$(unpack sqlite3)
mkdir -p "$work/build-sqlite"
(cd "$work/build-sqlite" && "$src/configure" >/dev/null && make sqlite3.c >/dev/null &&
  $triplet-gcc-posix -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION -c sqlite3.c -o sqlite3.o &&
  $triplet-ar rcs "$prefix/lib/libsqlite3.a" sqlite3.o &&
  cp sqlite3.h sqlite3ext.h "$prefix/include/")
step_done "SQLite ${chosen[sqlite3]}"

echo "$key_text" >"$prefix/versions.txt"
touch "$prefix/.complete"
log "all built in $((SECONDS - started)) s"
echo "$prefix"
