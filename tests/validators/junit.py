"""Validates a Guardline JUnit XML report against the Jenkins xUnit plugin's junit-10.xsd (vendored beside
this file) with xmlschema.

Usage: python3 junit.py REPORT.xml    Exit 0 when valid; otherwise the problems on stderr and exit 1.
"""

import os
import sys

try:
    import xmlschema
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"junit validator: xmlschema is not installed ({error}); run pip install -r tests/requirements.txt")


def main(path):
    schema = xmlschema.XMLSchema(os.path.join(os.path.dirname(os.path.abspath(__file__)), "junit-10.xsd"))
    errors = list(schema.iter_errors(path))
    if errors:
        sys.exit("\n".join(str(error) for error in errors))
    print(f"junit: valid against junit-10.xsd (xmlschema {xmlschema.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
