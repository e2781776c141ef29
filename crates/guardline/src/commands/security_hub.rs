//! `scan --send-to-security-hub`: imports the scan's ASFF findings into AWS Security Hub.
//!
//! This is a **write** to AWS, and it lives here on purpose, apart from `guardline-collect`, whose
//! collectors only read. It goes through the write guard every write shares ([`send_guarded`]). The findings are exactly those of `--format asff`
//! ([`guardline_report::asff::render`]): the JSON is turned into the SDK's `AwsSecurityFinding` values field
//! by field, and a field this importer does not know is an error rather than silently dropped. Security Hub
//! imports a finding only in the region of its `ProductArn`, so the findings are grouped by that region and
//! sent with `BatchImportFindings`, at most [`MAX_BATCH`] per call. ASFF `Id`s are stable, so importing the
//! same scan again updates the findings instead of duplicating them.
//!
//! Every batch is tried even when one fails; the per-finding failures (`FailedFindings`) and failed calls
//! are then reported together, as one error naming each region and how many findings it did not take.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context as _, bail};
use aws_config::SdkConfig;
use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::config::Region;
use aws_sdk_securityhub::error::DisplayErrorContext;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, Compliance, ComplianceStatus, Partition, Recommendation, RecordState, Remediation,
    Resource, Severity, SeverityLabel, Workflow, WorkflowStatus,
};
use guardline_model::Snapshot;
use guardline_rules::Evaluation;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use crate::args::{ScanArgs, WriteArgs};
use crate::commands::{AwsSession, write_guard};

/// BatchImportFindings takes at most this many findings per call.
pub const MAX_BATCH: usize = 100;

/// How old a `--snapshot` may be to be imported without `--force-snapshot`.
const MAX_SNAPSHOT_AGE: SignedDuration = SignedDuration::from_hours(24);

/// `scan --send-to-security-hub` under the write guard: the findings' account must be the one the
/// credentials reach (a `--snapshot` of another account, or older than a day, needs `--force-snapshot`),
/// pinned by the config or `--account-id`, the import confirmed, and the import made with the session's
/// config pinned to that account ([`AwsSession::writer`]). Then [`send`].
pub fn send_guarded(
    session: &AwsSession,
    snapshot: &Snapshot,
    evaluation: &Evaluation,
    config: &guardline_config::Config,
    args: &ScanArgs,
) -> anyhow::Result<()> {
    let refuse = |why: String| anyhow::anyhow!("refused, nothing was imported into Security Hub: {why}");
    let mut target = snapshot.account.id.clone();
    if args.snapshot.is_some() {
        let live = session.identify()?;
        let age = Timestamp::now().duration_since(snapshot.collected_at);
        let mut forced = Vec::new();
        if live.id != snapshot.account.id {
            forced.push(format!(
                "the snapshot is of account {}, the credentials reach account {live}",
                snapshot.account.id
            ));
        }
        if age > MAX_SNAPSHOT_AGE {
            forced.push(format!(
                "the snapshot was collected at {}, more than 24 hours ago: its findings may no longer be true",
                snapshot.collected_at
            ));
        }
        if !forced.is_empty() && !args.force_snapshot {
            return Err(refuse(format!("{}; --force-snapshot imports it anyway", forced.join("; "))));
        }
        for reason in &forced {
            eprintln!("Security Hub: --force-snapshot: importing although {reason}");
        }
        target = live.id;
    }
    let (writer, live) = session.writer(&target).map_err(|error| refuse(format!("{error:#}")))?;
    let write = WriteArgs { apply: true, yes: args.yes, account_id: args.account_id.clone() };
    let pin =
        write_guard::check_pin(config, &live, &write, None).map_err(|error| refuse(format!("{error:#}")))?;
    eprintln!(
        "Security Hub import: {}; {}",
        write_guard::target_line(&live, "en"),
        write_guard::pin_line(&pin, "en")
    );
    write_guard::confirm(&write, &live, "Import the findings into Security Hub", "en")?;
    send(evaluation, args.report.lang.code(), writer, session)
}

