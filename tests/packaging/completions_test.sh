#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The generated completions: the bash function offers what a user expects
# for a few command lines; the zsh and fish files parse.
#   completions_test.sh COMPLETION_DIR CERTFORGE
set -euo pipefail
dir=$1
export PATH="$(dirname "$2"):$PATH"
fail() { echo "completions_test.sh: FAIL: $*" >&2; exit 1; }
for shell in zsh fish; do
  command -v $shell >/dev/null || fail "$shell is missing (apt-get install $shell)"
done
# shellcheck disable=SC1091
source "$dir/certforge"
offered() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _certforge
  echo "${COMPREPLY[*]}"
}
expect() {
  local want=$1
  shift
  local got
  got=$(offered "$@")
  [ "$got" = "$want" ] || fail "certforge ${*:2}: offered '$got', want '$want'"
}
expect "make" certforge ma
expect "list" certforge ca l
expect "--profile --profiles" certforge make --prof
expect "konica-legacy" certforge make --profile konica-l
expect "ricoh-im-act1 ricoh-im-act2" certforge profiles show rico
expect "windows-server-2019" certforge probe --server-os windows-server-2019
expect "--password-file --password-env" certforge verify --pass
zsh -n "$dir/_certforge" || fail "the zsh completion does not parse"
fish --no-execute "$dir/certforge.fish" || fail "the fish completion does not parse"
echo "completions_test.sh: ok"
