//! Bounded fuzzing (proptest) of everything that reads untrusted text in the evaluation path: the snapshot
//! loader over arbitrary and mangled input, the rules and the engine over structurally mutated snapshots
//! (odd strings, extreme numbers, wrong types, missing pieces), and GuardDuty routing over generated event
//! patterns. The property is a clear error or a result, never a panic; for GuardDuty routing, also the
//! right verdict, checked against a brute-force matcher (`mod guardduty`).

use guardline_config::Config;
use guardline_model::Snapshot;
use proptest::prelude::*;
use serde_json::Value;

const DEMO: &str = include_str!("../../../demo/snapshot.json");

fn config() -> ProptestConfig {
    ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() }
}

/// Evaluates `snapshot` with the built-in profile and a fix plan: must not panic.
fn evaluate_everything(snapshot: &Snapshot) {
    let config = Config::default();
    let today = jiff::civil::date(2026, 11, 28);
    let evaluation = guardline_rules::evaluate(snapshot, &config, today);
    let _ = guardline_rules::fix::plan(snapshot, &config, &evaluation, None);
}

/// A replacement for a JSON leaf: strings that look like what AWS sends and what it should not, extreme
/// numbers, and values of the wrong type.
fn odd_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![Just(f64::MAX), Just(f64::MIN), Just(0.0), Just(-1.5), Just(1e-300)].prop_map(Value::from),
        "[ -~]{0,40}".prop_map(Value::String),
        "\\PC{0,20}".prop_map(Value::String),
        prop_oneof![
            Just("{"),
            Just("{\"source\":[\"aws.guardduty\"],\"detail\":{\"severity\":[{\"numeric\":[\">=\"]}]}}"),
            Just("{\"source\":[\"aws.guardduty\"],\"detail\":{\"severity\":[{\"numeric\":[\">=\",1e308,\"<\",-1e308]}]}}"),
            Just("%7B%22Version%22"),
            Just("arn:aws:iam::"),
            Just("9999-99-99T99:99:99Z"),
            Just("ENABLED"),
            Just(""),
        ]
        .prop_map(|text| Value::String(text.to_owned())),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
    ]
}

/// Replaces the `index`-th leaf (in document order, modulo the leaf count) with `replacement`.
fn replace_leaf(value: &mut Value, index: &mut usize, replacement: &Value) -> bool {
    match value {
        Value::Object(map) => map.values_mut().any(|child| replace_leaf(child, index, replacement)),
        Value::Array(items) => items.iter_mut().any(|child| replace_leaf(child, index, replacement)),
        leaf => {
            if *index == 0 {
                *leaf = replacement.clone();
                return true;
            }
            *index -= 1;
            false
        }
    }
}

/// Replaces the `index`-th string leaf (modulo the string leaf count) with `text`.
fn replace_string(value: &mut Value, index: &mut usize, text: &str) -> bool {
    match value {
        Value::Object(map) => map.values_mut().any(|child| replace_string(child, index, text)),
        Value::Array(items) => items.iter_mut().any(|child| replace_string(child, index, text)),
        Value::String(leaf) => {
            if *index == 0 {
                *leaf = text.to_owned();
                return true;
            }
            *index -= 1;
            false
        }
        _ => false,
    }
}

fn count_strings(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(count_strings).sum(),
        Value::Array(items) => items.iter().map(count_strings).sum(),
        Value::String(_) => 1,
        _ => 0,
    }
}

fn count_leaves(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.values().map(count_leaves).sum(),
        Value::Array(items) => items.iter().map(count_leaves).sum(),
        _ => 1,
    }
}

