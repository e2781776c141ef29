//! Inspector findings: active findings at or above a severity label, per region.

use aws_sdk_inspector2::Client;
use aws_sdk_inspector2::types::{FilterCriteria, StringComparison, StringFilter};
use guardline_config::watch::SeverityLabel;

use super::{Account, Candidate, Polled, merge, sdk_error};
use crate::event::{Event, Severity};

pub async fn poll(clients: &[Client], min: SeverityLabel, account: &Account) -> Polled {
    let polls = clients.iter().map(|client| async move {
        let region = client.config().region().map(ToString::to_string).unwrap_or_default();
        let result = poll_region(client, &region, min, account).await;
        (region, result)
    });
    merge("inspector", futures::future::join_all(polls).await)
}

fn filter(value: &str) -> Result<StringFilter, String> {
    StringFilter::builder()
        .comparison(StringComparison::Equals)
        .value(value)
        .build()
        .map_err(|error| error.to_string())
}

pub async fn poll_region(
    client: &Client,
    region: &str,
    min: SeverityLabel,
    account: &Account,
) -> Result<Vec<Candidate>, String> {
    let mut criteria = FilterCriteria::builder().finding_status(filter("ACTIVE")?);
    for label in [SeverityLabel::Low, SeverityLabel::Medium, SeverityLabel::High, SeverityLabel::Critical] {
        if label >= min {
            criteria = criteria.severity(filter(label.as_str())?);
        }
    }
    let criteria = criteria.build();
    let mut candidates = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_findings()
            .filter_criteria(criteria.clone())
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| sdk_error(&error))?;
        for finding in page.findings() {
            let label = finding.severity().as_str();
            if SeverityLabel::parse(label).is_none_or(|label| label < min) {
                continue;
            }
            let arn = finding.finding_arn();
            let title = finding.title().unwrap_or(finding.description());
            let mut event = Event::alert(format!("inspector:{arn}"), "inspector", title);
            event.account_id = Some(finding.aws_account_id().to_owned()).filter(|id| !id.is_empty());
            event.account_id = event.account_id.or_else(|| account.id.clone());
            event.account_alias = account.alias.clone();
            event.region = Some(region.to_owned());
            event.severity = Some(Severity { label: label.to_owned(), score: finding.inspector_score() });
            event.description = Some(finding.description().to_owned());
            event.link = Some(format!(
                "https://{region}.console.aws.amazon.com/inspector/v2/home?region={region}#/findings/all"
            ));
            event.time = finding.updated_at().map(ToString::to_string);
            candidates.push(Candidate { item: arn.to_owned(), level: 0.0, event, resolved: false });
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(candidates)
}
