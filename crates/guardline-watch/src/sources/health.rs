//! AWS Health events: open and upcoming events of the account (the Health API answers in the partition's
//! Health region, us-east-1 for the standard partition). An upcoming event is reported again when it opens.
//!
//! Under `watch --org`, where the organisational view is enabled (`DescribeHealthServiceStatusForOrganization`
//! answers `ENABLED`; the management account or Health's delegated administrator enables it), the events of
//! every account come from `DescribeEventsForOrganization`, and each account-specific event is one alert per
//! affected account (`DescribeAffectedAccountsForOrganization`), so each reaches the routes of its account.
//! https://docs.aws.amazon.com/health/latest/ug/aggregate-events.html
//!
//! The Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; without one it answers
//! `SubscriptionRequiredException` (https://docs.aws.amazon.com/health/latest/APIReference/Welcome.html).
//! That is this source's error, never an empty (passing) poll, and it names the remedy that needs no plan:
//! AWS Health's EventBridge events (HEALTH-001).

use aws_sdk_health::Client;
use aws_sdk_health::types::{EventFilter, EventScopeCode, EventStatusCode, OrganizationEventFilter};
use aws_smithy_types::error::metadata::ProvideErrorMetadata as _;

use super::{Account, Candidate, sdk_error};
use crate::event::{Event, Severity};

/// Why the Health API does not answer an account without a Business (or higher) support plan, and what to do.
pub const SUBSCRIPTION_REQUIRED: &str = "the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise \
support plan (SubscriptionRequiredException): without one, route AWS Health's EventBridge events instead (HEALTH-001, \
`guardline fix --only HEALTH-001`) and remove the health source";

/// Whether the organisational view is enabled for the caller's organisation.
pub async fn organisation_view_enabled(client: &Client) -> Result<bool, String> {
    let status = client
        .describe_health_service_status_for_organization()
        .send()
        .await
        .map_err(|error| health_error(error.as_service_error().and_then(|e| e.code()), &error))?;
    Ok(status.health_service_access_status_for_organization() == Some("ENABLED"))
}

/// A Health API error in words: without a support plan, the remedy that needs none.
fn health_error(code: Option<&str>, error: &(dyn std::error::Error + 'static)) -> String {
    if code == Some("SubscriptionRequiredException") {
        SUBSCRIPTION_REQUIRED.to_owned()
    } else {
        sdk_error(error)
    }
}

/// The organisation's open and upcoming events: one candidate per (event, affected account), or one for
/// an event of no particular account (a public event).
pub async fn poll_organisation(client: &Client) -> Result<Vec<Candidate>, String> {
    let filter = OrganizationEventFilter::builder()
        .event_status_codes(EventStatusCode::Open)
        .event_status_codes(EventStatusCode::Upcoming)
        .build();
    let mut candidates = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_events_for_organization()
            .filter(filter.clone())
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| health_error(error.as_service_error().and_then(|e| e.code()), &error))?;
        for health in page.events() {
            let Some(arn) = health.arn() else { continue };
            let accounts = if health.event_scope_code() == Some(&EventScopeCode::AccountSpecific) {
                affected_accounts(client, arn).await?.into_iter().map(Some).collect()
            } else {
                vec![None]
            };
            let status = health.status_code().map_or("open", |status| status.as_str());
            let fields = Fields {
                arn,
                service: health.service().unwrap_or("AWS"),
                code: health.event_type_code().unwrap_or("event"),
                category: health.event_type_category().map(|category| category.as_str()),
                status,
                region: health.region(),
                time: health.last_updated_time().or(health.start_time()).map(ToString::to_string),
            };
            for account in accounts {
                let mut candidate = fields.candidate(account.as_deref());
                candidate.event.link = Some(format!(
                    "https://health.aws.amazon.com/health/home#/organization/dashboard/open-issues?eventID={arn}"
                ));
                candidates.push(candidate);
            }
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(candidates)
}

async fn affected_accounts(client: &Client, arn: &str) -> Result<Vec<String>, String> {
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_affected_accounts_for_organization()
            .event_arn(arn)
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| health_error(error.as_service_error().and_then(|e| e.code()), &error))?;
        accounts.extend(page.affected_accounts().iter().cloned());
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(accounts)
}

/// What an alert says about a Health event, from either view.
struct Fields<'a> {
    arn: &'a str,
    service: &'a str,
    code: &'a str,
    category: Option<&'a str>,
    status: &'a str,
    region: Option<&'a str>,
    time: Option<String>,
}

impl Fields<'_> {
    /// The candidate for the event in `account` (its ID is part of the item: one alert per account).
    fn candidate(&self, account: Option<&str>) -> Candidate {
        let (arn, status) = (self.arn, self.status);
        // An upcoming event that becomes open is reported again (its level rises); nothing else is.
        let level = if status == "open" { 1.0 } else { 0.0 };
        let (item, key) = match account {
            Some(id) => (format!("{arn}|{id}"), format!("health:{arn}:{id}:{status}")),
            None => (arn.to_owned(), format!("health:{arn}:{status}")),
        };
        let mut event = Event::alert(key, "health", format!("{}: {}", self.service, self.code));
        event.account_id = account.map(str::to_owned);
        event.region = self.region.map(str::to_owned);
        event.severity = Some(Severity::label(match self.category {
            Some("issue") => "HIGH",
            Some("scheduledChange") => "MEDIUM",
            Some("investigation") => "HIGH",
            _ => "INFORMATIONAL",
        }));
        event.description = Some(format!("{} ({status})", self.category.unwrap_or("event")));
        event.link =
            Some(format!("https://health.aws.amazon.com/health/home#/account/event-log?eventID={arn}"));
        event.time.clone_from(&self.time);
        Candidate { item, level, event, resolved: false }
    }
}

pub async fn poll(client: &Client, account: &Account) -> Result<Vec<Candidate>, String> {
    let filter = EventFilter::builder()
        .event_status_codes(EventStatusCode::Open)
        .event_status_codes(EventStatusCode::Upcoming)
        .build();
    let mut candidates = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .describe_events()
            .filter(filter.clone())
            .set_next_token(token.clone())
            .send()
            .await
            .map_err(|error| health_error(error.as_service_error().and_then(|e| e.code()), &error))?;
        for health in page.events() {
            let Some(arn) = health.arn() else { continue };
            let fields = Fields {
                arn,
                service: health.service().unwrap_or("AWS"),
                code: health.event_type_code().unwrap_or("event"),
                category: health.event_type_category().map(|category| category.as_str()),
                status: health.status_code().map_or("open", |status| status.as_str()),
                region: health.region(),
                time: health.last_updated_time().or(health.start_time()).map(ToString::to_string),
            };
            let mut candidate = fields.candidate(None);
            candidate.event.account_id = account.id.clone();
            candidate.event.account_alias = account.alias.clone();
            candidates.push(candidate);
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(candidates)
}
