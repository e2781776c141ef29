"""Validates a Guardline OCSF report (a JSON array of events): each event must parse as py-ocsf-models'
DetectionFinding (OCSF 1.x, class 2004) and dump back to exactly what was written, so a misspelt or unknown
attribute (which pydantic would silently drop) fails too.

Usage: python3 ocsf.py REPORT.json    Exit 0 when valid; otherwise the problems on stderr and exit 1.
"""

import json
import sys

try:
    from py_ocsf_models.events.findings.detection_finding import DetectionFinding
except ImportError as error:  # a missing validator must fail, never skip
    sys.exit(f"ocsf validator: py-ocsf-models is not installed ({error}); run pip install -r tests/requirements.txt")


def main(path):
    events = json.load(open(path, encoding="utf-8"))
    if not isinstance(events, list):
        sys.exit("ocsf: the report is not a JSON array")
    problems = []
    for index, event in enumerate(events):
        try:
            model = DetectionFinding.model_validate(event)
        except Exception as error:  # pydantic.ValidationError
            problems.append(f"event {index}: {error}")
            continue
        dumped = model.model_dump(mode="json", exclude_unset=True)
        if dumped != event:
            problems.append(f"event {index}: attributes the model does not know or changed:\n"
                            f"  written: {json.dumps(event, sort_keys=True)}\n  model:   {json.dumps(dumped, sort_keys=True)}")
        for key, expected in (("class_uid", 2004), ("category_uid", 2), ("activity_id", 1), ("type_uid", 200401)):
            if event.get(key) != expected:
                problems.append(f"event {index}: {key} is {event.get(key)!r}, expected {expected}")
    if problems:
        sys.exit("\n".join(problems))
    print(f"ocsf: {len(events)} Detection Findings valid")


if __name__ == "__main__":
    main(sys.argv[1])
