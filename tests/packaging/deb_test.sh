#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package as an admin meets it: lintian has no error or warning;
# it installs with dpkg; from / with a clean environment certforge reports
# its version, finds the shipped profiles and one in /etc/certforge/profiles,
# makes and verifies a certificate, man finds its pages and bash completes
# its commands; the binary holds no build-tree path; dpkg --purge leaves
# nothing behind.
#   bash tests/packaging/deb_test.sh DEB
# Needs root (it installs the package), lintian and man-db.
set -euo pipefail
deb=$1
fail() { echo "deb_test.sh: FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root: it installs the package with dpkg -i"
command -v lintian >/dev/null || fail "lintian is missing (apt-get install lintian)"
command -v man >/dev/null || fail "man is missing (apt-get install man-db)"
if dpkg -s certforge >/dev/null 2>&1; then
  fail "a certforge package is installed already; remove it first (dpkg --purge certforge)"
fi

echo "package: $deb, $(stat -c %s "$deb") bytes, installed size" \
     "$(dpkg-deb -f "$deb" Installed-Size) KiB"
dpkg-deb -f "$deb" Package Version Section Maintainer Depends

# lintian: no error, no warning (info and pedantic tags are listed, not fatal).
lintian_out=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
echo "$lintian_out"
if echo "$lintian_out" | grep -qE '^[EW]: '; then
  fail "lintian reports errors or warnings"
fi

work=$(mktemp -d)
etc_dir=/etc/certforge/profiles
created_etc=no
cleanup() {
  dpkg --purge certforge >/dev/null 2>&1 || true
  [ "$created_etc" = yes ] && rm -rf /etc/certforge
  rm -rf "$work"
}
trap cleanup EXIT

dpkg -i "$deb" >/dev/null
[ -d /etc/certforge ] || { mkdir -p "$etc_dir"; created_etc=yes; }
sed -e 's/^id = .*/id = "site-printers"/' -e 's/^name = .*/name = "Our site printers"/' \
    /usr/share/certforge/profiles/default.toml > "$etc_dir/site-printers.toml"

in_clean_env() { (cd / && env -i PATH=/usr/bin:/bin HOME="$work" "$@"); }
version=$(in_clean_env certforge --version)
[[ "$version" =~ ^certforge\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "certforge --version printed '$version'"
listed=$(in_clean_env certforge profiles list)
echo "$listed" | grep -q '^konica-legacy ' || fail "profiles list misses the shipped konica-legacy"
echo "$listed" | grep -q '^site-printers .*Our site printers' ||
  fail "profiles list misses $etc_dir/site-printers.toml"
in_clean_env certforge profiles show site-printers | grep -q "file: $etc_dir/site-printers.toml" ||
  fail "profiles show does not name the /etc file"
in_clean_env certforge make --profile site-printers --cn print.example.org -o "$work/out" \
  >/dev/null 2>"$work/make.err" || { cat "$work/make.err" >&2; fail "make failed"; }
in_clean_env certforge verify --profile site-printers "$work/out/server.crt" >/dev/null ||
  fail "verify refused what make wrote"
man -w certforge >/dev/null || fail "man -w certforge finds no page"
man -w 5 certforge-profile >/dev/null || fail "man -w 5 certforge-profile finds no page"
completions=$(in_clean_env bash -c 'source /usr/share/bash-completion/completions/certforge
  COMP_WORDS=(certforge ma); COMP_CWORD=1; _certforge; echo "${COMPREPLY[*]}"')
[ "$completions" = make ] || fail "bash completion offers '$completions' for 'certforge ma'"
for file in /usr/share/zsh/vendor-completions/_certforge \
            /usr/share/fish/vendor_completions.d/certforge.fish; do
  [ -f "$file" ] || fail "$file is not installed"
done
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
if grep -qaF "$source_dir" /usr/bin/certforge; then
  fail "/usr/bin/certforge holds the build tree's path $source_dir"
fi

dpkg --purge certforge >/dev/null
left=$(ls -d /usr/bin/certforge /usr/share/certforge /usr/share/doc/certforge \
          /usr/share/man/man1/certforge.1.gz /usr/share/bash-completion/completions/certforge \
          2>/dev/null || true)
[ -z "$left" ] || fail "dpkg --purge left: $left"
echo "deb_test.sh: ok"
