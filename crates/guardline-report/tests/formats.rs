//! The machine-readable formats (CSV, JUnit, SARIF, OCSF, ASFF) on one fixed evaluation: the bundled demo
//! account evaluated on 2026-11-28. Each format is snapshotted (insta) and then checked by an independent
//! validator under `tests/validators/` at the workspace root, run as a child process:
//!
//! - CSV: read back with the `csv` crate's reader, every record the header's width (RFC 4180 round trip).
//! - JUnit: the Jenkins xUnit plugin's `junit-10.xsd` with Python `xmlschema`.
//! - SARIF: Microsoft's SARIF Multitool (npm) and the SARIF 2.1.0 JSON schema with Python `jsonschema`.
//! - OCSF: `py-ocsf-models`' `DetectionFinding`, each event parsed and dumped back unchanged.
//! - ASFF: botocore's own parameter validation of Security Hub `BatchImportFindings`.
//!
//! `scripts/test` installs the validators (`tests/requirements.txt`, `tests/validators/package.json`). A
//! validator that is missing fails its test with the install command; it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use guardline_report::{asff, csv, junit, ocsf, sarif};
use guardline_rules::{Evaluation, Outcome};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root exists")
}

fn evaluation() -> &'static Evaluation {
    static EVALUATION: OnceLock<Evaluation> = OnceLock::new();
    EVALUATION.get_or_init(|| {
        let text = std::fs::read_to_string(workspace().join("demo/snapshot.json")).expect("demo snapshot");
        demo_evaluation(&text)
    })
}

/// The snapshot `snapshot_text` evaluated under the demo config, on the demo's date.
fn demo_evaluation(snapshot_text: &str) -> Evaluation {
    let snapshot = guardline_model::Snapshot::from_json(snapshot_text).expect("the snapshot loads");
    let config_text = std::fs::read_to_string(workspace().join("demo/guardline.toml")).expect("demo config");
    let known: Vec<&str> = guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .chain(guardline_rules::registry::PLANNED.iter().copied())
        .collect();
    let config = guardline_config::parse(&config_text, "demo/guardline.toml", &known)
        .unwrap_or_else(|errors| panic!("the demo config is valid: {errors:?}"));
    guardline_rules::evaluate(&snapshot, &config, jiff::civil::date(2026, 11, 28))
}

/// The demo covers every outcome the formats map differently but WARN and NOT ADOPTED, which [`variant`]
/// adds.
#[test]
fn demo_covers_every_outcome() {
    let outcomes: Vec<Outcome> = evaluation().findings.iter().map(|finding| finding.outcome).collect();
    for wanted in [Outcome::Fail, Outcome::NotEvaluated, Outcome::Excepted, Outcome::Pass] {
        assert!(outcomes.contains(&wanted), "the demo evaluation has no {wanted:?} finding");
    }
    let outcomes: Vec<Outcome> = variant().findings.iter().map(|finding| finding.outcome).collect();
    assert!(outcomes.contains(&Outcome::Warn));
    assert!(outcomes.contains(&Outcome::NotAdopted));
}

/// The demo evaluation with what it lacks: a WARN, a not-adopted finding, a failure whose exception expired,
/// and messages full of
/// markup, quotes, line breaks and a control character.
fn variant() -> Evaluation {
    let mut evaluation = evaluation().clone();
    for finding in &mut evaluation.findings {
        finding.finding.message.en = HOSTILE.to_owned();
        finding.finding.message.ja = HOSTILE.to_owned();
    }
    let mut failures = evaluation.findings.iter_mut().filter(|finding| finding.outcome == Outcome::Fail);
    let warn = failures.next().expect("a failure");
    warn.outcome = Outcome::Warn;
    warn.level = Some(guardline_config::Level::Warn);
    let expired = failures.next().expect("a second failure");
    expired.exception = Some(Box::new(guardline_rules::AppliedException {
        reason: "until the <migration> & \"cut-over\"".to_owned(),
        owner: "ops@acme.example".to_owned(),
        expires: jiff::civil::date(2026, 1, 31),
        expired: true,
        line: 1,
        covers_resource: None,
        covers_subject: None,
    }));
    let not_adopted =
        evaluation.findings.iter_mut().find(|finding| finding.outcome == Outcome::Pass).expect("a pass");
    not_adopted.outcome = Outcome::NotAdopted;
    not_adopted.level = None;
    not_adopted.not_adopted_reason = Some("handled by the <org> & \"platform\" team".to_owned());
    evaluation
}