/// Renders `evaluation` as ASFF and imports it into Security Hub with `writer` (a config pinned to the
/// account), region by region; prints on stderr how many findings each region took. An error names every
/// region where findings were not imported.
fn send(evaluation: &Evaluation, lang: &str, writer: SdkConfig, session: &AwsSession) -> anyhow::Result<()> {
    let asff = guardline_report::asff::render(evaluation, lang);
    let by_region = group_by_region(parse_findings(&asff)?);
    if by_region.is_empty() {
        crate::console::note!("Security Hub: no findings to import");
        return Ok(());
    }
    // Spawned, not polled by `block_on` on this thread: the SDK's (de)serialisers of a finding need the
    // session runtime's big worker stacks in unoptimised builds.
    let import = session
        .runtime
        .spawn(async move { import_all(&aws_sdk_securityhub::Config::from(&writer), by_region).await });
    let report = session
        .runtime
        .block_on(import)
        .map_err(|_| anyhow::anyhow!("the Security Hub import task panicked"))?;
    summarise(&report)
}

/// What one region took and refused.
#[derive(Debug, Default)]
struct RegionReport {
    region: String,
    sent: usize,
    imported: usize,
    /// `Id: code: message` of each finding the API refused.
    failed: Vec<String>,
    /// Calls that failed as a whole: (findings in the call, error).
    errors: Vec<(usize, String)>,
}

impl RegionReport {
    fn not_imported(&self) -> usize {
        self.failed.len() + self.errors.iter().map(|(count, _)| count).sum::<usize>()
    }
}

async fn import_all(
    base: &aws_sdk_securityhub::Config,
    by_region: BTreeMap<String, Vec<AwsSecurityFinding>>,
) -> Vec<RegionReport> {
    let mut reports = Vec::new();
    for (region, findings) in by_region {
        let client = Client::from_conf(base.to_builder().region(Region::new(region.clone())).build());
        let mut report =
            RegionReport { region: region.clone(), sent: findings.len(), ..RegionReport::default() };
        for batch in into_batches(findings, MAX_BATCH) {
            let count = batch.len();
            match client.batch_import_findings().set_findings(Some(batch)).send().await {
                Ok(output) => {
                    let failed = output.failed_findings();
                    report.imported +=
                        output.success_count().map_or(count - failed.len(), |n| n.max(0) as usize);
                    report.failed.extend(failed.iter().map(|failure| {
                        format!(
                            "{}: {}: {}",
                            failure.id().unwrap_or("?"),
                            failure.error_code().unwrap_or("?"),
                            failure.error_message().unwrap_or("")
                        )
                    }));
                }
                Err(err) => {
                    report
                        .errors
                        .push((count, format!("BatchImportFindings: {}", DisplayErrorContext(&err))));
                }
            }
        }
        reports.push(report);
    }
    reports
}

/// Prints each region's count on stderr; an error when any finding was not imported.
fn summarise(reports: &[RegionReport]) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    for report in reports {
        crate::console::note!(
            "Security Hub: imported {} of {} finding(s) into {}",
            report.imported,
            report.sent,
            report.region
        );
        let missing = report.not_imported();
        if missing == 0 {
            continue;
        }
        let mut problem = format!("{}: {missing} of {} finding(s) not imported", report.region, report.sent);
        for (count, error) in &report.errors {
            problem.push_str(&format!("\n    {count} finding(s): {error}"));
        }
        for failure in &report.failed {
            problem.push_str(&format!("\n    {failure}"));
        }
        problems.push(problem);
    }
    if !problems.is_empty() {
        bail!("Security Hub import failed\n  {}", problems.join("\n  "));
    }
    Ok(())
}

/// `items` in consecutive batches of at most `size`.
fn into_batches<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut batches = Vec::with_capacity(items.len().div_ceil(size));
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        batches.push(items.by_ref().take(size).collect());
    }
    batches
}

/// The findings by the region of their `ProductArn`, in region order.
fn group_by_region(findings: Vec<AwsSecurityFinding>) -> BTreeMap<String, Vec<AwsSecurityFinding>> {
    let mut by_region: BTreeMap<String, Vec<AwsSecurityFinding>> = BTreeMap::new();
    for finding in findings {
        by_region
            .entry(product_region(finding.product_arn().unwrap_or_default()).to_owned())
            .or_default()
            .push(finding);
    }
    by_region
}

/// The region of a product ARN (`arn:aws:securityhub:<region>:<account>:product/...`).
fn product_region(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or_default()
}

/// The SDK findings of an ASFF document (a JSON list of findings, as `--format asff` writes it).
fn parse_findings(asff: &str) -> anyhow::Result<Vec<AwsSecurityFinding>> {
    let value: Value = serde_json::from_str(asff).context("parsing the ASFF report")?;
    let list = value.as_array().context("the ASFF report is not a JSON list")?;
    list.iter()
        .enumerate()
        .map(|(index, finding)| {
            let id = finding.get("Id").and_then(Value::as_str).unwrap_or("?");
            to_sdk(finding).with_context(|| format!("ASFF finding #{index} ({id})"))
        })
        .collect()
}

