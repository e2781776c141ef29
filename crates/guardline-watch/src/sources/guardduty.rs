//! GuardDuty findings: per region, the enabled detectors' unarchived findings at or above the threshold.
//!
//! A finding is reported once; GuardDuty updates a finding in place as activity recurs, and such an update
//! is reported again only when its severity rose (the candidate's level is the severity).
//!
//! Each event keeps the finding's type: an attack sequence of Extended Threat Detection
//! (`AttackSequence:IAM/CompromisedCredentials`, `AttackSequence:S3/CompromisedData`, ...; severity Critical,
//! 9.0–10.0) is always sent as its own message, never folded into a digest ([`crate::Event::stands_alone`]).

use aws_sdk_guardduty::Client;
use aws_sdk_guardduty::types::{Condition, FindingCriteria};

use super::{Account, Candidate, Polled, merge, sdk_error};
use crate::event::{Event, Severity};

/// GetFindings takes at most 50 IDs.
const BATCH: usize = 50;

pub async fn poll(clients: &[Client], min_severity: f64, account: &Account) -> Polled {
    let polls = clients.iter().map(|client| async move {
        let region = client.config().region().map(ToString::to_string).unwrap_or_default();
        let result = poll_region(client, &region, min_severity, account).await;
        (region, result)
    });
    merge("guardduty", futures::future::join_all(polls).await)
}

/// One region's findings.
pub async fn poll_region(
    client: &Client,
    region: &str,
    min_severity: f64,
    account: &Account,
) -> Result<Vec<Candidate>, String> {
    let detectors = client.list_detectors().send().await.map_err(|error| sdk_error(&error))?;
    let mut candidates = Vec::new();
    for detector in detectors.detector_ids() {
        let criteria = FindingCriteria::builder()
            .criterion(
                "severity",
                Condition::builder().greater_than_or_equal(min_severity.floor() as i64).build(),
            )
            .criterion("service.archived", Condition::builder().equals("false").build())
            .build();
        let mut ids = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = client
                .list_findings()
                .detector_id(detector)
                .finding_criteria(criteria.clone())
                .max_results(50)
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|error| sdk_error(&error))?;
            ids.extend(page.finding_ids().iter().cloned());
            token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        for chunk in ids.chunks(BATCH) {
            let found = client
                .get_findings()
                .detector_id(detector)
                .set_finding_ids(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|error| sdk_error(&error))?;
            for finding in found.findings() {
                let (Some(id), Some(severity)) = (finding.id(), finding.severity()) else { continue };
                // The criterion is an integer; the threshold may not be (6.9 is below 7.0).
                if severity < min_severity {
                    continue;
                }
                let archived = finding.service().and_then(|service| service.archived()).unwrap_or(false);
                if archived {
                    continue;
                }
                let region = finding.region().unwrap_or(region).to_owned();
                let mut event = Event::alert(
                    format!("guardduty:{id}:{severity:.1}"),
                    "guardduty",
                    finding.title().unwrap_or_else(|| finding.r#type().unwrap_or("GuardDuty finding")),
                );
                event.account_id = finding.account_id().map(str::to_owned).or_else(|| account.id.clone());
                event.account_alias = account.alias.clone();
                event.severity = Some(Severity::guardduty(severity));
                event.description = finding.description().map(str::to_owned);
                event.link = Some(format!(
                    "https://{region}.console.aws.amazon.com/guardduty/home?region={region}#/findings?macros=current&fId={id}"
                ));
                event.time = finding.updated_at().map(str::to_owned);
                event.finding_type = finding.r#type().map(str::to_owned);
                event.region = Some(region);
                candidates.push(Candidate { item: id.to_owned(), level: severity, event, resolved: false });
            }
        }
    }
    Ok(candidates)
}