const HOSTILE: &str = "a \"quoted\", <b>bold</b> & 'single'\nsecond line\u{1}";

/// Writes `report` to a file of its own and runs `python3 tests/validators/<script> FILE`; fails with the
/// validator's output when it rejects the report or cannot run.
fn validate(script: &str, file_name: &str, report: &str) {
    let dir = std::env::temp_dir().join(format!("guardline-formats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(file_name);
    std::fs::write(&path, report).expect("write the report");
    let validator = workspace().join("tests/validators").join(script);
    let output = Command::new("python3").arg(&validator).arg(&path).output().unwrap_or_else(|error| {
        panic!(
            "cannot run the validator `python3 {}`: {error}; install Python 3 and run scripts/test",
            validator.display()
        )
    });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} rejected {} ({}):\n{stdout}{stderr}",
        path.display(),
        output.status
    );
    println!("{stdout}");
    let _ = std::fs::remove_file(&path);
}

#[test]
fn csv_snapshot() {
    insta::assert_snapshot!("csv_en", csv::render(evaluation(), "en"));
    insta::assert_snapshot!("csv_ja", csv::render(evaluation(), "ja"));
}

#[test]
fn csv_round_trips_rfc4180() {
    for lang in ["en", "ja"] {
        let report = csv::render(evaluation(), lang);
        assert!(report.ends_with("\r\n"), "records end in CRLF");
        let mut reader = ::csv::ReaderBuilder::new().has_headers(true).from_reader(report.as_bytes());
        assert_eq!(reader.headers().expect("header").iter().collect::<Vec<_>>(), csv::HEADER);
        let records: Vec<::csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("every record parses");
        assert_eq!(records.len(), evaluation().findings.len());
        for (record, finding) in records.iter().zip(&evaluation().findings) {
            assert_eq!(record.len(), csv::HEADER.len());
            assert_eq!(&record[4], finding.finding.control);
            assert_eq!(&record[9], finding.finding.resource);
            assert_eq!(&record[10], finding.finding.subject.as_deref().unwrap_or_default());
            assert_eq!(&record[11], finding.finding.message.get(lang), "a message survives quoting");
        }
    }
}

#[test]
fn junit_snapshot_and_xsd() {
    let en = junit::render(evaluation(), "en");
    insta::assert_snapshot!("junit_en", en);
    validate("junit.py", "report-en.xml", &en);
    validate("junit.py", "report-ja.xml", &junit::render(evaluation(), "ja"));
}

#[test]
fn sarif_snapshot_and_multitool() {
    let en = sarif::render(evaluation(), "en");
    insta::assert_snapshot!("sarif_en", en);
    validate("sarif.py", "report-en.sarif", &en);
    validate("sarif.py", "report-ja.sarif", &sarif::render(evaluation(), "ja"));
}

#[test]
fn ocsf_snapshot_and_models() {
    let en = ocsf::render(evaluation(), "en");
    insta::assert_snapshot!("ocsf_en", en);
    validate("ocsf.py", "report-en.ocsf.json", &en);
    validate("ocsf.py", "report-ja.ocsf.json", &ocsf::render(evaluation(), "ja"));
}

#[test]
fn asff_snapshot_and_botocore() {
    let en = asff::render(evaluation(), "en");
    insta::assert_snapshot!("asff_en", en);
    validate("asff.py", "report-en.asff.json", &en);
    validate("asff.py", "report-ja.asff.json", &asff::render(evaluation(), "ja"));
}

