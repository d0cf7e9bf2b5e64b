#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Makes the hostile-input corpus from the fuzz seeds (fuzz/corpus/).

Deterministic (a fixed random seed): running it again gives the same files.
Each reader gets its own folder; every file there must be refused with exit
2 or 3 and one line on stderr, except files whose name starts with "maybe-"
(bit flips, and text cut short, may leave a valid file: those may also pass
or fail a check).

    make_corpus.py OUT_DIR    (re)writes OUT_DIR/READER/NAME.EXT

The corpus is about 19 MB (inputs that are large by design), so it is made
by the test that uses it (tests/cli/hostile_corpus_test.py) rather than
kept in the repository.
"""
import base64
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "..", "..", "fuzz", "corpus")
OUT = None

rng = random.Random(20261130)


def seed(kind, name):
    with open(os.path.join(SEEDS, kind, name), "rb") as f:
        return f.read()


def der_header(tag, length):
    if length < 0x80:
        return bytes([tag, length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw


def pem(label, der):
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN {label}-----\n{body}-----END {label}-----\n".encode()


def truncations(data):
    points = sorted({1, 2, len(data) // 10, len(data) // 2, len(data) - 1})
    return {f"trunc-{p}": data[:p] for p in points if 0 < p < len(data)}


def flips(data, count):
    out = {}
    for i in range(count):
        mutated = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(mutated))
            mutated[at] ^= 1 << rng.randrange(8)
        out[f"maybe-flip-{i}"] = bytes(mutated)
    return out


def der_family(der):
    """DER damage: truncations, flips, huge and lying lengths, deep nesting."""
    files = {}
    files.update(truncations(der))
    files.update(flips(der, 6))
    body = der[2 + (der[1] & 0x7F if der[1] & 0x80 else 0):]
    files["length-2g"] = b"\x30\x84\x7f\xff\xff\xff" + body
    files["length-4g"] = b"\x30\x84\xff\xff\xff\xff" + body
    files["length-8-octets"] = b"\x30\x88\x00\x00\x00\x01\x00\x00\x00\x00" + body
    files["length-short-by-one"] = der_header(0x30, len(body) - 1) + body
    files["length-long-by-one"] = der_header(0x30, len(body) + 1) + body
    files["indefinite-unterminated"] = b"\x30\x80" + body
    files["nested-10000"] = b"\x30\x80" * 10000
    nested = b"\x05\x00"
    for _ in range(2000):
        nested = der_header(0x30, len(nested)) + nested
    files["nested-definite-2000"] = nested
    files["trailing-garbage"] = der + bytes(rng.randrange(256) for _ in range(64))
    files["garbage-4k"] = bytes(rng.randrange(256) for _ in range(4096))
    files["zeros-64k"] = bytes(65536)
    files["empty"] = b""
    return files


def pem_family(label, der):
    files = {}
    whole = pem(label, der)
    files["pem-no-end"] = whole[: whole.index(b"-----END")]
    files["pem-bad-base64"] = whole.replace(b"A", b"*", 3)
    files["pem-empty-body"] = f"-----BEGIN {label}-----\n-----END {label}-----\n".encode()
    files["pem-garbage-body"] = pem(label, bytes(rng.randrange(256) for _ in range(300)))
    files["pem-truncated-der"] = pem(label, der[: len(der) // 2])
    files["pem-nested-10000"] = pem(label, b"\x30\x80" * 10000)
    files["pem-huge-line"] = (f"-----BEGIN {label}-----\n".encode() + b"QUFB" * 250000
                              + f"\n-----END {label}-----\n".encode())
    files["pem-nul-bytes"] = whole.replace(b"\n", b"\x00\n", 2)
    files["pem-begin-only-repeated"] = f"-----BEGIN {label}-----\n".encode() * 5000
    return files


def text_family(text):
    """Damage for text formats (TOML, CSV, JSON)."""
    files = {}
    # A text file cut short may still be a valid file of fewer entries.
    files.update({"maybe-" + k: v for k, v in truncations(text).items()})
    files.update(flips(text, 6))
    files["invalid-utf8"] = text.replace(b"e", b"\xc3\x28", 3)
    files["nul-bytes"] = text.replace(b"\n", b"\n\x00", 3)
    files["utf16le"] = b"\xff\xfe" + text.decode("utf-8", "replace").encode("utf-16-le")
    files["garbage-4k"] = bytes(rng.randrange(256) for _ in range(4096))
    files["empty"] = b""
    return files


def write(reader, name, data, extension):
    folder = os.path.join(OUT, reader)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name + extension), "wb") as f:
        f.write(data)


def main():
    global OUT
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUT_DIR")
    OUT = sys.argv[1]
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)

    cert = seed("certificate", "leaf-ec.der")
    for name, data in der_family(cert).items():
        write("certificate", name, data, ".der")
    for name, data in pem_family("CERTIFICATE", cert).items():
        write("certificate", name, data, ".pem")

    csr = seed("csr", "rsa2048-sans.der")
    for name, data in der_family(csr).items():
        write("csr", name, data, ".der")
    for name, data in pem_family("CERTIFICATE REQUEST", csr).items():
        write("csr", name, data, ".pem")

    for seed_name, short in (("aes-sha256mac.p12", "aes"), ("unencrypted.p12", "plain")):
        for name, data in der_family(seed("pkcs12", seed_name)).items():
            if short == "plain" and name.startswith(("nested", "garbage", "zeros", "empty")):
                continue
            write("pkcs12", f"{short}-{name}", data, ".p12")

    for name, data in der_family(seed("pkcs7", "chain-ec.der.p7b")).items():
        write("pkcs7", name, data, ".p7b")

    jks = seed("jks", "key-and-chain.jks")
    files = truncations(jks)
    files.update(flips(jks, 6))
    files["count-2g"] = jks[:8] + b"\x7f\xff\xff\xff" + jks[12:]
    files["alias-length-64k"] = jks[:16] + b"\xff\xff" + jks[18:]
    files["garbage-4k"] = b"\xfe\xed\xfe\xed" + bytes(rng.randrange(256) for _ in range(4092))
    files["empty"] = b""
    for name, data in files.items():
        write("jks", name, data, ".jks")

    profile = seed("profile", "brother-legacy.toml")
    files = text_family(profile)
    files["nested-arrays-100000"] = b"models = " + b"[" * 100000 + b"]" * 100000 + b"\n"
    files["nested-tables-10000"] = b"[" + b".".join([b"a"] * 10000) + b"]\n"
    files["inline-tables-10000"] = b"key = " + b"{a=" * 10000 + b"1" + b"}" * 10000 + b"\n"
    files["huge-string-8m"] = b'id = "' + b"x" * (8 << 20) + b'"\n'
    files["huge-integer"] = b"[key]\nrsa_bits = [" + b"9" * 5000 + b"]\n"
    files["bom-then-garbage"] = b"\xef\xbb\xbf" + b"\x00\x01\x02"
    for name, data in files.items():
        write("profile", name, data, ".toml")

    sites = seed("sites_toml", sorted(os.listdir(os.path.join(SEEDS, "sites_toml")))[0])
    files = text_family(sites)
    files["nested-arrays-100000"] = b"[defaults]\nprofiles = " + b"[" * 100000 + b"]" * 100000
    files["site-count-50000"] = b'[[site]]\nid = "a"\n' * 1 + b"[[site]]\n" * 50000
    for name, data in files.items():
        write("sites-toml", name, data, ".toml")

    csv = seed("sites_csv", sorted(os.listdir(os.path.join(SEEDS, "sites_csv")))[0])
    files = text_family(csv)
    files["unbalanced-quote"] = csv + b'"open quote, never closed\n' * 3
    files["long-line-4m"] = b"id,cn\n" + b"a" * (4 << 20) + b",b\n"
    files["columns-100000"] = b",".join([b"id"] * 100000) + b"\n"
    files["quotes-only"] = b'"' * 100001
    for name, data in files.items():
        write("sites-csv", name, data, ".csv")

    report = seed("probe_report", "full-report.json")
    files = text_family(report)
    files["nested-arrays-100000"] = b"[" * 100000 + b"]" * 100000
    files["nested-objects-100000"] = b'{"a":' * 100000 + b"1" + b"}" * 100000
    files["huge-number"] = b'{"schema": "certforge.probe/1", "schannel_fix": {"dh_min_bits": 1' + b"0" * 5000 + b"}}"
    files["string-escapes"] = b'{"schema": "' + b"\\ud800" * 10000 + b'"}'
    for name, data in files.items():
        write("probe-report", name, data, ".json")


if __name__ == "__main__":
    main()
