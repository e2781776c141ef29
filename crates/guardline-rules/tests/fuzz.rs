//! Bounded fuzzing (proptest) of everything that reads untrusted text in the evaluation path: the snapshot
//! loader over arbitrary and mangled input, the rules and the engine over structurally mutated snapshots
//! (odd strings, extreme numbers, wrong types, missing pieces), and GuardDuty routing over generated event
//! patterns. The property is always the same: a clear error or a result, never a panic.

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

    #[test]
    fn guardduty_routing_never_panics_on_generated_severity_filters(
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
