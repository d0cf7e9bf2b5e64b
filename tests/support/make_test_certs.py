#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Certificates the tests need and certforge must not make itself, made with
python3-cryptography from the fixture keys:

  ca KEY OUT CN NOT_BEFORE NOT_AFTER      a CA certificate with those dates
                                          (Unix times), SHA-256, CA:TRUE
  leaf CA_CERT SIGNER_KEY LEAF_KEY OUT CN a server certificate that names
                                          CA_CERT as its issuer (name and key
                                          id) but is signed by SIGNER_KEY
Prints nothing; exits non-zero on error.
"""
import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def load_key(path):
    with open(path, "rb") as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def when(unix):
    return datetime.datetime.fromtimestamp(int(unix), tz=datetime.timezone.utc).replace(tzinfo=None)


def write(cert, path):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def make_ca(key_path, out, cn, not_before, not_after):
    key = load_key(key_path)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(when(not_before))
        .not_valid_after(when(not_after))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    write(cert, out)


def make_leaf(ca_path, signer_path, leaf_key_path, out, cn):
    with open(ca_path, "rb") as f:
        ca = x509.load_pem_x509_certificate(f.read())
    signer = load_key(signer_path)
    leaf_key = load_key(leaf_key_path)
    now = datetime.datetime.utcnow()
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(cn)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(signer, hashes.SHA256())
    )
    write(cert, out)


def main(argv):
    if len(argv) == 7 and argv[1] == "ca":
        make_ca(*argv[2:])
    elif len(argv) == 7 and argv[1] == "leaf":
        make_leaf(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
