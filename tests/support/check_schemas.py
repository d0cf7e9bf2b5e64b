#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks the JSON Schemas of docs/schema/ and that they refuse what they must.

usage: check_schemas.py SCHEMAS_DIR [DOCUMENTS_DIR]

Every SCHEMAS_DIR/*.schema.json must be a valid schema of the draft it
names (check_schema), with an $id that ends in its file name; every one but
defs.schema.json describes one document kind: its "schema" property is the
const certforge.NAME/N of its file name NAME.

With DOCUMENTS_DIR (*.json documents certforge printed or wrote), each
document must be valid, and each of these changes of it must be refused,
so that a schema cannot pass silently:
  - the "schema" member removed, or its N raised by one;
  - a member added to any object of the document;
  - any serial spelled in lower case ("0a1b2c");
  - any SHA-256 fingerprint spelled in colon-hex, in either case.
Prints one line per problem; exits 1 on any.
"""

import copy
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import validate_json  # noqa: E402

SERIAL_MEMBERS = {"serial"}
SHA256_MEMBERS = {"sha256", "certificate_sha256"}


def check_schema_files(schemas_dir):
    problems = []
    for path in sorted(pathlib.Path(schemas_dir).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        cls = validate_json.jsonschema.validators.validator_for(schema, default=None)
        if cls is None:
            problems.append(f"{path.name}: $schema names no draft jsonschema knows")
            continue
        try:
            cls.check_schema(schema)
        except validate_json.jsonschema.exceptions.SchemaError as e:
            problems.append(f"{path.name}: not a valid schema: {e.message}")
        if not str(schema.get("$id", "")).endswith("/" + path.name):
            problems.append(f"{path.name}: $id {schema.get('$id')} does not end in /{path.name}")
        if path.name == "defs.schema.json":
            continue
        name = path.name[: -len(".schema.json")]
        const = schema.get("properties", {}).get("schema", {}).get("const", "")
        if not const.startswith(f"certforge.{name}/"):
            problems.append(f"{path.name}: its schema const {const!r} is not certforge.{name}/N")
        if "schema" not in schema.get("required", []):
            problems.append(f"{path.name}: the schema member is not required")
    return problems


def nodes(value, path=()):
    """Every (path, value) in a document, depth first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from nodes(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nodes(item, path + (index,))


def changed(document, path, change):
    """A copy of the document with change(parent, key) applied at path."""
    copied = copy.deepcopy(document)
    parent = copied
    for part in path[:-1]:
        parent = parent[part]
    change(parent, path[-1])
    return copied


def set_to(value):
    def change(parent, key):
        parent[key] = value
    return change


def colon_hex(hex_text):
    return ":".join(hex_text[i:i + 2] for i in range(0, len(hex_text), 2))


def wrong_versions(document):
    """(what, wrong document) for each change that must be refused."""
    without = copy.deepcopy(document)
    del without["schema"]
    yield "the schema member removed", without
    name, version = document["schema"].rsplit("/", 1)
    yield "the schema version raised", dict(document, schema=f"{name}/{int(version) + 1}")
    for path, value in nodes(document):
        where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
        if isinstance(value, dict):
            yield f"a member added at {where}", changed(
                document, path + ("unexpected_member",), set_to(True))
        key = path[-1] if path else None
        in_serial_list = len(path) >= 2 and path[-2] == "revoked" and isinstance(key, int)
        if isinstance(value, str) and (key in SERIAL_MEMBERS or in_serial_list):
            yield f"a lower-case serial at {where}", changed(document, path, set_to("0a1b2c"))
        if isinstance(value, str) and key in SHA256_MEMBERS:
            yield f"a colon-hex fingerprint at {where}", changed(
                document, path, set_to(colon_hex(value)))
            yield f"an upper-case colon-hex fingerprint at {where}", changed(
                document, path, set_to(colon_hex(value).upper()))


def check_documents(schemas_dir, documents_dir):
    problems = []
    files = sorted(pathlib.Path(documents_dir).glob("*.json"))
    if not files:
        problems.append(f"{documents_dir}: no documents")
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = validate_json.check_document(document, schemas_dir)
        problems += [f"{path.name}: {line}" for line in errors]
        if errors:
            continue
        for what, wrong in wrong_versions(document):
            if not validate_json.check_document(wrong, schemas_dir):
                problems.append(f"{path.name}: {document['schema']} accepts {what}")
    return problems


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if validate_json.jsonschema is None:
        print("check_schemas.py: python3-jsonschema is missing: apt-get install "
              "python3-jsonschema", file=sys.stderr)
        return 2
    problems = check_schema_files(argv[1])
    if len(argv) == 3 and not problems:
        problems = check_documents(argv[1], argv[2])
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
