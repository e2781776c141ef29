//! The stop runbook Guardline installs in each region for its maintenance windows: an SSM Automation
//! document (schemaVersion 0.3) whose one `aws:executeScript` step (`runbook.py`) reads the instance's tags
//! when the window runs and stops it only when it is not production. A tag target is resolved when the
//! window runs, and cannot exclude another tag: this step is what keeps an instance tagged production after
//! `apply` running. The production keys and values are written into the document (not parameters a caller
//! could override), from the account profile's `production-tag`. It also leaves running an instance its
//! owner holds (`guardline_config::hold`), read from the same tags at the same moment.

use guardline_config::ProductionTag;

/// The document's name (SCHED-001/002 count it as a stop document: it contains `StopEC2Instance`).
pub const NAME: &str = "Guardline-StopEC2InstanceUnlessProduction";

/// The start runbook of a schedule with a holiday calendar is `START_PREFIX` + the schedule's name: it starts
/// the instance unless the automation runs on one of the schedule's holidays (cron has no calendar).
pub const START_PREFIX: &str = "Guardline-StartEC2InstanceUnlessHoliday-";

/// The start runbook's name for `schedule`.
pub fn start_name(schedule: &str) -> String {
    format!("{START_PREFIX}{schedule}")
}

/// The years whose holidays an installed start runbook carries, from `year`: this one and the next two
/// (`schedule apply` in a later year moves them on, and the plan shows the update).
pub const HOLIDAY_YEARS: i16 = 3;

/// The start runbook's content for a schedule whose holidays are `spans` (each local date with the
/// instants it begins and ends, as [`guardline_schedule::Schedule::holiday_spans`] gives them) of the
/// calendars `calendar` (`jp, company`), in time zone `zone`.
pub fn start_content(
    spans: &[(jiff::civil::Date, jiff::Timestamp, jiff::Timestamp)],
    calendar: &str,
    zone: &str,
) -> String {
    let holidays: Vec<serde_json::Value> = spans
        .iter()
        .map(|(date, start, end)| {
            serde_json::json!({ "Date": date.to_string(), "Start": start.to_string(), "End": end.to_string() })
        })
        .collect();
    document(
        &format!(
            "Guardline off-hours start: starts the EC2 instance unless the automation runs on a holiday of the \
             calendar {calendar} ({zone}) (guardline schedule apply)."
        ),
        ("start", "StartUnlessHoliday", "start_handler"),
        serde_json::json!({ "InstanceId": "{{ InstanceId }}", "Calendar": calendar, "Holidays": holidays }),
    )
}

/// The step's Python source.
pub const SCRIPT: &str = include_str!("runbook.py");

/// The document's content (JSON) for `production`.
pub fn content(production: &ProductionTag) -> String {
    document(
        "Guardline off-hours stop: stops the EC2 instance unless it carries the production tag, or its owner holds \
         it (guardline:hold-until), when the automation runs (guardline schedule apply).",
        ("stop", "StopUnlessProduction", "handler"),
        serde_json::json!({
            "InstanceId": "{{ InstanceId }}",
            "ProductionKeys": production.keys,
            "ProductionValues": production.values,
        }),
    )
}

/// An Automation document of one `aws:executeScript` step running [`SCRIPT`]'s `handler` on one instance
/// (`verb` it: `stop`, `start`) with `payload`, as the automation's role.
fn document(
    description: &str,
    (verb, step, handler): (&str, &str, &str),
    payload: serde_json::Value,
) -> String {
    let document = serde_json::json!({
        "schemaVersion": "0.3",
        "description": description,
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": {
            "InstanceId": {
                "type": "String",
                "description": format!("The instance to {verb}."),
                "allowedPattern": "^i-[a-z0-9]{8,17}$",
            },
            "AutomationAssumeRole": {
                "type": "String",
                "description": "The role the automation runs as (guardline schedule apply --task-role-arn).",
                "default": "",
            },
        },
        "mainSteps": [{
            "name": step,
            "action": "aws:executeScript",
            "isEnd": true,
            "inputs": { "Runtime": "python3.11", "Handler": handler, "Script": SCRIPT, "InputPayload": payload },
            "outputs": [
                { "Name": "Result", "Selector": "$.Payload.Result", "Type": "String" },
                { "Name": "Reason", "Selector": "$.Payload.Reason", "Type": "String" },
            ],
        }],
        "outputs": [format!("{step}.Result"), format!("{step}.Reason")],
    });
    serde_json::to_string_pretty(&document).expect("a JSON value serialises")
}

