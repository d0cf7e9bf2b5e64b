#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes certforge's man pages from the sources users already read, so the
pages cannot drift from them:

  certforge.1              from the CLI itself: `certforge help [COMMAND...]`
                           for every command (the same text as --help)
  certforge-profile.5      from profiles/README.md (the profile format: every
                           key, its type, default and meaning)

usage: make-man.py CERTFORGE README OUTDIR VERSION DATE
Each page is written gzip-compressed (-9, no name or time: reproducible).
"""
import gzip
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from cli_help import command_tree  # noqa: E402


def roff_text(text):
    """Escapes running text for roff; `code` becomes bold."""
    text = text.replace("\\", "\\e")
    text = re.sub(r"`([^`]*)`", lambda m: "\\fB" + m.group(1) + "\\fR", text)
    text = re.sub(r"\*([^*\s][^*]*)\*", lambda m: "\\fI" + m.group(1) + "\\fR", text)
    return text.replace("-", "\\-")


def roff_line(text):
    text = roff_text(text)
    return "\\&" + text if text.startswith((".", "'")) else text


def command_page(certforge, version, date):
    out = [f'.TH CERTFORGE 1 "{date}" "certforge {version}" "User Commands"',
           ".SH NAME",
           "certforge \\- make, check and package X.509 certificates that printers accept"]
    tree = command_tree(certforge)
    out += [".SH SYNOPSIS", "\\fBcertforge\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
            ".SH DESCRIPTION", roff_line(tree[0][1])]
    out += [".SH COMMANDS"]
    for _, description, usage, sections in tree[1:]:
        out += [f".SS {roff_text(usage)}", roff_line(description)]
        for title in ("Positionals", "Options"):
            for item, text in sections.get(title, []):
                if item.startswith("-h,--help"):
                    continue
                out += [".TP", f"\\fB{roff_text(item)}\\fR", roff_line(text)]
        if sections.get("EXAMPLES"):
            out += [".PP", "Examples:", ".RS", ".nf"]
            out += [roff_line(item + ("  " + text if text else "")) for item, text in
                    sections["EXAMPLES"]]
            out += [".fi", ".RE"]
    out += [".SH EXIT STATUS",
            "0 ok; 1 a verification found errors (or a batch site failed, or ca list "
            "\\-\\-check found something expiring); 2 usage error; 3 bad input (profile, "
            "file, name, a remote peer); 4 crypto or internal failure.",
            ".SH ENVIRONMENT",
            ".TP", "\\fBCERTFORGE_PROFILE_PATH\\fR",
            "Colon\\-separated folders searched for profiles before the others.",
            ".SH FILES",
            ".TP", "\\fI/etc/certforge/profiles\\fR",
            "The administrator's own profiles; an id there overrides a shipped one.",
            ".TP", "\\fI/usr/share/certforge/profiles\\fR",
            "The shipped device and host profiles.",
            ".SH SEE ALSO",
            "\\fBcertforge\\-profile\\fR(5), \\fBopenssl\\fR(1), \\fBkeytool\\fR(1)"]
    return "\n".join(out) + "\n"


def profile_page(readme, version, date):
    out = [f'.TH CERTFORGE-PROFILE 5 "{date}" "certforge {version}" "File Formats"',
           ".SH NAME", "certforge\\-profile \\- device and host profiles of certforge",
           ".SH DESCRIPTION"]
    paragraph = []

    def flush():
        if paragraph:
            out.extend([".PP", roff_line(" ".join(paragraph))])
            paragraph.clear()

    in_code = False
    for line in Path(readme).read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            flush()
            out.append(".nf" if not in_code else ".fi")
            in_code = not in_code
        elif in_code:
            out.append(roff_line(line) if line else "")
        elif line.startswith("# "):
            continue
        elif line.startswith("## "):
            flush()
            out.append(".SH " + roff_text(line[3:].upper()))
        elif line.startswith("### "):
            flush()
            out.append(".SS " + roff_text(line[4:]))
        elif line.startswith("|"):
            flush()
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if cells[0] in ("key", "") or set(cells[0]) <= set("-"):
                continue
            cells = [c.replace("\\|", "|") for c in cells]
            out += [".TP", roff_text(cells[0]).replace("\\fB", "\\fB", 1)]
            details = f"{cells[1]}; default {cells[2]}." if len(cells) > 3 else ""
            out.append(roff_line(f"{details} {cells[-1]}".strip()))
        elif line.startswith("- "):
            flush()
            out += [".IP \\(bu 2", roff_line(line[2:])]
        elif not line.strip():
            flush()
        else:
            paragraph.append(line.strip())
    flush()
    out += [".SH SEE ALSO", "\\fBcertforge\\fR(1)"]
    return "\n".join(out) + "\n"


def write_gz(path, text):
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9,
                           mtime=0) as out:
            out.write(text.encode("utf-8"))


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    certforge, readme, outdir, version, date = sys.argv[1:]
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    write_gz(outdir / "certforge.1.gz", command_page(certforge, version, date))
    write_gz(outdir / "certforge-profile.5.gz", profile_page(readme, version, date))


if __name__ == "__main__":
    main()
