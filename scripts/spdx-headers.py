#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Every source file of certforge starts with its SPDX license line.

usage: spdx-headers.py [--root DIR] (--check | --write)

Source files are C++ (.cpp .hpp .h, and Windows resource scripts .rc), Python (.py), shell (.sh), CMake
(CMakeLists.txt, .cmake) and any other file that starts with "#!" (.ci/run).
Data (profiles, fixtures, JSON, Markdown) carries no header: LICENSE and
packaging/debian/copyright cover it.

The line is the first line, or the second after a "#!" line:
    // SPDX-License-Identifier: Apache-2.0     (C++)
    # SPDX-License-Identifier: Apache-2.0      (the rest)

Files are those git knows (tracked, or new and not ignored) when DIR is a
git work tree, else every file under DIR outside build/, dist/ and .git/.

--check lists each file without the line and exits 1 if there is one;
--write adds the line where it is missing. Exit 2 for a usage error.
"""
import argparse
import os
import subprocess
import sys

LICENSE = "Apache-2.0"
CPP_SUFFIXES = (".cpp", ".hpp", ".h", ".rc")
HASH_SUFFIXES = (".py", ".sh", ".cmake")
SKIPPED_DIRS = {"build", "dist", ".git"}


def candidate_files(root):
    try:
        listed = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        return sorted(p for p in listed.decode().split("\0") if p)
    except (OSError, subprocess.CalledProcessError):
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            found += [os.path.relpath(os.path.join(folder, f), root) for f in files]
        return sorted(found)


def comment_of(path, first_line):
    """The comment marker for a source file, or None when it is data."""
    name = os.path.basename(path)
    if name.endswith(CPP_SUFFIXES):
        return "//"
    if name.endswith(HASH_SUFFIXES) or name == "CMakeLists.txt" or first_line.startswith(b"#!"):
        return "#"
    return None


def header_index(lines):
    return 1 if lines and lines[0].startswith(b"#!") else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."))
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true")
    args = parser.parse_args()

    missing = []
    checked = 0
    for relative in candidate_files(args.root):
        path = os.path.join(args.root, relative)
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        with open(path, "rb") as f:
            content = f.read()
        lines = content.splitlines(keepends=True)
        marker = comment_of(relative, lines[0] if lines else b"")
        if marker is None:
            continue
        checked += 1
        wanted = f"{marker} SPDX-License-Identifier: {LICENSE}\n".encode()
        at = header_index(lines)
        if len(lines) > at and lines[at] == wanted:
            continue
        missing.append(relative)
        if args.write:
            lines.insert(at, wanted)
            with open(path, "wb") as f:
                f.write(b"".join(lines))

    if args.write:
        print(f"spdx-headers: {len(missing)} of {checked} source files given the line")
        return 0
    for relative in missing:
        print(f"{relative}: no 'SPDX-License-Identifier: {LICENSE}' line "
              "(first line, or second after #!)")
    if missing:
        print(f"spdx-headers: {len(missing)} of {checked} source files lack the line; "
              "scripts/spdx-headers.py --write adds it", file=sys.stderr)
        return 1
    print(f"spdx-headers: all {checked} source files carry the line")
    return 0


if __name__ == "__main__":
    sys.exit(main())
