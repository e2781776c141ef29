//! Security Hub, per region: whether the hub is enabled, its enabled standards (HUB-001) and its failed
//! control findings (HUB-002).
//!
//! - `securityhub:DescribeHub`: `InvalidAccessException` (or a "not subscribed" message) means the hub is
//!   not enabled, which is data (`None`), not an error.
//! - When it is enabled: `securityhub:GetEnabledStandards` (every page) and `securityhub:GetFindings` with
//!   the filters compliance status FAILED, record state ACTIVE, workflow status NEW or NOTIFIED (every page).
//!   The compliance status and record state are checked again client-side, because moto ignores filters.
//!   Findings Guardline imported itself (`GeneratorId` `guardline/…`, from `scan --send-to-security-hub`)
//!   are skipped: a later scan would otherwise fail HUB-002 on its own earlier verdicts.
//!   At most [`MAX_FAILED_FINDINGS`] findings are kept: an account with more failed findings than that gets
//!   the first ones only (a warning is logged), which is enough for HUB-002 to fail it.
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
    let hub: Collected<_> = hub(cx, client, region).await.into();
    Box::new(move |inventory| inventory.security_hub = hub)
}

async fn hub(cx: &Cx, client: &Client, region: &str) -> Result<Option<SecurityHub>, CollectError> {
    let answer = match cx.call("securityhub:DescribeHub", client.describe_hub().send()).await {
        Ok(answer) => answer,
        Err(error) if not_enabled(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    let (standards, failed_findings) =
        futures::join!(standards(cx, client), failed_findings_on_big_stack(cx, client, region));
    Ok(Some(SecurityHub {
        hub_arn: answer.hub_arn().unwrap_or_default().to_owned(),
        standards: standards.into(),
        failed_findings: failed_findings.into(),
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
) -> Result<Vec<HubFinding>, CollectError> {
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

/// `securityhub:GetFindings`: ACTIVE, FAILED, NEW or NOTIFIED findings, up to [`MAX_FAILED_FINDINGS`]. A
/// finding without a record state counts as ACTIVE (the state AWS gives every imported finding).
async fn failed_findings(cx: &Cx, client: &Client, region: &str) -> Result<Vec<HubFinding>, CollectError> {
    let equals =
        |value: &str| StringFilter::builder().value(value).comparison(StringFilterComparison::Equals).build();
    let filters = AwsSecurityFindingFilters::builder()
        .compliance_status(equals("FAILED"))
        .record_state(equals("ACTIVE"))
        .workflow_status(equals("NEW"))
        .workflow_status(equals("NOTIFIED"))
        .build();
    let mut pages = client.get_findings().filters(filters).max_results(100).into_paginator().items().send();
    let findings = cx
        .call("securityhub:GetFindings", async {
            let mut findings = Vec::new();
            while let Some(finding) = pages.next().await {
                let finding = finding?;
                if is_failed_and_active(&finding) && !is_guardlines_own(&finding) {
                    findings.push(hub_finding(&finding));
                    if findings.len() >= MAX_FAILED_FINDINGS {
                        tracing::warn!(
                            region,
                            "{MAX_FAILED_FINDINGS} or more failed Security Hub findings; kept the first {MAX_FAILED_FINDINGS}"
                        );
                        break;
                    }
                }
            }
            Ok::<_, SdkError<GetFindingsError, HttpResponse>>(findings)
        })
        .await?;
    Ok(findings)
}

fn is_failed_and_active(finding: &AwsSecurityFinding) -> bool {
    finding.compliance().and_then(|compliance| compliance.status()) == Some(&ComplianceStatus::Failed)
        && finding.record_state().is_none_or(|state| *state == RecordState::Active)
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
    }
}
