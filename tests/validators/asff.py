"""Validates a Guardline ASFF report (a JSON array of findings) with botocore's own parameter validation of
Security Hub's BatchImportFindings, as the AWS SDK would before sending it, plus the documented maximum
lengths botocore does not check (Title 256, Description 1024, Recommendation.Text 512) and the 100-findings
limit per call (checked per region).

Usage: python3 asff.py REPORT.json    Exit 0 when valid; otherwise the problems on stderr and exit 1.
"""

import collections
import json
import sys

try:
    import botocore.exceptions
    import botocore.session
    import botocore.validate
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"asff validator: botocore is not installed ({error}); run pip install -r tests/requirements.txt")


def main(path):
    findings = json.load(open(path, encoding="utf-8"))
    client = botocore.session.get_session().create_client(
        "securityhub", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    shape = client.meta.service_model.operation_model("BatchImportFindings").input_shape
    problems = []
    by_region = collections.defaultdict(list)
    for finding in findings:
        by_region[finding["ProductArn"].split(":")[3]].append(finding)
    for region, batch in by_region.items():
        for start in range(0, len(batch), 100):
            try:
                botocore.validate.validate_parameters({"Findings": batch[start : start + 100]}, shape)
            except botocore.exceptions.ParamValidationError as error:
                problems.append(f"{region}: {error}")
    for finding in findings:
        for field, limit in (("Title", 256), ("Description", 1024)):
            if len(finding.get(field, "")) > limit:
                problems.append(f"{finding['Id']}: {field} longer than {limit} characters")
        text = finding.get("Remediation", {}).get("Recommendation", {}).get("Text", "")
        if len(text) > 512:
            problems.append(f"{finding['Id']}: Remediation.Recommendation.Text longer than 512 characters")
        if finding.get("Region") != finding["ProductArn"].split(":")[3]:
            problems.append(f"{finding['Id']}: Region does not match the ProductArn's region")
    ids = [finding["Id"] for finding in findings]
    if len(ids) != len(set(ids)):
        problems.append("finding Ids are not unique")
    if problems:
        sys.exit("\n".join(problems))
    print(f"asff: {len(findings)} findings valid for BatchImportFindings (botocore {botocore.__version__})")


if __name__ == "__main__":
    main(sys.argv[1])
