//! Security Hub, per region: whether Security Hub CSPM is enabled, its enabled standards (HUB-001) and its
//! failed control findings (HUB-002), and whether the new AWS Security Hub (2025) is enabled too (HUB-001
//! says which).
//!
//! - `securityhub:DescribeHub`: `InvalidAccessException` (or a "not subscribed" message) means the hub is
//!   not enabled, which is data (`None`), not an error.
//! - When it is enabled: `securityhub:GetEnabledStandards` (every page) and `securityhub:GetFindings` with
//!   the filters account ID (the scanned account), region (this region), compliance status FAILED, record
//!   state ACTIVE and workflow status NEW, NOTIFIED or SUPPRESSED (every page). The account and region
//!   filters matter on real AWS: with cross-region aggregation the aggregation region also returns the linked
//!   regions' findings, and a Security Hub administrator account also returns its members' findings
//!   (GetFindings answers from every account and region the caller can see). SUPPRESSED findings are kept:
//!   a suppression in the console has no reason, owner or expiry, so HUB-002 still reports them. Every filter
//!   is checked again client-side, because moto ignores filters.
//!   Findings Guardline imported itself (`GeneratorId` `guardline/…`, from `scan --send-to-security-hub`)
//!   are skipped: a later scan would otherwise fail HUB-002 on its own earlier verdicts.
//!   At most [`MAX_FAILED_FINDINGS`] findings are kept; when more exist, `failed_findings_truncated` says
//!   so, and HUB-002 reports the region NOT EVALUATED for the findings it did not read (never a pass).
//!
//! On moto 5.2.5 DescribeHub, GetFindings and BatchImportFindings work; GetEnabledStandards does not exist
//! (HTTP 404), so there `standards` is always that error. [`collect_with`] takes the client so that tests can
//! mock the calls moto lacks.

use aws_config::SdkConfig;
use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::error::SdkError;
use aws_sdk_securityhub::operation::get_findings::GetFindingsError;
use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, ComplianceStatus, RecordState, StringFilter,
    StringFilterComparison,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use guardline_model::inventory::detection::{EnabledStandard, HubFinding, SecurityHub};
use guardline_model::{CollectError, Collected, ErrorKind};

use super::RegionPart;
use crate::cx::Cx;

/// The most failed findings collected per region.
pub const MAX_FAILED_FINDINGS: usize = 10_000;

/// The Security Hub of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str) -> RegionPart {
    collect_with(cx, &Client::new(config), region).await
}

/// [`collect`] with a given client (tests pass a mocked one).
pub async fn collect_with(cx: &Cx, client: &Client, region: &str) -> RegionPart {
    let (hub, v2) = futures::join!(hub(cx, client, region), hub_v2(cx, client));
    let (hub, v2): (Collected<_>, Collected<_>) = (hub.into(), v2.into());
    Box::new(move |inventory| {
        inventory.security_hub = hub;
        inventory.security_hub_v2 = v2;
    })
}

/// `securityhub:DescribeSecurityHubV2`: whether the new AWS Security Hub is enabled; its
/// `ResourceNotFoundException` means it is not
/// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeSecurityHubV2.html).
async fn hub_v2(cx: &Cx, client: &Client) -> Result<bool, CollectError> {
    match cx.call("securityhub:DescribeSecurityHubV2", client.describe_security_hub_v2().send()).await {
        Ok(_) => Ok(true),
        Err(error) if error.code.as_deref() == Some("ResourceNotFoundException") => Ok(false),
        Err(error) => Err(error),
    }
}

