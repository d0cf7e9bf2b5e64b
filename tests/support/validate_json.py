#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Validates a certforge JSON document against its schema in docs/schema/.

usage: validate_json.py [--schemas DIR] [DOCUMENT_FILE | -]

Reads the document (a file, or standard input for "-" or no argument),
takes its "schema" member, certforge.NAME/N, and validates it with
jsonschema against DIR/NAME.schema.json (default: docs/schema/ of this
source tree), whose "schema" property must be the const certforge.NAME/N:
a document of another version is an error, not a pass. Prints one line per
error ("PATH: message") and exits 1 on any, 0 when the document is valid,
2 when jsonschema is missing (Debian: python3-jsonschema) or the arguments
are wrong.

As a module: check_document(document, schemas_dir) returns the error lines.
"""

import functools
import json
import pathlib
import re
import sys

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_SCHEMAS = SOURCE_DIR / "docs" / "schema"
SCHEMA_ID = re.compile(r"^certforge\.([a-z][a-z0-9-]*)/([1-9][0-9]*)$")

try:
    import jsonschema
except ImportError:  # pragma: no cover - reported to the caller
    jsonschema = None


def load_schemas(schemas_dir):
    """Every *.schema.json in the folder, keyed by its $id."""
    store = {}
    for path in sorted(pathlib.Path(schemas_dir).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        store[schema["$id"]] = schema
    return store


def make_validator(schema, store):
    """A validator for `schema` whose $refs reach the other schemas in
    `store`, on jsonschema 4.10 (Debian 12) and on the newer API alike."""
    cls = jsonschema.validators.validator_for(schema)
    try:
        from referencing import Registry, Resource
    except ImportError:  # jsonschema before 4.18
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        return cls(schema, resolver=resolver)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(contents)) for uri, contents in store.items())
    return cls(schema, registry=registry)


@functools.lru_cache(maxsize=None)
def validator_for_file(path):
    """The validator of one schema file, made once per process."""
    path = pathlib.Path(path)
    schema = json.loads(path.read_text(encoding="utf-8"))
    return make_validator(schema, load_schemas(path.parent))


def error_path(error):
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def check_document(document, schemas_dir=DEFAULT_SCHEMAS):
    """The errors of a parsed document, one line each; empty when valid."""
    if not isinstance(document, dict):
        return ["$: not a JSON object, so no schema id"]
    schema_id = document.get("schema")
    if not isinstance(schema_id, str):
        return ["$: no \"schema\" member (certforge.NAME/N)"]
    match = SCHEMA_ID.match(schema_id)
    if not match:
        return [f"$.schema: '{schema_id}' is not certforge.NAME/N"]
    name = match.group(1)
    path = pathlib.Path(schemas_dir) / f"{name}.schema.json"
    if not path.is_file():
        return [f"$.schema: {schema_id} has no schema file ({path} is missing)"]
    validator = validator_for_file(str(path))
    described = validator.schema.get("properties", {}).get("schema", {}).get("const")
    if described != schema_id:
        return [f"$.schema: {path.name} describes {described}, not {schema_id}"]
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{error_path(e)}: {e.message}" for e in errors]


def main(argv):
    args = argv[1:]
    schemas_dir = DEFAULT_SCHEMAS
    if len(args) >= 2 and args[0] == "--schemas":
        schemas_dir = pathlib.Path(args[1])
        args = args[2:]
    if len(args) > 1 or (args and args[0].startswith("--")):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    if jsonschema is None:
        print("validate_json.py: python3-jsonschema is missing: apt-get install "
              "python3-jsonschema", file=sys.stderr)
        return 2
    source = args[0] if args and args[0] != "-" else None
    text = sys.stdin.read() if source is None else pathlib.Path(source).read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        print(f"$: not JSON: {e}")
        return 1
    errors = check_document(document, schemas_dir)
    for line in errors:
        print(line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
