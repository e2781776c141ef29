"""Guardline's stop runbook (the aws:executeScript step of Guardline-StopEC2InstanceUnlessProduction).

Stops one EC2 instance unless it carries the production tag when the automation runs: the tag target of a
maintenance window is resolved when the window runs, so an instance tagged production after
`guardline schedule apply` reaches this step, which reads its tags and leaves it running. The production
match is Guardline's (guardline-config's production.rs): keys trimmed and compared without case, values
trimmed and case-folded, `*` any run of characters. Guardline's tests run this file on the same cases.

An instance held by its owner (`guardline:hold-until` in the future, at most 31 days away, and
`guardline:hold-owner` set) is left running too; the hold rule is Guardline's (guardline-config's hold.rs),
tested on the same cases.

`start_handler` is the start runbook of a schedule with a holiday calendar
(Guardline-StartEC2InstanceUnlessHoliday-<schedule>): it starts the instance unless the automation runs on
one of the schedule's holidays, which the document carries as UTC instants (cron has no calendar).
"""

import re
from datetime import date, datetime, timedelta, timezone

HOLD_UNTIL = "guardline:hold-until"
HOLD_OWNER = "guardline:hold-owner"
MAX_HOLD_DAYS = 31


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


def parse_until(text):
    """An RFC 3339 time with its offset, or a date: the end of that day at UTC-12; None otherwise."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            anywhere = timezone(timedelta(hours=-12))
            return datetime(day.year, day.month, day.day, tzinfo=anywhere) + timedelta(days=1)
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def hold(tags, now):
    """(held, reason) for the hold tags of `tags` at `now`: (None, "") without a hold tag."""
    def tag(wanted):
        for item in tags:
            if item.get("Key", "").strip().lower() == wanted:
                return item.get("Value", "").strip()
        return None

    text = tag(HOLD_UNTIL)
    if text is None:
        return None, ""
    until = parse_until(text)
    if until is None:
        return False, "%s = %r is neither an RFC 3339 time nor a date (YYYY-MM-DD)" % (HOLD_UNTIL, text)
    owner = tag(HOLD_OWNER) or ""
    if not owner:
        return False, "the hold has no owner (tag %s)" % HOLD_OWNER
    if until <= now:
        return False, "the hold of %s ended at %s" % (owner, until.isoformat())
    if until - now > timedelta(days=MAX_HOLD_DAYS):
        return False, "the hold of %s ends more than %d days from now" % (owner, MAX_HOLD_DAYS)
    return True, "held by %s until %s" % (owner, until.isoformat())


def stop_unless_production(ec2, events, now=None):
    """Reads the instance and stops it unless it is production, held or not running."""
    instance_id = events["InstanceId"]
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    instance = reservations[0]["Instances"][0]
    tags = instance.get("Tags", [])
    hit = production_tag(tags, events["ProductionKeys"], events["ProductionValues"])
    if hit is not None:
        return {"Result": "skipped", "Reason": "production (%s=%s), never stopped" % hit}
    held, why = hold(tags, now or datetime.now(timezone.utc))
    if held:
        return {"Result": "skipped", "Reason": why}
    state = instance["State"]["Name"]
    if state not in ("running", "pending"):
        return {"Result": "skipped", "Reason": "not running (%s)" % state}
    ec2.stop_instances(InstanceIds=[instance_id])
    return {"Result": "stopped", "Reason": "hold ignored: " + why if held is False else ""}


def start_unless_holiday(ec2, events, now=None):
    """Starts the instance unless `now` is inside one of the schedule's holidays (local midnight to
    midnight, given as UTC instants) or it is not stopped."""
    now = now or datetime.now(timezone.utc)
    for holiday in events.get("Holidays", []):
        start = datetime.fromisoformat(holiday["Start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(holiday["End"].replace("Z", "+00:00"))
        if start <= now < end:
            return {"Result": "skipped",
                    "Reason": "%s is a holiday of the calendar %s" % (holiday["Date"], events.get("Calendar", ""))}
    instance_id = events["InstanceId"]
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    state = reservations[0]["Instances"][0]["State"]["Name"]
    if state not in ("stopped", "stopping"):
        return {"Result": "skipped", "Reason": "not stopped (%s)" % state}
    ec2.start_instances(InstanceIds=[instance_id])
    return {"Result": "started", "Reason": ""}


def start_handler(events, context):
    import boto3

    return start_unless_holiday(boto3.client("ec2"), events)


def handler(events, context):
    import boto3

    return stop_unless_production(boto3.client("ec2"), events)