/// Whether installed content is `desired` (compared as JSON, so formatting does not count).
pub fn same_content(installed: &str, desired: &str) -> bool {
    let parse = |text: &str| serde_json::from_str::<serde_json::Value>(text).ok();
    parse(installed).is_some_and(|installed| Some(installed) == parse(desired))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::process::Command;

    use super::*;

    /// Runs the document's own script (taken from the content, as installed) with python3 on the production
    /// cases Guardline's matcher is tested on and the hold cases its hold rule is tested on, with a fake EC2
    /// client: production and held instances are never stopped, any other running instance is.
    #[test]
    fn the_runbook_script_stops_only_non_production_instances() {
        let production = ProductionTag::default();
        let document: serde_json::Value = serde_json::from_str(&content(&production)).unwrap();
        assert_eq!(document["schemaVersion"], "0.3");
        let step = &document["mainSteps"][0];
        assert_eq!(step["action"], "aws:executeScript");
        let script = step["inputs"]["Script"].as_str().unwrap();
        let payload = &step["inputs"]["InputPayload"];
        let dir = std::env::temp_dir().join(format!("guardline-runbook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("runbook.py"), script).unwrap();
        let cases = include_str!("../../../guardline-config/src/production_cases.json");
        std::fs::write(dir.join("cases.json"), cases).unwrap();
        std::fs::write(dir.join("payload.json"), payload.to_string()).unwrap();
        let holds = include_str!("../../../guardline-config/src/hold_cases.json");
        std::fs::write(dir.join("holds.json"), holds).unwrap();
        let driver = r#"
import json, sys
sys.path.insert(0, sys.argv[1])
import runbook

payload = json.load(open(sys.argv[1] + "/payload.json"))
cases = json.load(open(sys.argv[1] + "/cases.json"))

class FakeEc2:
    def __init__(self, tags, state):
        self.tags, self.state, self.stopped = tags, state, []
    def describe_instances(self, InstanceIds):
        return {"Reservations": [{"Instances": [{"InstanceId": InstanceIds[0], "State": {"Name": self.state},
                                                 "Tags": self.tags}]}]}
    def stop_instances(self, InstanceIds):
        self.stopped += InstanceIds

results = []
for case in cases:
    tags = [{"Key": key, "Value": value} for key, value in case["tags"].items()]
    ec2 = FakeEc2(tags, "running")
    events = dict(payload, InstanceId="i-0123456789abcdef0")
    answer = runbook.stop_unless_production(ec2, events)
    results.append({"stopped": ec2.stopped == ["i-0123456789abcdef0"], "answer": answer})
from datetime import datetime
holds = json.load(open(sys.argv[1] + "/holds.json"))
held = []
for case in holds:
    tags = [{"Key": key, "Value": value} for key, value in case["tags"].items()]
    ec2 = FakeEc2(tags, "running")
    now = datetime.fromisoformat(case["now"].replace("Z", "+00:00"))
    answer = runbook.stop_unless_production(ec2, dict(payload, InstanceId="i-0123456789abcdef0"), now=now)
    held.append({"stopped": ec2.stopped == ["i-0123456789abcdef0"], "answer": answer})
results.append(held)
stopped_already = FakeEc2([], "stopped")
answer = runbook.stop_unless_production(stopped_already, dict(payload, InstanceId="i-0123456789abcdef0"))
results.append({"stopped": bool(stopped_already.stopped), "answer": answer})
print(json.dumps(results))
"#;
        let output = Command::new("python3").arg("-c").arg(driver).arg(&dir).output().expect("python3 runs");
        std::fs::remove_dir_all(&dir).ok();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
        let cases: Vec<serde_json::Value> = serde_json::from_str(cases).unwrap();
        assert_eq!(results.len(), cases.len() + 2);
        // The hold cases, as Guardline's own rule (guardline_config::hold) decides them.
        let hold_cases: Vec<serde_json::Value> = serde_json::from_str(holds).unwrap();
        let held = results[cases.len()].as_array().unwrap();
        assert_eq!(held.len(), hold_cases.len());
        for (case, result) in hold_cases.iter().zip(held) {
            let held = case["held"].as_bool().unwrap();
            assert_eq!(result["stopped"].as_bool(), Some(!held), "{case}: {result}");
            let reason = result["answer"]["Reason"].as_str().unwrap();
            assert_eq!(reason.starts_with("held by "), held, "{case}: {reason}");
            let has_hold_tag =
                case["tags"].as_object().unwrap().keys().any(|key| key.to_lowercase().contains("hold-until"));
            assert_eq!(reason.starts_with("hold ignored: "), !held && has_hold_tag, "{case}: {reason}");
        }
        for (case, result) in cases.iter().zip(&results) {
            let tags: BTreeMap<String, String> = serde_json::from_value(case["tags"].clone()).unwrap();
            let production_now = production.matches(&tags);
            assert_eq!(production_now, case["production"].as_bool().unwrap(), "{tags:?}");
            assert_eq!(result["stopped"].as_bool(), Some(!production_now), "{tags:?}: {result}");
            let expected = if production_now { "skipped" } else { "stopped" };
            assert_eq!(result["answer"]["Result"], expected, "{tags:?}");
            if let Some(tag) = production.describe_match(&tags) {
                let reason = result["answer"]["Reason"].as_str().unwrap();
                assert_eq!(
                    reason,
                    format!("production ({tag}), never stopped"),
                    "the same tag as Guardline's"
                );
            }
        }
        let last = results.last().unwrap();
        assert_eq!(
            (last["stopped"].as_bool(), last["answer"]["Result"].as_str()),
            (Some(false), Some("skipped"))
        );
    }

    #[test]
    fn content_compares_as_json() {
        let desired = content(&ProductionTag::default());
        let compact = serde_json::from_str::<serde_json::Value>(&desired).unwrap().to_string();
        assert!(same_content(&compact, &desired));
        let other = ProductionTag { keys: vec!["Tier".into()], values: vec!["prod".into()] };
        assert!(!same_content(&content(&other), &desired));
    }

    /// The start runbook's own script, on the spans a New York schedule's holidays give: inside a holiday
    /// (from local midnight, DST included) nothing is started; just outside it a stopped instance is;
    /// a running one is left alone.
    #[test]
    fn the_start_runbook_skips_its_holidays_and_starts_otherwise() {
        let schedule = guardline_schedule::Schedule::new(
            "us",
            guardline_schedule::Window::parse("weekdays 09:00-18:00").unwrap(),
        )
        .with_time_zone("America/New_York")
        .unwrap()
        .holidays(guardline_schedule::Calendar::builtin(guardline_schedule::Builtin::UnitedStates));
        let document: serde_json::Value = serde_json::from_str(&start_content(
            &schedule.holiday_spans(2026, 2026),
            "us",
            "America/New_York",
        ))
        .unwrap();
        let step = &document["mainSteps"][0];
        assert_eq!(step["inputs"]["Handler"], "start_handler");
        let dir = std::env::temp_dir().join(format!("guardline-start-runbook-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("runbook.py"), step["inputs"]["Script"].as_str().unwrap()).unwrap();
        std::fs::write(dir.join("payload.json"), step["inputs"]["InputPayload"].to_string()).unwrap();
        let driver = r#"
import json, sys
from datetime import datetime
sys.path.insert(0, sys.argv[1])
import runbook

payload = json.load(open(sys.argv[1] + "/payload.json"))

class FakeEc2:
    def __init__(self, state):
        self.state, self.started = state, []
    def describe_instances(self, InstanceIds):
        return {"Reservations": [{"Instances": [{"InstanceId": InstanceIds[0], "State": {"Name": self.state}}]}]}
    def start_instances(self, InstanceIds):
        self.started += InstanceIds

results = []
for now, state in [("2026-11-26T14:00:00Z", "stopped"),  # Thanksgiving, 09:00 in New York
                   ("2026-11-26T05:00:00Z", "stopped"),  # its first instant (midnight EST)
                   ("2026-11-27T14:00:00Z", "stopped"),  # the day after
                   ("2026-11-27T14:00:00Z", "running")]:
    ec2 = FakeEc2(state)
    at = datetime.fromisoformat(now.replace("Z", "+00:00"))
    answer = runbook.start_unless_holiday(ec2, dict(payload, InstanceId="i-0123456789abcdef0"), now=at)
    results.append([bool(ec2.started), answer["Result"], answer["Reason"]])
print(json.dumps(results))
"#;
        let output = Command::new("python3").arg("-c").arg(driver).arg(&dir).output().expect("python3 runs");
        std::fs::remove_dir_all(&dir).ok();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let results: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(
            results,
            serde_json::json!([
                [false, "skipped", "2026-11-26 is a holiday of the calendar us"],
                [false, "skipped", "2026-11-26 is a holiday of the calendar us"],
                [true, "started", ""],
                [false, "skipped", "not stopped (running)"],
            ])
        );
    }
}
