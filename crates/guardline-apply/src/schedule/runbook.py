"""Guardline's stop runbook (the aws:executeScript step of Guardline-StopEC2InstanceUnlessProduction).

Stops one EC2 instance unless it carries the production tag when the automation runs: the tag target of a
maintenance window is resolved when the window runs, so an instance tagged production after
`guardline schedule apply` reaches this step, which reads its tags and leaves it running. The production
match is Guardline's (guardline-config's production.rs): keys trimmed and compared without case, values
trimmed and case-folded, `*` any run of characters. Guardline's tests run this file on the same cases.
"""

import re


def fold(text):
    return text.strip().lower()


def glob_matches(pattern, text):
    regex = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def production_tag(tags, keys, values):
    """The (key, value) of `tags` ([{"Key", "Value"}]) that marks production, or None."""
    production_keys = {fold(key) for key in keys}
    patterns = [fold(value) for value in values]
    for tag in sorted(tags, key=lambda tag: tag.get("Key", "")):
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if fold(key) in production_keys and any(glob_matches(pattern, fold(value)) for pattern in patterns):
            return key, value
    return None


def stop_unless_production(ec2, events):
    """Reads the instance and stops it unless it is production or not running."""
    instance_id = events["InstanceId"]
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    instance = reservations[0]["Instances"][0]
    hit = production_tag(instance.get("Tags", []), events["ProductionKeys"], events["ProductionValues"])
    if hit is not None:
        return {"Result": "skipped", "Reason": "production (%s=%s), never stopped" % hit}
    state = instance["State"]["Name"]
    if state not in ("running", "pending"):
        return {"Result": "skipped", "Reason": "not running (%s)" % state}
    ec2.stop_instances(InstanceIds=[instance_id])
    return {"Result": "stopped", "Reason": ""}


def handler(events, context):
    import boto3

    return stop_unless_production(boto3.client("ec2"), events)