/// Every renderer escapes what it must and maps WARN and expired exceptions validly.
#[test]
fn variant_validates() {
    let evaluation = variant();
    for lang in ["en", "ja"] {
        validate("junit.py", &format!("variant-{lang}.xml"), &junit::render(&evaluation, lang));
        validate("sarif.py", &format!("variant-{lang}.sarif"), &sarif::render(&evaluation, lang));
        validate("ocsf.py", &format!("variant-{lang}.ocsf.json"), &ocsf::render(&evaluation, lang));
        validate("asff.py", &format!("variant-{lang}.asff.json"), &asff::render(&evaluation, lang));
    }
    let report = csv::render(&evaluation, "en");
    let mut reader = ::csv::Reader::from_reader(report.as_bytes());
    for record in reader.records() {
        assert_eq!(&record.expect("record")[11], HOSTILE);
    }
    let junit = junit::render(&evaluation, "en");
    assert!(junit.contains("<failure type=\"WARN\""), "WARN is a failure");
    assert!(junit.contains("<skipped type=\"NOT ADOPTED\" message=\"handled by the &lt;org&gt;"));
    assert!(junit.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &apos;single&apos;&#10;second line\u{fffd}"));
    let asff: serde_json::Value = serde_json::from_str(&asff::render(&evaluation, "en")).expect("JSON");
    let statuses: Vec<&str> = asff
        .as_array()
        .expect("array")
        .iter()
        .map(|f| f["Compliance"]["Status"].as_str().expect("status"))
        .collect();
    for wanted in ["PASSED", "FAILED", "WARNING", "NOT_AVAILABLE"] {
        assert!(statuses.contains(&wanted), "no {wanted} finding");
    }
}

/// The mappings the formats promise, checked on the demo.
#[test]
fn mappings() {
    let evaluation = evaluation();
    let excepted = evaluation.findings.iter().filter(|f| f.outcome == Outcome::Excepted).count();
    assert!(excepted > 0);

    let sarif: serde_json::Value = serde_json::from_str(&sarif::render(evaluation, "ja")).expect("JSON");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"].as_array().expect("rules").len(), guardline_rules::RULES.len());
    let results = run["results"].as_array().expect("results");
    let suppressed: Vec<&serde_json::Value> =
        results.iter().filter(|result| result.get("suppressions").is_some()).collect();
    assert_eq!(suppressed.len(), excepted);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    let shown = evaluation
        .findings
        .iter()
        .filter(|f| !matches!(f.outcome, Outcome::Pass | Outcome::NotAdopted))
        .count();
    assert_eq!(results.len(), shown);

    let ocsf: serde_json::Value = serde_json::from_str(&ocsf::render(evaluation, "en")).expect("JSON");
    let events = ocsf.as_array().expect("array");
    assert_eq!(events.len(), shown);
    assert_eq!(events.iter().filter(|event| event["status_id"] == 3).count(), excepted);

    let asff: serde_json::Value = serde_json::from_str(&asff::render(evaluation, "en")).expect("JSON");
    let findings = asff.as_array().expect("array");
    assert_eq!(findings.iter().filter(|f| f["Workflow"]["Status"] == "SUPPRESSED").count(), excepted);
    assert!(findings.iter().all(|f| f["Region"] != "global"), "global findings go to us-east-1");
    let ids: std::collections::BTreeSet<&str> =
        findings.iter().map(|f| f["Id"].as_str().expect("Id")).collect();
    assert_eq!(ids.len(), findings.len(), "Ids are unique");
}

/// The demo account taken out of its organization: ORG-001..005 are NOT APPLICABLE on the account.
fn standalone() -> &'static Evaluation {
    static EVALUATION: OnceLock<Evaluation> = OnceLock::new();
    EVALUATION.get_or_init(|| {
        let text = std::fs::read_to_string(workspace().join("demo/snapshot.json")).expect("demo snapshot");
        let mut snapshot: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        snapshot["global"]["organization"] = serde_json::json!({ "status": "ok", "value": null });
        demo_evaluation(&snapshot.to_string())
    })
}

const NOT_IN_AN_ORGANIZATION: &str = "account 123456789012 is not in an AWS Organization; the organisation \
                                      controls (3-2) apply to organization accounts";

