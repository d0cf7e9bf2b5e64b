#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs every example of README.md's Usage section as written, in order, in a
fresh folder (with a copy of examples/), with the certforge under test first
on PATH. A line's comment `# exit N` is its expected exit code (else 0).
The probe examples name a device at 10.1.2.3:443; they run against an
`openssl s_server` this script starts on 127.0.0.1 and stops. The JSON
document of each --json example (its stdout, or the file it is redirected
to) must be valid against docs/schema/ (tests/support/validate_json.py).

usage: readme_examples_test.py SOURCE_DIR CERTFORGE_BINARY
Prints each command with its result and "N passed, N failed" at the end.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import validate_json  # noqa: E402

DEVICE = "10.1.2.3:443"


def usage_blocks(readme):
    section = readme.split("\n## Usage\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def commands(block):
    """(command, expected exit code) for each command of a block."""
    lines = []
    pending = ""
    for raw in block.splitlines():
        if pending:
            raw = pending + " " + raw.strip()
            pending = ""
        if raw.rstrip().endswith("\\"):
            pending = raw.rstrip()[:-1].rstrip()
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        expected = 0
        comment = re.search(r"\s#\s*(.*)$", stripped)
        if comment:
            found = re.match(r"exit (\d+)", comment.group(1))
            if found:
                expected = int(found.group(1))
            stripped = stripped[: comment.start()].rstrip()
        lines.append((stripped, expected))
    return lines


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_device(work):
    """An old device on 127.0.0.1: TLS 1.0 only, DHE with a 1024-bit group,
    a SHA-1/RSA-1024 certificate."""
    key = os.path.join(work, "device.key")
    cert = os.path.join(work, "device.crt")
    dh = os.path.join(work, "device-dh.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:1024", "-sha1", "-nodes",
                    "-keyout", key, "-out", cert, "-subj", "/CN=device", "-days", "30"],
                   check=True, capture_output=True)
    subprocess.run(["openssl", "dhparam", "-dsaparam", "-out", dh, "1024"], check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-cert",
                               cert, "-key", key, "-tls1", "-cipher",
                               "DHE-RSA-AES128-SHA:@SECLEVEL=0", "-dhparam", dh, "-quiet",
                               "-naccept", "500"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("openssl s_server did not start")


def json_problems(command, stdout, work):
    """What is wrong with the JSON document of a --json example, if any."""
    if "--json" not in command.split():
        return []
    redirect = re.search(r"\s>\s*(\S+)", command)
    text = stdout
    if redirect:
        path = os.path.join(work, redirect.group(1))
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            text = f.read()
    if not text.strip():
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        return [f"not JSON: {e}"]
    return validate_json.check_document(document)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    if validate_json.jsonschema is None:
        raise SystemExit("python3-jsonschema is missing: apt-get install python3-jsonschema")
    source, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        blocks = usage_blocks(f.read())
    if len(blocks) < 2:
        raise SystemExit("README.md: the Usage section has no sh examples")
    work = tempfile.mkdtemp(prefix="certforge-readme-")
    server = None
    passed = failed = 0
    try:
        shutil.copytree(os.path.join(source, "examples"), os.path.join(work, "examples"))
        bindir = os.path.join(work, "bin")
        os.mkdir(bindir)
        os.symlink(binary, os.path.join(bindir, "certforge"))
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
        env["CERTFORGE_PROFILE_PATH"] = ""
        for block in blocks:
            for command, expected in commands(block):
                if DEVICE in command:
                    if server is None:
                        server, address = start_device(work)
                    command = command.replace(DEVICE, address)
                result = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                        stdin=subprocess.DEVNULL, capture_output=True,
                                        text=True, timeout=120)
                invalid = json_problems(command, result.stdout, work)
                ok = result.returncode == expected and not invalid
                print(f"{'ok  ' if ok else 'FAIL'} exit {result.returncode} (want {expected}): "
                      f"{command}")
                for line in invalid:
                    print(f"     JSON does not fit its schema: {line}")
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or passed == 0 else 0)


if __name__ == "__main__":
    main()