/// Mutated snapshots either fail to load with a message or evaluate without panicking; string-for-string
/// mutations mostly keep the schema, so the rules really run on odd data (checked: most cases load).
#[test]
fn rules_never_panic_on_structurally_mutated_snapshots() {
    let document: Value = serde_json::from_str(DEMO).unwrap();
    let leaves = count_leaves(&document);
    let strings = count_strings(&document);
    let loaded = std::cell::Cell::new(0u32);
    let strategy = prop::collection::vec((any::<usize>(), odd_value()), 1..8);
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(&strategy, |mutations| {
            let mut mutated = document.clone();
            for (position, replacement) in &mutations {
                let mut index = position % leaves;
                replace_leaf(&mut mutated, &mut index, replacement);
            }
            match Snapshot::from_json(&mutated.to_string()) {
                Ok(snapshot) => {
                    loaded.set(loaded.get() + 1);
                    evaluate_everything(&snapshot);
                }
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
            Ok(())
        })
        .unwrap();
    let string_only = prop::collection::vec((any::<usize>(), "\\PC{0,30}"), 1..4);
    // A runner counts its cases: the second property gets a runner of its own.
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(&string_only, |mutations| {
            let mut mutated = document.clone();
            for (position, text) in &mutations {
                let mut index = position % strings;
                replace_string(&mut mutated, &mut index, text);
            }
            match Snapshot::from_json(&mutated.to_string()) {
                Ok(snapshot) => {
                    loaded.set(loaded.get() + 1);
                    evaluate_everything(&snapshot);
                }
                Err(error) => prop_assert!(!error.to_string().is_empty()),
            }
            Ok(())
        })
        .unwrap();
    assert!(
        loaded.get() > 100,
        "only {} mutated snapshots loaded: the rules were barely exercised",
        loaded.get()
    );
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_loader_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
        let _ = Snapshot::from_json(&text);
    }

    #[test]
    fn the_loader_never_panics_on_mangled_snapshots(cut in 0usize..DEMO.len(), splice in "[ -~]{0,12}") {
        let mut mangled = String::new();
        let cut = (0..=cut).rev().find(|index| DEMO.is_char_boundary(*index)).unwrap_or(0);
        mangled.push_str(&DEMO[..cut]);
        mangled.push_str(&splice);
        let rest = (cut + splice.len()).min(DEMO.len());
        let rest = (rest..=DEMO.len()).find(|index| DEMO.is_char_boundary(*index)).unwrap_or(DEMO.len());
        mangled.push_str(&DEMO[rest..]);
        if let Ok(snapshot) = Snapshot::from_json(&mangled) {
            evaluate_everything(&snapshot);
        }
    }

    /// Malformed severity filters (which EventBridge would refuse) give a finding, never a panic;
    /// [`guardduty_verdicts_match_a_brute_force_severity_grid`] checks the verdicts on valid ones.
    #[test]
    fn guardduty_routing_never_panics_on_malformed_severity_filters(
        matchers in prop::collection::vec(
            prop_oneof![
                any::<f64>().prop_filter("JSON numbers are finite", |value| value.is_finite()).prop_map(Value::from),
                prop::collection::vec(
                    prop_oneof![
                        prop_oneof![Just(">"), Just(">="), Just("<"), Just("<="), Just("="), Just("!")]
                            .prop_map(Value::from),
                        (-20.0f64..20.0).prop_map(Value::from),
                        Just(Value::Null),
                    ],
                    0..6,
                )
                .prop_map(|conditions| serde_json::json!({"numeric": conditions})),
                "[a-z]{0,5}".prop_map(Value::String),
            ],
            0..5,
        ),
        threshold in 0.0f64..12.0,
    ) {
        let pattern = serde_json::json!({
            "source": ["aws.guardduty"],
            "detail": {"severity": matchers},
        });
        let mut document: Value = serde_json::from_str(DEMO).unwrap();
        let region = document["regions"].as_object_mut().unwrap().values_mut().next().unwrap();
        region["event_rules"] = serde_json::json!({"status": "ok", "value": [{
            "name": "fuzzed", "arn": "arn:aws:events:ap-northeast-1:123456789012:rule/fuzzed",
            "state": "ENABLED", "event_pattern": pattern.to_string(),
            "targets": {"status": "ok", "value": [{"id": "t", "arn": "arn:aws:sns:ap-northeast-1:123456789012:t"}]},
        }]});
        let snapshot = Snapshot::from_json(&document.to_string()).expect("the demo with one more rule loads");
        let mut config = Config::default();
        for profile in config.profiles.values_mut() {
            profile.params.guardduty_severity_threshold = threshold;
        }
        let evaluation = guardline_rules::evaluate(&snapshot, &config, jiff::civil::date(2026, 11, 28));
        prop_assert!(evaluation.findings.iter().any(|finding| finding.finding.control == "GUARDDUTY-002"));
    }
}

/// GUARDDUTY-002's verdict, checked against brute force: generated (valid) EventBridge patterns are run by
/// a matcher written here against GuardDuty finding events of the scanned account and region, of three
/// kinds, at every severity from 1.0 to 10.0 in steps of 0.1, at the threshold, at every number the
/// pattern names and between each two of those (so that no gap between ranges escapes the grid). The rule
/// must pass exactly when every one of those events at or above the threshold is matched and, for a
/// threshold above 1, an event of severity 1.0 (the lowest GuardDuty assigns) is not: a filter that admits
/// it admits everything and counts as no filter.
mod guardduty {
    use std::cell::Cell;

