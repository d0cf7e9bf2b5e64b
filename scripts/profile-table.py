#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prints the "Which profile for my device" table of README.md from the
device profiles in profiles/*.toml (not profiles/hosts/), as Markdown.

A profile that `extends` another gets the values it does not set from its
parent (read from the same folder), as certforge resolves them: sections are
merged key by key; `id`, `name`, `extends` and `legacy` are never inherited.

usage:
  profile-table.py [--profiles DIR]                 print the table
  profile-table.py [--profiles DIR] --write README  rewrite README's table
  profile-table.py [--profiles DIR] --check README  exit 1 (with a diff) when
                                                    README's table is not the
                                                    one printed

README's table sits between the lines BEGIN and END below; --write and
--check touch nothing else. Needs Python 3.11 or later (tomllib), no build.
Exit codes: 0 ok, 1 --check found a difference, 2 usage or bad input.
"""
import argparse
import difflib
import os
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    sys.exit("profile-table.py: needs Python 3.11 or later (tomllib)")

BEGIN = "<!-- profile-table:begin -->"
END = "<!-- profile-table:end -->"
NOT_INHERITED = {"id", "name", "extends", "legacy"}
# What a profile gets when neither it nor a parent sets the key
# (profiles/README.md, "Schema").
DEFAULTS = {
    "kind": "device",
    "vendor": "",
    "models": [],
    "legacy": False,
    "key": {"rsa_bits": [2048, 3072, 4096]},
    "signature": {"hashes": ["sha256", "sha384", "sha512"]},
    "tls": {"versions": []},
}
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BadInput(Exception):
    pass


def load(path):
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}") from e
    except tomllib.TOMLDecodeError as e:
        raise BadInput(f"{path}: {e}") from e


def merge(parent, child):
    """child over parent, tables merged key by key."""
    out = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve(folder, profile_id, seen=()):
    """The profile's settings with its parents' filled in."""
    if profile_id in seen:
        raise BadInput(f"extends cycle: {' -> '.join(seen + (profile_id,))}")
    path = os.path.join(folder, profile_id + ".toml")
    if not os.path.isfile(path):
        via = f" (extended by '{seen[-1]}')" if seen else ""
        raise BadInput(f"no profile '{profile_id}' in {folder}{via}")
    own = load(path)
    parent_id = own.get("extends")
    if parent_id is None:
        base = DEFAULTS
    else:
        if not isinstance(parent_id, str):
            raise BadInput(f"{path}: extends is not a string")
        base = resolve(folder, parent_id, seen + (profile_id,))
    inherited = {k: v for k, v in base.items() if k not in NOT_INHERITED}
    resolved = merge(merge(DEFAULTS, inherited), own)
    resolved["legacy"] = own.get("legacy", False)
    return resolved


def cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def joined(values, empty="unknown"):
    return ", ".join(str(v) for v in values) if values else empty


def rows(folder):
    try:
        names = sorted(n[:-5] for n in os.listdir(folder) if n.endswith(".toml"))
    except OSError as e:
        raise BadInput(f"{folder}: {e.strerror}") from e
    if not names:
        raise BadInput(f"no profiles in {folder}")
    out = []
    for profile_id in names:
        p = resolve(folder, profile_id)
        if p.get("kind", "device") != "device":
            continue
        vendor = p.get("vendor") or "generic"
        out.append((vendor == "generic", vendor.lower(), profile_id, [
            vendor,
            "; ".join(p.get("models", [])),
            f"`{profile_id}`",
            "yes" if p["legacy"] else "no",
            joined(p["key"].get("rsa_bits", [])),
            joined(p["signature"].get("hashes", [])),
            joined(p["tls"].get("versions", [])),
        ]))
    # By vendor; the generic profile(s) last.
    out.sort(key=lambda r: r[:3])
    return [r[3] for r in out]


def table(folder):
    lines = ["| vendor | models | profile | legacy | RSA key sizes | hashes | TLS versions |",
             "|---|---|---|---|---|---|---|"]
    for r in rows(folder):
        lines.append("| " + " | ".join(cell(c) for c in r) + " |")
    return "\n".join(lines) + "\n"


def split_readme(path):
    """(before, table, after): before ends with BEGIN's line, after starts
    with END's line."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise BadInput(f"{path}: {e.strerror}") from e
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise BadInput(f"{path}: needs exactly one line '{BEGIN}' and one line '{END}'")
    head, rest = text.split(BEGIN, 1)
    body, tail = rest.split(END, 1)
    if not body.startswith("\n") or not (head == "" or head.endswith("\n")):
        raise BadInput(f"{path}: '{BEGIN}' must be a line of its own")
    return head + BEGIN + "\n", body[1:], END + tail


def shown(path):
    """path as a command to copy would name it: relative below the current
    folder, else as given."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def main():
    parser = argparse.ArgumentParser(
        description="Markdown table of the device profiles (for README.md).")
    parser.add_argument("--profiles", default=os.path.join(SOURCE_DIR, "profiles"),
                        help="folder of device profiles (default: the repository's profiles/)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", metavar="README", help="rewrite the table in README")
    action.add_argument("--check", metavar="README",
                        help="exit 1 with a diff when README's table is out of step")
    args = parser.parse_args()
    try:
        want = table(args.profiles)
        if not args.write and not args.check:
            sys.stdout.write(want)
            return 0
        readme = args.write or args.check
        before, have, after = split_readme(readme)
        if args.write:
            if have != want:
                with open(readme, "w", encoding="utf-8") as f:
                    f.write(before + want + after)
                print(f"profile-table.py: rewrote the profile table in {readme}")
            return 0
        if have == want:
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            have.splitlines(keepends=True), want.splitlines(keepends=True),
            f"{readme} (profile table)", "profiles/*.toml"))
        print(f"profile-table.py: {readme}'s profile table is out of step with the profiles; "
              f"run: python3 {shown(sys.argv[0])} --write {shown(readme)}", file=sys.stderr)
        return 1
    except BadInput as e:
        print(f"profile-table.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
