#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rewrites DER files the way a hostile or careless tool would, for tests.

  der_patch.py IN OUT integer OLD NEW
      every INTEGER equal to OLD becomes NEW, also inside OCTET STRINGs that
      hold DER (as PKCS#12 nests its contents), with every enclosing length
      re-encoded.
  der_patch.py IN OUT bytes-last HEX_OLD HEX_NEW
      the last occurrence of one byte string is replaced by another of the
      same length.
"""
import sys


def read_length(data, pos):
    first = data[pos]
    pos += 1
    if first < 0x80:
        return first, pos
    count = first & 0x7F
    if count == 0 or count > 4 or pos + count > len(data):
        raise ValueError("unsupported length")
    return int.from_bytes(data[pos:pos + count], "big"), pos + count


def encode_length(length):
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def parse(data):
    """A list of (tag, content) pairs covering all of data, or None."""
    items, pos = [], 0
    try:
        while pos < len(data):
            tag = data[pos]
            if tag & 0x1F == 0x1F:
                return None
            length, pos = read_length(data, pos + 1)
            if pos + length > len(data):
                return None
            items.append((tag, data[pos:pos + length]))
            pos += length
    except (ValueError, IndexError):
        return None
    return items


def encode_integer(value):
    raw = value.to_bytes((value.bit_length() + 8) // 8, "big", signed=True)
    return raw


def rewrite(items, old, new):
    out = b""
    for tag, content in items:
        if tag == 0x02 and int.from_bytes(content, "big", signed=True) == old:
            content = encode_integer(new)
        elif tag & 0x20:
            inner = parse(content)
            if inner is not None:
                content = rewrite(inner, old, new)
        elif tag == 0x04 and content[:1] == b"\x30":
            inner = parse(content)
            if inner is not None:
                content = rewrite(inner, old, new)
        out += bytes([tag]) + encode_length(len(content)) + content
    return out


def main():
    source, target, mode, old, new = sys.argv[1:6]
    data = open(source, "rb").read()
    if mode == "integer":
        items = parse(data)
        if items is None:
            sys.exit("not DER")
        result = rewrite(items, int(old), int(new))
    elif mode == "bytes-last":
        old_bytes, new_bytes = bytes.fromhex(old), bytes.fromhex(new)
        at = data.rfind(old_bytes)
        if at < 0 or len(old_bytes) != len(new_bytes):
            sys.exit("pattern not found or lengths differ")
        result = data[:at] + new_bytes + data[at + len(old_bytes):]
    else:
        sys.exit("unknown mode " + mode)
    if result == data:
        sys.exit("nothing changed")
    open(target, "wb").write(result)


if __name__ == "__main__":
    main()
