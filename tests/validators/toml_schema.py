"""Validates TOML files against guardline.toml's JSON Schema (docs/guardline.schema.json) with the jsonschema
package, independently of the Rust code that generated the schema: Python's tomllib reads each file, TOML dates
and times become the strings an editor's TOML tooling validates them as, and the draft the schema declares
checks the document.

Usage: python3 toml_schema.py SCHEMA.json FILE.toml...    Exit 0 when every file is valid; otherwise each
problem (file, key path, message) on stderr and exit 1.
"""

import datetime
import json
import sys
import tomllib

try:
    import jsonschema
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"toml schema validator: jsonschema is not installed ({error}); run pip install -r tests/requirements.txt")


def as_json(value):
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def main(schema_path, paths):
    with open(schema_path, encoding="utf-8") as file:
        schema = json.load(file)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    problems = []
    for path in paths:
        with open(path, "rb") as file:
            document = as_json(tomllib.load(file))
        for error in sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path)):
            where = ".".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"{path}: {where}: {error.message}")
    if problems:
        sys.exit("\n".join(problems))
    print(f"toml schema: {len(paths)} file(s) valid against {schema_path} ({validator_class.__name__})")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
