#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Lists the lines of src/ and include/ that turn a path into text, or read
the environment, without the UTF-8 helpers (docs/ARCHITECTURE.md, "Text and
paths"): path.string(), path.generic_string() and std::getenv outside the
platform layer and the test hooks. Exit 1 when there is one.

usage: path-text-check.py [--root DIR]"""
import argparse
import pathlib
import re
import sys

PATTERNS = [
    (re.compile(r"(\.|->)(generic_)?string\(\)"), "a path as text: use path_text()"),
    (re.compile(r"\bgetenv\s*\("), "the environment: use platform::environment_variable()"),
]
ALLOWED_GETENV = ("src/lib/platform/", "src/lib/common/test_hooks.cpp")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent)
    root = pathlib.Path(parser.parse_args().root)
    found = 0
    for folder in ("src", "include"):
        for file in sorted((root / folder).rglob("*")):
            if file.suffix not in (".cpp", ".hpp", ".h"):
                continue
            relative = file.relative_to(root).as_posix()
            for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                for pattern, advice in PATTERNS:
                    if not pattern.search(line):
                        continue
                    if "getenv" in pattern.pattern and relative.startswith(ALLOWED_GETENV):
                        continue
                    print(f"{relative}:{number}: {advice}: {line.strip()}")
                    found += 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