/// One ASFF finding as the SDK's value. Every field the renderer writes is carried over; an unknown field is
/// an error so that a renderer change cannot be dropped silently on the way to Security Hub.
fn to_sdk(finding: &Value) -> anyhow::Result<AwsSecurityFinding> {
    let object = finding.as_object().context("a finding is not a JSON object")?;
    let mut builder = AwsSecurityFinding::builder();
    for (key, value) in object {
        builder = match key.as_str() {
            "SchemaVersion" => builder.schema_version(text(value, key)?),
            "Id" => builder.id(text(value, key)?),
            "ProductArn" => builder.product_arn(text(value, key)?),
            "ProductName" => builder.product_name(text(value, key)?),
            "CompanyName" => builder.company_name(text(value, key)?),
            "GeneratorId" => builder.generator_id(text(value, key)?),
            "AwsAccountId" => builder.aws_account_id(text(value, key)?),
            "Region" => builder.region(text(value, key)?),
            "Types" => builder.set_types(Some(texts(value, key)?)),
            "CreatedAt" => builder.created_at(text(value, key)?),
            "UpdatedAt" => builder.updated_at(text(value, key)?),
            "Title" => builder.title(text(value, key)?),
            "Description" => builder.description(text(value, key)?),
            "RecordState" => builder.record_state(RecordState::from(text(value, key)?.as_str())),
            "Severity" => {
                let fields = object_of(value, key, &["Label", "Original"])?;
                let mut severity = Severity::builder();
                if let Some(label) = fields.get("Label") {
                    severity = severity.label(SeverityLabel::from(text(label, "Severity.Label")?.as_str()));
                }
                if let Some(original) = fields.get("Original") {
                    severity = severity.original(text(original, "Severity.Original")?);
                }
                builder.severity(severity.build())
            }
            "Remediation" => {
                let fields = object_of(value, key, &["Recommendation"])?;
                let mut remediation = Remediation::builder();
                if let Some(recommendation) = fields.get("Recommendation") {
                    let fields = object_of(recommendation, "Remediation.Recommendation", &["Text"])?;
                    let mut built = Recommendation::builder();
                    if let Some(value) = fields.get("Text") {
                        built = built.text(text(value, "Remediation.Recommendation.Text")?);
                    }
                    remediation = remediation.recommendation(built.build());
                }
                builder.remediation(remediation.build())
            }
            "ProductFields" => {
                let fields = value.as_object().with_context(|| format!("{key} is not an object"))?;
                let mut map = HashMap::new();
                for (name, value) in fields {
                    map.insert(name.clone(), text(value, &format!("ProductFields.{name}"))?);
                }
                builder.set_product_fields(Some(map))
            }
            "Resources" => {
                let list = value.as_array().with_context(|| format!("{key} is not a list"))?;
                let mut resources = Vec::with_capacity(list.len());
                for resource in list {
                    let fields = object_of(resource, "Resources[]", &["Type", "Id", "Partition", "Region"])?;
                    let mut built = Resource::builder();
                    if let Some(value) = fields.get("Type") {
                        built = built.r#type(text(value, "Resources[].Type")?);
                    }
                    if let Some(value) = fields.get("Id") {
                        built = built.id(text(value, "Resources[].Id")?);
                    }
                    if let Some(value) = fields.get("Partition") {
                        built =
                            built.partition(Partition::from(text(value, "Resources[].Partition")?.as_str()));
                    }
                    if let Some(value) = fields.get("Region") {
                        built = built.region(text(value, "Resources[].Region")?);
                    }
                    resources.push(built.build());
                }
                builder.set_resources(Some(resources))
            }
            "Compliance" => {
                let fields = object_of(value, key, &["Status", "RelatedRequirements"])?;
                let mut compliance = Compliance::builder();
                if let Some(value) = fields.get("Status") {
                    compliance =
                        compliance.status(ComplianceStatus::from(text(value, "Compliance.Status")?.as_str()));
                }
                if let Some(value) = fields.get("RelatedRequirements") {
                    compliance = compliance
                        .set_related_requirements(Some(texts(value, "Compliance.RelatedRequirements")?));
                }
                builder.compliance(compliance.build())
            }
            "Workflow" => {
                let fields = object_of(value, key, &["Status"])?;
                let mut workflow = Workflow::builder();
                if let Some(value) = fields.get("Status") {
                    workflow =
                        workflow.status(WorkflowStatus::from(text(value, "Workflow.Status")?.as_str()));
                }
                builder.workflow(workflow.build())
            }
            other => bail!("the Security Hub importer does not know the ASFF field {other}"),
        };
    }
    Ok(builder.build())
}