async fn hub(cx: &Cx, client: &Client, region: &str) -> Result<Option<SecurityHub>, CollectError> {
    let answer = match cx.call("securityhub:DescribeHub", client.describe_hub().send()).await {
        Ok(answer) => answer,
        Err(error) if not_enabled(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    let (standards, failed_findings) =
        futures::join!(standards(cx, client), failed_findings_on_big_stack(cx, client, region));
    let (failed_findings, failed_findings_truncated) = match failed_findings {
        Ok((findings, truncated)) => (Collected::ok(findings), truncated),
        Err(error) => (Collected::error(error), false),
    };
    Ok(Some(SecurityHub {
        hub_arn: answer.hub_arn().unwrap_or_default().to_owned(),
        standards: standards.into(),
        failed_findings,
        failed_findings_truncated,
    }))
}

/// Whether a DescribeHub error says the account is not subscribed to Security Hub in the region.
fn not_enabled(error: &CollectError) -> bool {
    error.code.as_deref() == Some("InvalidAccessException") || error.message.contains("not subscribed")
}

/// `securityhub:GetEnabledStandards`, every page.
async fn standards(cx: &Cx, client: &Client) -> Result<Vec<EnabledStandard>, CollectError> {
    let subscriptions = cx
        .call(
            "securityhub:GetEnabledStandards",
            client.get_enabled_standards().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    Ok(subscriptions
        .iter()
        .map(|subscription| EnabledStandard {
            standards_arn: subscription.standards_arn().unwrap_or_default().to_owned(),
            status: subscription
                .standards_status()
                .map(|status| status.as_str().to_owned())
                .unwrap_or_default(),
        })
        .collect())
}

/// Stack of the thread that reads GetFindings answers. The SDK's deserialiser of a finding's resource
/// (`Resources[].Details`, a shape with hundreds of members) needs a frame of about 7 MiB in unoptimised
/// builds: more than a tokio worker thread (2 MiB) or a test thread has. Only the pages touched are used.
const FINDINGS_STACK: usize = 64 * 1024 * 1024;

/// [`failed_findings`] on a thread of its own with a [`FINDINGS_STACK`] stack (and a single-threaded
/// runtime), so that deserialising findings cannot overflow the caller's stack.
async fn failed_findings_on_big_stack(
    cx: &Cx,
    client: &Client,
    region: &str,
) -> Result<(Vec<HubFinding>, bool), CollectError> {
    let failure = |message: String| CollectError {
        action: "securityhub:GetFindings".to_owned(),
        kind: ErrorKind::Failed,
        code: None,
        message,
    };
    let (cx, client, region) = (cx.clone(), client.clone(), region.to_owned());
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("securityhub-findings".to_owned())
        .stack_size(FINDINGS_STACK)
        .spawn(move || {
            let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(failed_findings(&cx, &client, &region)),
                Err(err) => Err(failure(format!("could not start a runtime for GetFindings: {err}"))),
            };
            let _ = sender.send(result);
        });
    if let Err(err) = spawned {
        return Err(failure(format!("could not start a thread for GetFindings: {err}")));
    }
    receiver.await.unwrap_or_else(|_| Err(failure("the GetFindings thread panicked".to_owned())))
}

/// The workflow statuses of a failure nobody has resolved: a SUPPRESSED finding still fails, only without
/// the reason, owner and expiry an exception records.
const UNRESOLVED: [&str; 3] = ["NEW", "NOTIFIED", "SUPPRESSED"];

/// `securityhub:GetFindings`: this account's ACTIVE, FAILED, unresolved findings in `region`, up to
/// [`MAX_FAILED_FINDINGS`]; `true` when more exist. A finding without a record state counts as ACTIVE (the
/// state AWS gives every imported finding).
async fn failed_findings(
    cx: &Cx,
    client: &Client,
    region: &str,
) -> Result<(Vec<HubFinding>, bool), CollectError> {
    let equals =
        |value: &str| StringFilter::builder().value(value).comparison(StringFilterComparison::Equals).build();
    let mut filters = AwsSecurityFindingFilters::builder()
        .aws_account_id(equals(&cx.account_id))
        .region(equals(region))
        .compliance_status(equals("FAILED"))
        .record_state(equals("ACTIVE"));
    for status in UNRESOLVED {
        filters = filters.workflow_status(equals(status));
    }
    let mut pages =
        client.get_findings().filters(filters.build()).max_results(100).into_paginator().items().send();
    let account = cx.account_id.as_str();
    let (findings, truncated) = cx
        .call("securityhub:GetFindings", async {
            let mut findings = Vec::new();
            while let Some(finding) = pages.next().await {
                let finding = finding?;
                if !is_failed_and_unresolved(&finding, account, region) || is_guardlines_own(&finding) {
                    continue;
                }
                if findings.len() == MAX_FAILED_FINDINGS {
                    tracing::warn!(
                        region,
                        "more than {MAX_FAILED_FINDINGS} failed Security Hub findings; the rest are not evaluated"
                    );
                    return Ok((findings, true));
                }
                findings.push(hub_finding(&finding));
            }
            Ok::<_, SdkError<GetFindingsError, HttpResponse>>((findings, false))
        })
        .await?;
    Ok((findings, truncated))
}

/// The filters again, client-side: failed, active, not resolved, and about `account` in `region`.
fn is_failed_and_unresolved(finding: &AwsSecurityFinding, account: &str, region: &str) -> bool {
    finding.compliance().and_then(|compliance| compliance.status()) == Some(&ComplianceStatus::Failed)
        && finding.record_state().is_none_or(|state| *state == RecordState::Active)
        && UNRESOLVED.contains(&workflow_status(finding))
        && finding.aws_account_id() == Some(account)
        && finding.region().is_none_or(|found| found == region)
}

/// `Workflow.Status`; a finding without one is `NEW`, the status AWS gives a finding on import.
fn workflow_status(finding: &AwsSecurityFinding) -> &str {
    finding.workflow().and_then(|workflow| workflow.status()).map(|status| status.as_str()).unwrap_or("NEW")
}

/// Whether Guardline itself imported the finding (`scan --send-to-security-hub`, `GeneratorId`
/// `guardline/<control>`): those restate Guardline's own verdicts, so HUB-002 must not count them again.
fn is_guardlines_own(finding: &AwsSecurityFinding) -> bool {
    finding.generator_id().is_some_and(|id| id.starts_with("guardline/"))
}

fn hub_finding(finding: &AwsSecurityFinding) -> HubFinding {
    HubFinding {
        id: finding.id().unwrap_or_default().to_owned(),
        title: finding.title().unwrap_or_default().to_owned(),
        control_id: finding
            .compliance()
            .and_then(|compliance| compliance.security_control_id())
            .map(str::to_owned),
        resource_arns: finding
            .resources()
            .iter()
            .filter_map(|resource| resource.id())
            .map(str::to_owned)
            .collect(),
        severity: finding
            .severity()
            .and_then(|severity| severity.label())
            .map(|label| label.as_str().to_owned())
            .unwrap_or_default(),
        account_id: finding.aws_account_id().unwrap_or_default().to_owned(),
        region: finding.region().unwrap_or_default().to_owned(),
        workflow_status: workflow_status(finding).to_owned(),
    }
}
