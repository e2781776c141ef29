"""Validates a Guardline SARIF log in two independent ways:

1. Microsoft's SARIF Multitool (`@microsoft/sarif-multitool`, installed into node_modules/ here by
   scripts/test): `validate` runs the SARIF SDK's rules; any `error` it reports fails.
2. The SARIF 2.1.0 JSON schema that the Multitool package ships (sarif-2.1.0.json), with jsonschema: the
   Multitool's `validate` does not report schema violations such as an unknown `level`.

Usage: python3 sarif.py LOG.sarif    Exit 0 when valid; otherwise the problems on stderr and exit 1.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(HERE, "node_modules", "@microsoft", "sarif-multitool-linux")
MULTITOOL = os.path.join(PACKAGE, "Sarif.Multitool")
SCHEMA = os.path.join(PACKAGE, "sarif-2.1.0.json")

try:
    import jsonschema
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"sarif validator: jsonschema is not installed ({error}); run pip install -r tests/requirements.txt")


def main(path):
    if not os.path.exists(MULTITOOL):
        sys.exit(f"sarif validator: {MULTITOOL} is missing; run `npm ci --prefix tests/validators` (scripts/test does)")
    os.chmod(MULTITOOL, 0o755)  # npm may skip the package's postinstall chmod
    output = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.basename(path) + ".validation.sarif")
    run = subprocess.run(
        [MULTITOOL, "validate", path, "--output", output, "--log", "ForceOverwrite"],
        capture_output=True, text=True, env={**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"},
    )
    problems = []
    if run.returncode != 0:
        problems.append(f"Multitool exited {run.returncode}:\n{run.stdout}{run.stderr}")
    else:
        log = json.load(open(output, encoding="utf-8-sig"))
        for result in log["runs"][0].get("results", []):
            if result.get("level", "warning") == "error":
                problems.append(f"Multitool {result.get('ruleId')}: {result['message'].get('text', result['message'])}")
        for invocation in log["runs"][0].get("invocations", []):
            for note in invocation.get("toolExecutionNotifications", []) + invocation.get("toolConfigurationNotifications", []):
                if note.get("level", "warning") == "error":
                    problems.append(f"Multitool notification: {note['message'].get('text')}")
        os.remove(output)
    schema = json.load(open(SCHEMA, encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    for error in validator.iter_errors(json.load(open(path, encoding="utf-8"))):
        problems.append(f"schema: {'/'.join(str(p) for p in error.absolute_path)}: {error.message}")
    if problems:
        sys.exit("\n".join(problems))
    print("sarif: valid (SARIF Multitool validate and the SARIF 2.1.0 schema)")


if __name__ == "__main__":
    main(sys.argv[1])