fn text(value: &Value, field: &str) -> anyhow::Result<String> {
    value.as_str().map(str::to_owned).with_context(|| format!("{field} is not a string"))
}

fn texts(value: &Value, field: &str) -> anyhow::Result<Vec<String>> {
    let list = value.as_array().with_context(|| format!("{field} is not a list"))?;
    list.iter().map(|item| text(item, field)).collect()
}

/// `value` as an object whose keys are all in `known`.
fn object_of<'a>(value: &'a Value, field: &str, known: &[&str]) -> anyhow::Result<&'a Map<String, Value>> {
    let object = value.as_object().with_context(|| format!("{field} is not an object"))?;
    if let Some(unknown) = object.keys().find(|key| !known.contains(&key.as_str())) {
        bail!("the Security Hub importer does not know the ASFF field {field}.{unknown}");
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::{into_batches, parse_findings, product_region};

    #[test]
    fn batches_of_at_most_100() {
        let sizes: Vec<usize> = into_batches((0..250).collect(), 100).iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(into_batches((0..100).collect::<Vec<_>>(), 100).len(), 1);
        assert!(into_batches(Vec::<u8>::new(), 100).is_empty());
        let order: Vec<u32> = into_batches((0..7).collect(), 3).concat();
        assert_eq!(order, (0..7).collect::<Vec<_>>());
    }

    #[test]
    fn region_of_a_product_arn() {
        assert_eq!(
            product_region("arn:aws:securityhub:ap-northeast-1:123456789012:product/123456789012/default"),
            "ap-northeast-1"
        );
        assert_eq!(product_region("nonsense"), "");
    }

    /// Every finding of the demo report converts, with every field the renderer wrote.
    #[test]
    fn the_demo_report_converts_field_for_field() {
        use crate::commands::scan::{DEMO_CONFIG, DEMO_SNAPSHOT};
        let config =
            guardline_config::parse(DEMO_CONFIG, "demo/guardline.toml", &crate::commands::known_controls())
                .unwrap();
        let snapshot = guardline_model::Snapshot::from_json(DEMO_SNAPSHOT).unwrap();
        let today = snapshot.collected_at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
        let evaluation = guardline_rules::evaluate(&snapshot, &config, today);
        let asff = guardline_report::asff::render(&evaluation, "ja");
        let json: Vec<serde_json::Value> = serde_json::from_str(&asff).unwrap();
        let findings = parse_findings(&asff).unwrap();
        assert_eq!(findings.len(), json.len());
        assert!(!findings.is_empty());
        for (sdk, json) in findings.iter().zip(&json) {
            assert_eq!(sdk.id(), json["Id"].as_str());
            assert_eq!(sdk.product_arn(), json["ProductArn"].as_str());
            assert_eq!(sdk.region(), json["Region"].as_str());
            assert_eq!(sdk.title(), json["Title"].as_str());
            assert_eq!(sdk.description(), json["Description"].as_str());
            assert_eq!(sdk.types().len(), json["Types"].as_array().unwrap().len());
            assert_eq!(
                sdk.compliance().and_then(|c| c.status()).map(|s| s.as_str()),
                json["Compliance"]["Status"].as_str()
            );
            assert_eq!(
                sdk.severity().and_then(|s| s.label()).map(|s| s.as_str()),
                json["Severity"]["Label"].as_str()
            );
            assert_eq!(
                sdk.workflow().and_then(|w| w.status()).map(|s| s.as_str()),
                json["Workflow"]["Status"].as_str()
            );
            assert_eq!(sdk.resources()[0].id(), json["Resources"][0]["Id"].as_str());
            assert_eq!(
                sdk.product_fields().map(|fields| fields.len()),
                json["ProductFields"].as_object().map(|fields| fields.len())
            );
        }
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let err = parse_findings(r#"[{"Id": "x", "Novel": 1}]"#).unwrap_err();
        assert!(format!("{err:#}").contains("Novel"), "{err:#}");
        let err = parse_findings(r#"[{"Severity": {"Label": "LOW", "Normalized": 1}}]"#).unwrap_err();
        assert!(format!("{err:#}").contains("Severity.Normalized"), "{err:#}");
    }
}
