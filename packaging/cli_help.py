# SPDX-License-Identifier: Apache-2.0
"""certforge's own help, read the way the man page and completion
generators need it: `certforge help [COMMAND...]` for every command, parsed
into CLI11's sections. One reader, so the generated files agree."""
import re
import subprocess
import sys


def run_help(certforge, path):
    """The text of `certforge help PATH...`; exits naming the command on failure."""
    result = subprocess.run([certforge, "help", *path], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})
    if result.returncode != 0:
        sys.exit(f"certforge help {' '.join(path)} failed: {result.stderr.strip()}")
    return result.stdout


def parse_help(text):
    """(description, usage, {section: [[item, text], ...]}) of CLI11's help:
    the lines before Usage:, the Usage: line, then each section's items
    ("--ca DIR REQUIRED", "CA folder ...") with wrapped text joined."""
    description, usage, sections, current = [], "", {}, None
    for line in text.splitlines():
        if line.startswith("Usage: "):
            usage = line[len("Usage: "):]
        elif not usage:
            description.append(line)
        elif line.endswith(":") and not line.startswith(" "):
            current = line[:-1]
            sections[current] = []
        elif current and line.startswith(" " * 29):
            item = sections[current][-1]
            item[1] = (item[1] + " " + line.strip()).strip()
        elif current and line.startswith("  "):
            match = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
            sections[current].append([match.group(1), match.group(2) or ""])
    return " ".join(description).strip(), usage, sections


def command_tree(certforge):
    """[(path, description, usage, sections)] for the root and every command,
    each command before its subcommands."""
    tree, pending = [], [[]]
    while pending:
        path = pending.pop(0)
        description, usage, sections = parse_help(run_help(certforge, path))
        tree.append((path, description, usage, sections))
        pending[0:0] = [path + [item] for item, _ in sections.get("Subcommands", [])]
    return tree
