#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every reader on every hostile input, on every backend of the build.

Makes the corpus with tests/hostile/make_corpus.py, then runs the command
that reads each kind of input. A file must be refused with exit 2 or 3 and
exactly one error line on stderr (`certforge: error: ...`, after any
`certforge: warning:` lines); files named "maybe-*"
may also be read (exit 0 or 1): a flipped bit, or text cut short, can leave
a valid file.
Never exit 4, never a signal, never more than TIMEOUT seconds.

    hostile_corpus_test.py SOURCE_DIR CERTFORGE_BINARY
"""
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

# Seconds a run may take; the sanitize preset's slower build may ask for more
# (CERTFORGE_HOSTILE_TIMEOUT).
TIMEOUT = int(os.environ.get("CERTFORGE_HOSTILE_TIMEOUT", "10"))


def run(argv, cwd):
    started = time.monotonic()
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=TIMEOUT,
                              env=dict(os.environ, CERTFORGE_PROFILE_PATH=""))
    except subprocess.TimeoutExpired:
        return None, b"", time.monotonic() - started
    return done.returncode, done.stderr, time.monotonic() - started


def judge(name, code, stderr):
    """None when the outcome is allowed, else why not."""
    if code is None:
        return f"still running after {TIMEOUT} s"
    if code < 0:
        return f"killed by signal {-code}"
    lines = stderr.decode("utf-8", "replace").splitlines()
    if code in (2, 3):
        # One error line, last; before it only warnings (weak crypto is
        # always announced).
        errors = [line for line in lines if not line.startswith("certforge: warning: ")]
        if len(errors) != 1 or lines[-1] != errors[0] or not errors[0].startswith(
                "certforge: error: "):
            return f"exit {code} with {len(lines)} lines of stderr: {lines[:3]}"
        return None
    if code in (0, 1) and name.startswith("maybe-"):
        return None
    return f"exit {code}: {lines[:3]}"


def main():
    source, binary = sys.argv[1], os.path.abspath(sys.argv[2])
    work = tempfile.mkdtemp(prefix="certforge-hostile-")
    corpus = os.path.join(work, "corpus")
    made = subprocess.run([sys.executable, os.path.join(source, "tests/hostile/make_corpus.py"),
                           corpus], capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"make_corpus.py failed: {made.stderr}")
    version = json.loads(subprocess.run([binary, "version", "--json"], capture_output=True,
                                        check=True).stdout)
    backends = [b["name"] for b in version["backends"]]
    for name, text in (("pw-fuzz", "fuzz\n"), ("pw-fuzzing", "fuzzing\n")):
        with open(os.path.join(work, name), "w") as f:
            f.write(text)

    jobs = []  # (label, name, argv)
    for backend in backends:
        ca = os.path.join(work, f"ca-{backend}")
        subprocess.run([binary, "ca", "init", "--profile", "default", "--name", "Hostile CA",
                        "--out", ca, "--backend", backend], check=True, capture_output=True)
        out = os.path.join(work, f"out-{backend}")
        commands = {
            "certificate": [["verify", "--profile", "default", "{}"]],
            "pkcs7": [["verify", "--profile", "default", "{}"]],
            "jks": [["verify", "--profile", "default", "{}", "--password-file",
                     os.path.join(work, "pw-fuzzing")]],
            "pkcs12": [["verify", "--profile", "default", "{}", "--password-file",
                        os.path.join(work, "pw-fuzz")],
                       ["export", "--in", "{}", "--in-password-file", os.path.join(work, "pw-fuzz"),
                        "--format", "pem-bundle", "--out", out + "-export.pem", "--force"]],
            "csr": [["ca", "sign", "--ca", ca, "--profile", "default", "--out",
                     out + "-signed.crt", "--force", "{}"]],
            "sites-toml": [["batch", "{}", "--ca", ca, "--out", out + "-sites", "--dry-run"]],
            "sites-csv": [["batch", "{}", "--ca", ca, "--out", out + "-sites", "--dry-run"]],
        }
        for reader, argvs in commands.items():
            for name in sorted(os.listdir(os.path.join(corpus, reader))):
                path = os.path.join(corpus, reader, name)
                for argv in argvs:
                    full = [binary] + [path if a == "{}" else a for a in argv]
                    jobs.append((f"{reader} [{backend}] {argv[0]}", name, full + ["--backend",
                                                                                  backend]))
    for reader, argv in (("profile", ["profiles", "show", "{}"]),
                         ("probe-report", ["schannel", "--from-probe", "{}", "--out",
                                           os.path.join(work, "fix.reg"), "--force"])):
        for name in sorted(os.listdir(os.path.join(corpus, reader))):
            path = os.path.join(corpus, reader, name)
            jobs.append((f"{reader} {argv[0]}", name,
                         [binary] + [path if a == "{}" else a for a in argv]))

    failures = []
    slowest = (0.0, "")
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {pool.submit(run, argv, work): (label, name) for label, name, argv in jobs}
        for future in concurrent.futures.as_completed(futures):
            label, name = futures[future]
            code, stderr, seconds = future.result()
            slowest = max(slowest, (seconds, f"{label} {name}"))
            why = judge(name, code, stderr)
            if why:
                failures.append(f"{label} {name}: {why}")
    for line in sorted(failures):
        print(line if len(line) < 300 else line[:300] + "...")
    print(f"{len(jobs)} runs, {len(failures)} failures; slowest {slowest[0]:.2f} s ({slowest[1]})")
    subprocess.run(["rm", "-rf", work])
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
