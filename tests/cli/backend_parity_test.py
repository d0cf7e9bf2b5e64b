#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Runs `certforge verify --profile default --json` on every X.509 test vector
of python3-cryptography-vectors (x509/**/*.pem, *.der, *.crt: certificates,
but also CRLs, requests, OCSP messages and keys) with each backend, and
checks that both backends agree:

- the same exit code: 0 or 1 (read, with a verdict) or 3 (refused as input);
  never 4 (an internal failure), never a signal, never a hang;
- a refusal is one line `certforge: error: ...` on stderr;
- each JSON report is valid against docs/schema/ (tests/support/validate_json.py);
- for a file both read, the same serial and fingerprint and the same findings
  (rule, status, severity) for each certificate. Chain findings may differ where one library cannot check a
  signature the other can (Botan 2 has no Ed448; OpenSSL refuses an RSA-PSS
  signature whose parameters the key's own parameters forbid): that finding
  says which backend could not check it and why.

usage: backend_parity_test.py CERTFORGE_BINARY
Fails, naming the package, when python3-cryptography-vectors or
python3-jsonschema is missing.
Prints each disagreement and "N files, N disagreements" at the end.
"""
import concurrent.futures
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "support"))
import validate_json  # noqa: E402

BACKENDS = ("openssl", "botan")
TIMEOUT = 60


def vector_files():
    try:
        import cryptography_vectors
    except ImportError:
        sys.exit("python3-cryptography-vectors is missing: "
                 "apt-get install python3-cryptography-vectors")
    root = os.path.join(os.path.dirname(cryptography_vectors.__file__), "x509")
    files = sorted(os.path.join(folder, name)
                   for folder, _, names in os.walk(root) for name in names
                   if name.endswith((".pem", ".der", ".crt")))
    if len(files) < 500:
        sys.exit(f"python3-cryptography-vectors: only {len(files)} X.509 files under {root}")
    return root, files


def verify(binary, backend, path):
    """(exit code or a description of what went wrong, stderr, verdict)."""
    env = dict(os.environ, CERTFORGE_PROFILE_PATH="")
    try:
        run = subprocess.run([binary, "verify", "--profile", "default", "--backend", backend,
                              "--json", path], capture_output=True, env=env, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"no exit after {TIMEOUT} s", "", None
    err = run.stderr.decode("utf-8", "replace")
    if run.returncode < 0:
        return f"signal {-run.returncode}", err, None
    verdict = None
    if run.returncode in (0, 1):
        document = json.loads(run.stdout)
        invalid = validate_json.check_document(document)
        if invalid:
            return f"{run.returncode} with JSON that does not fit its schema: {invalid[0]}", err, None
        report = document["files"][0]
        verdict = [[("serial", cert["serial"], cert["sha256"])] +
                   [(f["rule"], f["status"], f["severity"]) for f in cert["findings"]]
                   for cert in report["certificates"]]
    return run.returncode, err, verdict


def problems(results):
    """What is wrong with one file's results, by backend name."""
    out = []
    for backend, (code, err, _) in results.items():
        if code not in (0, 1, 3):
            out.append(f"{backend}: exit {code}: {err.strip()}")
        elif code == 3 and (err.count("\n") != 1 or not err.startswith("certforge: error: ")):
            out.append(f"{backend}: exit 3 without one error line: {err!r}")
    codes = {backend: result[0] for backend, result in results.items()}
    if len(set(codes.values())) > 1:
        out.append("exit codes differ: " + ", ".join(
            f"{backend} {code} {results[backend][1].strip()}" for backend, code in codes.items()))
    elif len({json.dumps(result[2]) for result in results.values()}) > 1:
        first, second = (results[backend][2] for backend in BACKENDS)
        for index, (a, b) in enumerate(zip(first, second)):
            for x, y in zip(a, b):
                if x != y:
                    out.append(f"certificate #{index}: {BACKENDS[0]} {x}, {BACKENDS[1]} {y}")
        if len(first) != len(second) or any(len(a) != len(b) for a, b in zip(first, second)):
            out.append("the backends report different numbers of certificates or findings")
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    binary = sys.argv[1]
    if validate_json.jsonschema is None:
        sys.exit("python3-jsonschema is missing: apt-get install python3-jsonschema")
    root, files = vector_files()
    workers = min(4, os.cpu_count() or 1)
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        futures = {(path, backend): pool.submit(verify, binary, backend, path)
                   for path in files for backend in BACKENDS}
        disagreements = 0
        for path in files:
            results = {backend: futures[(path, backend)].result() for backend in BACKENDS}
            found = problems(results)
            if found:
                disagreements += 1
                print(os.path.relpath(path, root))
                for line in found:
                    print("  " + line)
    print(f"{len(files)} files, {disagreements} disagreements")
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
