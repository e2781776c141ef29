//! Security Hub findings that newly fail: active findings whose compliance status is FAILED, reported once
//! each (the outbox remembers the finding IDs already reported). A finding seen passing again (active,
//! PASSED, updated in the last week) is forgotten, so that failing again later is a new alert. Filters are
//! re-applied client-side.
//! Findings of Security Hub controls the account's profile does not adopt (`security-hub-not-adopted`, the
//! same list HUB-002 reads) are not alerts, and neither are findings a current `[[exceptions]]` entry for
//! HUB-002 accepts (matched on account, region and the finding's resources, as the scan matches them).

use std::collections::BTreeSet;

use aws_sdk_securityhub::Client;
use aws_sdk_securityhub::types::{
    AwsSecurityFindingFilters, DateFilter, DateRange, DateRangeUnit, StringFilter, StringFilterComparison,
};
use guardline_config::watch::SeverityLabel;

use super::{Account, Candidate, merge, sdk_error};
use crate::event::{Event, Severity};

/// Which failing findings are alerts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Only findings at or above this label; `None`: every one.
    pub min_severity: Option<SeverityLabel>,
    /// Security Hub control IDs (`IAM.6`) the profile does not adopt.
    pub not_adopted: BTreeSet<String>,
    /// The config's current (unexpired) exceptions for HUB-002.
    pub exceptions: Vec<guardline_config::Exception>,
}

impl Filter {
    /// Whether a current HUB-002 exception accepts a failing finding on `resources`.
    fn excepted(&self, account: Option<&str>, region: &str, resources: &[&str]) -> bool {
        self.exceptions.iter().any(|exception| {
            exception.account.as_deref().is_none_or(|id| Some(id) == account)
                && exception.region.as_deref().is_none_or(|name| name == region)
                && exception
                    .resource
                    .as_ref()
                    .is_none_or(|pattern| resources.iter().any(|resource| pattern.matches(resource)))
        })
    }
}

pub async fn poll(clients: &[Client], filter: &Filter, account: &Account) -> Result<Vec<Candidate>, String> {
    let polls = clients.iter().map(|client| async move {
        let region = client.config().region().map(ToString::to_string).unwrap_or_default();
        let result = poll_region(client, &region, filter, account).await;
        (region, result)
    });
    merge("security-hub", futures::future::join_all(polls).await)
}

fn equals(value: &str) -> StringFilter {
    StringFilter::builder().comparison(StringFilterComparison::Equals).value(value).build()
}

pub async fn poll_region(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
) -> Result<Vec<Candidate>, String> {
    let failing = AwsSecurityFindingFilters::builder()
        .compliance_status(equals("FAILED"))
        .record_state(equals("ACTIVE"))
        .build();
    let recently_passed = AwsSecurityFindingFilters::builder()
        .compliance_status(equals("PASSED"))
        .record_state(equals("ACTIVE"))
        .updated_at(
            DateFilter::builder()
                .date_range(DateRange::builder().value(7).unit(DateRangeUnit::Days).build())
                .build(),
        )
        .build();
    let mut candidates = Vec::new();
    for filters in [failing, recently_passed] {
        page_through(client, region, filter, account, filters, &mut candidates).await?;
    }
    // A finding read by both queries (its status changed between them) counts once per kind.
    let mut read = std::collections::HashSet::new();
    candidates.retain(|candidate| read.insert((candidate.item.clone(), candidate.resolved)));
    Ok(candidates)
}

/// Reads every page of GetFindings with `filters`, adding the alerts (and the findings passing again) to
/// `candidates`.
async fn page_through(
    client: &Client,
    region: &str,
    filter: &Filter,
    account: &Account,
    filters: AwsSecurityFindingFilters,
    candidates: &mut Vec<Candidate>,
) -> Result<(), String> {
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_findings()
            .filters(filters.clone())
            .max_results(100)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| sdk_error(&error))?;
        for finding in page.findings() {
            let failed = finding
                .compliance()
                .and_then(|compliance| compliance.status())
                .is_some_and(|status| status.as_str() == "FAILED");
            let active = finding.record_state().is_none_or(|state| state.as_str() == "ACTIVE");
            let Some(id) = finding.id() else { continue };
            let passed = finding
                .compliance()
                .and_then(|compliance| compliance.status())
                .is_some_and(|status| status.as_str() == "PASSED");
            if passed && active {
                let event = Event::alert(format!("security-hub:{id}"), "security-hub", id);
                candidates.push(Candidate { item: id.to_owned(), level: 0.0, event, resolved: true });
                continue;
            }
            let label = finding.severity().and_then(|severity| severity.label()).map(|label| label.as_str());
            let severe_enough = filter
                .min_severity
                .is_none_or(|min| label.and_then(SeverityLabel::parse).is_some_and(|label| label >= min));
            let control = finding.compliance().and_then(|compliance| compliance.security_control_id());
            let adopted = control.is_none_or(|control| !filter.not_adopted.contains(control));
            let resources: Vec<&str> =
                finding.resources().iter().filter_map(|resource| resource.id()).collect();
            let excepted =
                filter.excepted(finding.aws_account_id(), finding.region().unwrap_or(region), &resources);
            if !failed || !active || !severe_enough || !adopted || excepted {
                continue;
            }
            let mut event =
                Event::alert(format!("security-hub:{id}"), "security-hub", finding.title().unwrap_or(id));
            event.account_id = finding.aws_account_id().map(str::to_owned).or_else(|| account.id.clone());
            event.account_alias = account.alias.clone();
            event.region = Some(finding.region().unwrap_or(region).to_owned());
            event.severity = finding
                .severity()
                .and_then(|severity| severity.label())
                .map(|label| Severity::label(label.as_str()));
            event.description = finding.description().map(str::to_owned);
            event.link = Some(format!(
                "https://{region}.console.aws.amazon.com/securityhub/home?region={region}#/findings?search=Id%3D%255Coperator%255C%253AEQUALS%255C%253A{}",
                id.replace(':', "%253A").replace('/', "%252F")
            ));
            event.time = finding.updated_at().map(str::to_owned);
            candidates.push(Candidate { item: id.to_owned(), level: 0.0, event, resolved: false });
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(())
}
