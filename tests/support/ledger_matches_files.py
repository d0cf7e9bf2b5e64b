# SPDX-License-Identifier: Apache-2.0
"""Checks batch output folders against their CA ledger, with python3's sqlite3
(ca.db) or psql (the PostgreSQL ledger ca.json names; the password from the
environment, as libpq takes it) and python3-cryptography: code certforge did
not write.

usage: ledger_matches_files.py CA_DIR OUT_DIR [OUT_DIR ...]
Several folders are the outputs of runners sharing one CA and its ledger.
Prints each problem and exits 1, or prints "ok N sites" and exits 0.
A device certificate in a site's bundle is recorded at FOLDER#BUNDLE/MEMBER;
its entry must name a member that the bundle holds.
"""
import collections
import json
import os
import sqlite3
import subprocess
import sys
import zipfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ca_dir, out_dirs = sys.argv[1], sys.argv[2:]
problems = []
ca = x509.load_pem_x509_certificate(open(os.path.join(ca_dir, "ca.crt"), "rb").read())
QUERY = "SELECT serial, site, location, status, sha256 FROM certificates"
url = json.load(open(os.path.join(ca_dir, "ca.json"))).get("ledger", "")
if url:
    listed = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
                             "-d", url, "-c", QUERY], capture_output=True, text=True, check=True)
    rows = [tuple(line.split("\x1f")) for line in listed.stdout.splitlines() if line]
else:
    rows = sqlite3.connect(os.path.join(ca_dir, "ca.db")).execute(QUERY).fetchall()

for serial, count in sorted(collections.Counter(row[0] for row in rows).items()):
    if count > 1:
        problems.append(f"serial {serial} is in the ledger {count} times")

for serial, site, location, status, sha256 in rows:
    if status == "pending":
        problems.append(f"{serial} ({site}) is still pending")

sites = 0
folders = [os.path.join(out_dir, name) for out_dir in out_dirs
           for name in sorted(os.listdir(out_dir))]
for folder in folders:
    name = os.path.relpath(folder, os.path.dirname(os.path.dirname(folder)))
    if not os.path.isdir(folder):
        continue
    sites += 1
    for root, _, files in os.walk(folder):
        for file in files:
            if ".certforge-tmp-" in file:
                problems.append(f"temporary file left: {os.path.join(root, file)}")
    try:
        cert = x509.load_pem_x509_certificate(open(os.path.join(folder, "server.crt"), "rb").read())
        key = serialization.load_pem_private_key(
            open(os.path.join(folder, "server.key"), "rb").read(), None)
    except Exception as e:  # noqa: BLE001 - any failure is a finding
        problems.append(f"{name}: {e}")
        continue
    if key.public_key().public_numbers() != cert.public_key().public_numbers():
        problems.append(f"{name}: server.key does not match server.crt")
    try:
        ca.public_key().verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                               cert.signature_hash_algorithm)
    except Exception:  # noqa: BLE001
        problems.append(f"{name}: server.crt is not signed by the CA")
    location = os.path.realpath(folder)
    valid = [r for r in rows if "#" not in r[2] and os.path.realpath(r[2]) == location
             and r[3] == "valid"]
    fingerprint = cert.fingerprint(hashes.SHA256()).hex()
    if len(valid) != 1:
        problems.append(f"{name}: {len(valid)} valid ledger entries, want 1")
    elif valid[0][4] != fingerprint or int(valid[0][0], 16) != cert.serial_number:
        problems.append(f"{name}: the ledger's valid entry is not server.crt")

for serial, site, location, status, sha256 in rows:
    folder, _, part = location.partition("#")
    if status != "valid":
        continue
    if not os.path.isdir(folder):
        problems.append(f"{serial} ({site}) is valid but {folder} does not exist")
    elif part:
        bundle, _, member = part.partition("/")
        try:
            names = zipfile.ZipFile(os.path.join(folder, bundle)).namelist()
        except Exception as e:  # noqa: BLE001
            names = []
            problems.append(f"{serial} ({site}): {e}")
        if member not in names:
            problems.append(f"{serial} ({site}) is valid but {location} is not in the bundle")

for problem in problems:
    print(problem)
if problems:
    sys.exit(1)
print(f"ok {sites} sites")
