"""Validates and reads the deploy/ manifests for crates/guardline/tests/cli/deploy.rs.

- `batch JOB_DEFINITION ARRAY_JOB MERGE_JOB`: botocore's own parameter validation of AWS Batch's
  RegisterJobDefinition (the job definition) and SubmitJob (the array job and the merge job), as the AWS CLI
  would apply it before sending; plus what botocore's shapes cannot say: the array job is an array
  (`arrayProperties.size` 2 to 10,000), the merge depends on it, both run the registered definition.
- `kubernetes MANIFEST`: prints, as JSON, what the Indexed Job's and the merge Job's containers run (command,
  args, env) and the Indexed Job's completions, for the test to run them. (The manifest's schema is checked by
  the `kubernetes-validate` CLI.)

Exit 0 when valid; otherwise the problems on stderr and exit 1.
"""

import json
import sys

try:
    import botocore.exceptions
    import botocore.session
    import botocore.validate
    import yaml
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"deploy validator: {error}; run pip install -r tests/requirements.txt")


def batch(definition_path, array_path, merge_path):
    client = botocore.session.get_session().create_client(
        "batch", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    model = client.meta.service_model
    problems = []
    documents = {}
    for path, operation in ((definition_path, "RegisterJobDefinition"), (array_path, "SubmitJob"),
                            (merge_path, "SubmitJob")):
        document = json.load(open(path, encoding="utf-8"))
        documents[path] = document
        try:
            botocore.validate.validate_parameters(document, model.operation_model(operation).input_shape)
        except botocore.exceptions.ParamValidationError as error:
            problems.append(f"{path} ({operation}): {error}")
    definition, array, merge = documents[definition_path], documents[array_path], documents[merge_path]
    size = array.get("arrayProperties", {}).get("size", 0)
    if not isinstance(size, int) or not 2 <= size <= 10000:
        problems.append(f"{array_path}: arrayProperties.size must be 2 to 10,000 for an array job, not {size}")
    for path, job in ((array_path, array), (merge_path, merge)):
        if job.get("jobDefinition") != definition.get("jobDefinitionName"):
            problems.append(f"{path}: jobDefinition is not {definition.get('jobDefinitionName')}")
    if not merge.get("dependsOn"):
        problems.append(f"{merge_path}: the merge must depend on the array job (dependsOn)")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def kubernetes(path):
    documents = [document for document in yaml.safe_load_all(open(path, encoding="utf-8")) if document]
    jobs = {document["metadata"]["name"]: document for document in documents if document["kind"] == "Job"}
    indexed = [job for job in jobs.values() if job["spec"].get("completionMode") == "Indexed"]
    merges = [job for job in jobs.values() if job["spec"].get("completionMode") != "Indexed"]
    if len(indexed) != 1 or len(merges) != 1:
        print(f"{path}: expected one Indexed Job and one merge Job, found {sorted(jobs)}", file=sys.stderr)
        return 1

    def container(job):
        spec = job["spec"]["template"]["spec"]["containers"][0]
        env = {item["name"]: item["value"] for item in spec.get("env", []) if "value" in item}
        return {"command": spec["command"], "args": spec["args"], "env": env}

    print(json.dumps({"completions": indexed[0]["spec"]["completions"], "scan": container(indexed[0]),
                      "merge": container(merges[0])}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "batch":
        sys.exit(batch(*sys.argv[2:]))
    if len(sys.argv) == 3 and sys.argv[1] == "kubernetes":
        sys.exit(kubernetes(sys.argv[2]))
    sys.exit(__doc__)