/// NOT APPLICABLE in every machine format: its own code, never a pass or a failure, and valid for each
/// format's validator.
#[test]
fn not_applicable_in_every_format() {
    let evaluation = standalone();
    let not_applicable: Vec<&str> = evaluation
        .findings
        .iter()
        .filter(|finding| finding.outcome == Outcome::NotApplicable)
        .map(|finding| finding.finding.control.as_str())
        .collect();
    assert_eq!(not_applicable, ["ORG-001", "ORG-002", "ORG-003", "ORG-004", "ORG-005"]);

    // SARIF: a result of kind notApplicable, level none (§3.27.9, §3.27.10); every other result keeps the
    // default kind, fail.
    let sarif: serde_json::Value = serde_json::from_str(&sarif::render(evaluation, "en")).expect("JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let (inapplicable, others): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) =
        results.iter().partition(|result| result.get("kind").is_some());
    assert_eq!(inapplicable.len(), 5);
    for result in inapplicable {
        assert_eq!(result["kind"], "notApplicable");
        assert_eq!(result["level"], "none");
        assert_eq!(result["properties"]["status"], "NOT_APPLICABLE");
        assert_eq!(result["properties"]["outcome"], "not-applicable");
        assert_eq!(result["message"]["text"], NOT_IN_AN_ORGANIZATION);
    }
    assert!(others.iter().all(|result| result["level"] != "none"));

    // JUnit: skipped, with the reason as its message; not a failure or an error.
    let junit = junit::render(evaluation, "en");
    let skipped = format!("<skipped type=\"NOT APPLICABLE\" message=\"{NOT_IN_AN_ORGANIZATION}\">");
    assert_eq!(junit.matches(&skipped).count(), 5, "{junit}");
    // The suite's counts agree with its test cases: NOT APPLICABLE counts as skipped.
    let suite = junit.split("<testsuite name=\"3. ").nth(1).expect("section 3");
    let suite = suite.split("</testsuite>").next().expect("the suite ends");
    let attribute = |name: &str| -> usize {
        let start = suite.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        suite[start..].split('"').next().expect("value").parse().expect("a number")
    };
    assert_eq!(attribute("skipped"), suite.matches("<skipped ").count());
    assert_eq!(attribute("failures"), suite.matches("<failure ").count());
    assert_eq!(attribute("errors"), suite.matches("<error ").count());
    assert!(
        !junit.contains("<failure type=\"NOT APPLICABLE\"")
            && !junit.contains("<error type=\"NOT APPLICABLE\"")
    );

    // CSV: the status and outcome codes.
    let report = csv::render(evaluation, "en");
    let mut reader = ::csv::Reader::from_reader(report.as_bytes());
    let rows: Vec<::csv::StringRecord> = reader
        .records()
        .map(|record| record.expect("record"))
        .filter(|record| record[4].starts_with("ORG-"))
        .collect();
    assert_eq!(rows.len(), 5);
    for row in &rows {
        assert_eq!(
            (&row[7], &row[8], &row[11]),
            ("NOT_APPLICABLE", "not-applicable", NOT_IN_AN_ORGANIZATION)
        );
    }

    // ASFF: NOT_AVAILABLE, as Security Hub reports a control whose Config evaluation was NOT_APPLICABLE, with
    // the reason in the description.
    let asff: serde_json::Value = serde_json::from_str(&asff::render(evaluation, "en")).expect("JSON");
    let org: Vec<&serde_json::Value> = asff
        .as_array()
        .expect("array")
        .iter()
        .filter(|finding| finding["GeneratorId"].as_str().is_some_and(|id| id.starts_with("guardline/ORG-")))
        .collect();
    assert_eq!(org.len(), 5);
    for finding in org {
        assert_eq!(finding["Compliance"]["Status"], "NOT_AVAILABLE");
        assert_eq!(finding["Severity"]["Label"], "INFORMATIONAL");
        assert_eq!(finding["Description"], format!("Not applicable: {NOT_IN_AN_ORGANIZATION}"));
        assert_eq!(finding["ProductFields"]["guardline/Status"], "NOT_APPLICABLE");
    }

    // OCSF: status Other (99), "Not Applicable", the reason in status_detail.
    let ocsf: serde_json::Value = serde_json::from_str(&ocsf::render(evaluation, "en")).expect("JSON");
    let org: Vec<&serde_json::Value> =
        ocsf.as_array().expect("array").iter().filter(|event| event["status_id"] == 99).collect();
    assert_eq!(org.len(), 5);
    for event in org {
        assert_eq!(event["status"], "Not Applicable");
        assert_eq!(event["status_code"], "not-applicable");
        assert_eq!(event["status_detail"], NOT_IN_AN_ORGANIZATION);
        assert_eq!(event["severity_id"], 1);
    }

    for lang in ["en", "ja"] {
        validate("junit.py", &format!("standalone-{lang}.xml"), &junit::render(evaluation, lang));
        validate("sarif.py", &format!("standalone-{lang}.sarif"), &sarif::render(evaluation, lang));
        validate("ocsf.py", &format!("standalone-{lang}.ocsf.json"), &ocsf::render(evaluation, lang));
        validate("asff.py", &format!("standalone-{lang}.asff.json"), &asff::render(evaluation, lang));
    }
}