    use guardline_config::Params;
    use guardline_model::inventory::RegionInventory;
    use guardline_model::{AccountInfo, Snapshot, Status};
    use guardline_rules::{Context, Findings};
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const ACCOUNT: &str = "123456789012";
    const OTHER_ACCOUNT: &str = "999999999999";
    const REGION: &str = "ap-northeast-1";

    /// Finding types and the resource each is about: an EC2 finding, an attack sequence (Critical in
    /// practice) and an S3 finding.
    const KINDS: &[(&str, &str)] = &[
        ("UnauthorizedAccess:EC2/SSHBruteForce", "Instance"),
        ("AttackSequence:IAM/CompromisedCredentials", "AccessKey"),
        ("Policy:S3/BucketBlockPublicAccessDisabled", "S3Bucket"),
    ];

    /// A GuardDuty finding as EventBridge delivers it to the default bus of the account's region.
    fn finding_event(severity: f64, (kind, resource): (&str, &str)) -> Value {
        json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "GuardDuty Finding",
            "source": "aws.guardduty",
            "account": ACCOUNT,
            "time": "2026-11-27T09:00:00Z",
            "region": REGION,
            "resources": [],
            "detail": {
                "schemaVersion": "2.0",
                "accountId": ACCOUNT,
                "region": REGION,
                "partition": "aws",
                "id": "16afba5c5c43e07c9e3e5e2e544e95df",
                "type": kind,
                "severity": severity,
                "resource": {"resourceType": resource},
                "service": {"serviceName": "guardduty", "archived": false, "count": 1},
            },
        })
    }

    /// EventBridge's matching, as far as the generated patterns go: every field of the pattern must be in
    /// the event; an object matches an object field by field; a list matches a value (or any element of a
    /// list value) that one of its matchers matches: a string or a number exactly, `{"numeric": [...]}`
    /// when every comparison holds. Anything else matches nothing.
    fn matches(pattern: &Value, event: &Value) -> bool {
        let Value::Object(fields) = pattern else { return false };
        fields.iter().all(|(key, wanted)| {
            let Some(value) = event.get(key) else { return false };
            match wanted {
                Value::Object(_) => matches(wanted, value),
                Value::Array(matchers) => {
                    let values: Vec<&Value> = match value {
                        Value::Array(items) => items.iter().collect(),
                        leaf => vec![leaf],
                    };
                    values.iter().any(|value| matchers.iter().any(|matcher| matches_value(matcher, value)))
                }
                _ => false,
            }
        })
    }

    fn matches_value(matcher: &Value, value: &Value) -> bool {
        match matcher {
            Value::String(text) => value.as_str() == Some(text),
            Value::Number(number) => value.is_number() && number.as_f64() == value.as_f64(),
            Value::Object(operator) if operator.len() == 1 => {
                let (Some(Value::Array(conditions)), Some(x)) = (operator.get("numeric"), value.as_f64())
                else {
                    return false;
                };
                !conditions.is_empty()
                    && conditions.len() % 2 == 0
                    && conditions.chunks(2).all(|pair| match (pair[0].as_str(), pair[1].as_f64()) {
                        (Some(">"), Some(n)) => x > n,
                        (Some(">="), Some(n)) => x >= n,
                        (Some("<"), Some(n)) => x < n,
                        (Some("<="), Some(n)) => x <= n,
                        (Some("="), Some(n)) => x == n,
                        _ => false,
                    })
            }
            _ => false,
        }
    }

    /// Every number in `value`.
    fn numbers(value: &Value, out: &mut Vec<f64>) {
        match value {
            Value::Number(number) => out.extend(number.as_f64()),
            Value::Array(items) => items.iter().for_each(|item| numbers(item, out)),
            Value::Object(fields) => fields.values().for_each(|item| numbers(item, out)),
            _ => {}
        }
    }

    /// The severities to try: the 0.1 grid from 1 to 10, the threshold, the pattern's numbers, and the
    /// midpoint of each two neighbours, all within 1..=10.
    fn severities(pattern: &Value, threshold: f64) -> Vec<f64> {
        let mut points: Vec<f64> = (10..=100).map(|tenth| f64::from(tenth) / 10.0).collect();
        points.push(threshold);
        numbers(pattern, &mut points);
        points.retain(|point| (1.0..=10.0).contains(point));
        points.sort_by(f64::total_cmp);
        points.dedup();
        let midpoints: Vec<f64> = points.windows(2).map(|pair| pair[0] + (pair[1] - pair[0]) / 2.0).collect();
        points.extend(midpoints);
        points
    }

    /// Whether the rule should pass `pattern` at `threshold`, by brute force.
    fn expected_pass(pattern: &Value, threshold: f64) -> bool {
        let all_routed = severities(pattern, threshold)
            .into_iter()
            .filter(|severity| *severity >= threshold)
            .all(|severity| KINDS.iter().all(|kind| matches(pattern, &finding_event(severity, *kind))));
        let noise = threshold > 1.0 && KINDS.iter().any(|kind| matches(pattern, &finding_event(1.0, *kind)));
        all_routed && !noise
    }

    /// The rule's verdict on a region with GuardDuty enabled and one enabled rule with a target.
    fn verdict(pattern: &Value, threshold: f64) -> Status {
        let mut snapshot = Snapshot::new(
            AccountInfo {
                id: ACCOUNT.into(),
                partition: "aws".into(),
                caller_arn: format!("arn:aws:iam::{ACCOUNT}:user/auditor"),
            },
            "2026-11-28T00:00:00Z".parse().unwrap(),
        );
        let region: RegionInventory = serde_json::from_value(json!({
            "guardduty_detectors": {"status": "ok", "value": [{"id": "d-1", "status": "ENABLED"}]},
            "event_rules": {"status": "ok", "value": [{
                "name": "fuzzed", "arn": format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/fuzzed"),
                "state": "ENABLED", "event_pattern": pattern.to_string(),
                "targets": {"status": "ok", "value": [{"id": "t", "arn": format!("arn:aws:sns:{REGION}:{ACCOUNT}:t")}]},
            }]},
        }))
        .unwrap();
        snapshot.regions.insert(REGION.to_owned(), region);
        let params = Params { guardduty_severity_threshold: threshold, ..Params::default() };
        let rule = guardline_rules::find_rule("GUARDDUTY-002").unwrap();
        let mut out = Findings::new(rule.id, ACCOUNT);
        (rule.check)(&Context { snapshot: &snapshot, params: &params }, &mut out);
        let findings = out.into_vec();
        assert_eq!(findings.len(), 1, "one finding for the one region: {findings:?}");
        findings[0].status
    }

    /// A severity or a bound: often on the 0.1 grid (where GuardDuty's levels meet), sometimes anywhere.
    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![(0i32..=110).prop_map(|tenth| f64::from(tenth) / 10.0), 0.0f64..11.0]
    }

    /// One element of a `detail.severity` list as EventBridge accepts it.
    fn matcher() -> impl Strategy<Value = Value> {
        let lower = prop_oneof![Just(">"), Just(">=")];
        let upper = prop_oneof![Just("<"), Just("<=")];
        prop_oneof![
            4 => (lower.clone(), number()).prop_map(|(op, value)| json!({"numeric": [op, value]})),
            2 => (upper.clone(), number()).prop_map(|(op, value)| json!({"numeric": [op, value]})),
            3 => (lower, number(), upper, number())
                .prop_map(|(low, from, high, to)| json!({"numeric": [low, from, high, to]})),
            1 => number().prop_map(|value| json!({"numeric": ["=", value]})),
            2 => number().prop_map(Value::from),
            1 => "[a-z0-9.]{1,4}".prop_map(Value::String),
        ]
    }

    /// A GuardDuty pattern: a severity filter (or none), and now and then another key, harmless or not.
    fn pattern() -> impl Strategy<Value = Value> {
        let severity = prop::option::weighted(0.9, prop::collection::vec(matcher(), 1..4));
        let account = prop_oneof![
            6 => Just(None),
            1 => Just(Some(json!([ACCOUNT]))),
            1 => Just(Some(json!([ACCOUNT, OTHER_ACCOUNT]))),
            1 => Just(Some(json!([OTHER_ACCOUNT]))),
        ];
        let region = prop_oneof![
            6 => Just(None),
            1 => Just(Some(json!([REGION]))),
            1 => Just(Some(json!(["us-east-1"]))),
        ];
        let kind = prop::option::weighted(0.1, prop::sample::select(KINDS));
        let resource = prop::option::weighted(0.1, prop::sample::select(KINDS));
        let detail_type = any::<bool>();
        let sources = any::<bool>();
        (severity, account, region, kind, resource, detail_type, sources).prop_map(
            |(severity, account, region, kind, resource, detail_type, sources)| {
                let mut pattern = serde_json::Map::new();
                let source = if sources {
                    json!(["aws.guardduty", "aws.securityhub"])
                } else {
                    json!(["aws.guardduty"])
                };
                pattern.insert("source".into(), source);
                if detail_type {
                    pattern.insert("detail-type".into(), json!(["GuardDuty Finding"]));
                }
                if let Some(account) = account {
                    pattern.insert("account".into(), account);
                }
                if let Some(region) = region {
                    pattern.insert("region".into(), region);
                }
                let mut detail = serde_json::Map::new();
                if let Some(severity) = severity {
                    detail.insert("severity".into(), Value::Array(severity));
                }
                if let Some((kind, _)) = kind {
                    detail.insert("type".into(), json!([kind]));
                }
                if let Some((_, resource)) = resource {
                    detail.insert("resource".into(), json!({"resourceType": [resource]}));
                }
                if !detail.is_empty() {
                    pattern.insert("detail".into(), Value::Object(detail));
                }
                Value::Object(pattern)
            },
        )
    }

    /// Thresholds the config loader accepts (0 to 10), often on the grid.
    fn threshold() -> impl Strategy<Value = f64> {
        prop_oneof![(0i32..=100).prop_map(|tenth| f64::from(tenth) / 10.0), 0.0f64..=10.0]
    }

    /// The brute force itself, on patterns whose answer is known.
    #[test]
    fn the_brute_force_knows_the_documented_patterns() {
        let gd = |severity: Value| json!({"source": ["aws.guardduty"], "detail": {"severity": severity}});
        let by_value: Vec<Value> = (70..=89).map(|tenth| json!(f64::from(tenth) / 10.0)).collect();
        for (pattern, threshold, pass) in [
            (gd(json!([{"numeric": [">=", 7]}])), 7.0, true),
            (gd(json!([{"numeric": [">=", 4]}])), 7.0, true),
            (gd(json!([{"numeric": [">", 7]}])), 7.0, false),
            (gd(json!([{"numeric": [">=", 7, "<", 9]}])), 7.0, false),
            (gd(json!([{"numeric": [">=", 7, "<", 9]}, {"numeric": [">=", 9]}])), 7.0, true),
            (gd(json!([{"numeric": [">=", 7, "<", 8]}, {"numeric": [">", 8]}])), 7.0, false),
            (gd(json!([{"numeric": [">=", 7, "<", 8]}, 8, {"numeric": [">", 8]}])), 7.0, true),
            (gd(Value::Array(by_value)), 7.0, false),
            (gd(json!([{"numeric": [">", 0]}])), 7.0, false),
            (gd(json!([{"numeric": [">", 0]}])), 1.0, true),
            (json!({"source": ["aws.guardduty"]}), 7.0, false),
            (json!({"source": ["aws.guardduty"]}), 0.5, true),
            (
                json!({"source": ["aws.guardduty"], "account": [OTHER_ACCOUNT], "detail": {"severity": [{"numeric": [">=", 7]}]}}),
                7.0,
                false,
            ),
            (
                json!({"source": ["aws.guardduty"], "account": [ACCOUNT], "detail": {"severity": [{"numeric": [">=", 7]}]}}),
                7.0,
                true,
            ),
            (
                json!({"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}], "type": [KINDS[0].0]}}),
                7.0,
                false,
            ),
        ] {
            assert_eq!(expected_pass(&pattern, threshold), pass, "{pattern} at {threshold}");
            let want = if pass { Status::Pass } else { Status::Fail };
            assert_eq!(verdict(&pattern, threshold), want, "{pattern} at {threshold}");
        }
    }

    #[test]
    fn guardduty_verdicts_match_a_brute_force_severity_grid() {
        let (passes, fails) = (Cell::new(0u32), Cell::new(0u32));
        let config = ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() };
        let mut runner = proptest::test_runner::TestRunner::new(config);
        runner
            .run(&(pattern(), threshold()), |(pattern, threshold)| {
                let expected = if expected_pass(&pattern, threshold) { Status::Pass } else { Status::Fail };
                let counter = if expected == Status::Pass { &passes } else { &fails };
                counter.set(counter.get() + 1);
                prop_assert_eq!(
                    verdict(&pattern, threshold),
                    expected,
                    "pattern {} at threshold {}",
                    pattern,
                    threshold
                );
                Ok(())
            })
            .unwrap();
        assert!(
            passes.get() >= 50 && fails.get() >= 50,
            "the generated patterns should both pass and fail often: {} passed, {} failed",
            passes.get(),
            fails.get()
        );
    }
}
