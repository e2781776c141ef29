//! AWS Health events: open and upcoming events of the account (the Health API answers in the partition's
//! Health region, us-east-1 for the standard partition). An upcoming event is reported again when it opens.
//!
//! The Health API needs a Business, Enterprise On-Ramp or Enterprise support plan; without one it answers
//! `SubscriptionRequiredException` (https://docs.aws.amazon.com/health/latest/APIReference/Welcome.html).
//! That is this source's error, never an empty (passing) poll, and it names the remedy that needs no plan:
//! AWS Health's EventBridge events (HEALTH-001).

use aws_sdk_health::Client;
use aws_sdk_health::types::{EventFilter, EventStatusCode};
use aws_smithy_types::error::metadata::ProvideErrorMetadata as _;

use super::{Account, Candidate, sdk_error};
use crate::event::{Event, Severity};

/// Why the Health API does not answer an account without a Business (or higher) support plan, and what to do.
pub const SUBSCRIPTION_REQUIRED: &str = "the AWS Health API needs a Business, Enterprise On-Ramp or Enterprise \
support plan (SubscriptionRequiredException): without one, route AWS Health's EventBridge events instead (HEALTH-001, \
`guardline fix --only HEALTH-001`) and remove the health source";

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
            .map_err(|error| {
                if error
                    .as_service_error()
                    .is_some_and(|error| error.code() == Some("SubscriptionRequiredException"))
                {
                    SUBSCRIPTION_REQUIRED.to_owned()
                } else {
                    sdk_error(&error)
                }
            })?;
        for health in page.events() {
            let Some(arn) = health.arn() else { continue };
            let service = health.service().unwrap_or("AWS");
            let code = health.event_type_code().unwrap_or("event");
            let category = health.event_type_category().map(|category| category.as_str().to_owned());
            let status = health.status_code().map_or("open", |status| status.as_str());
            // An upcoming event that becomes open is reported again (its level rises); nothing else is.
            let level = if status == "open" { 1.0 } else { 0.0 };
            let mut event =
                Event::alert(format!("health:{arn}:{status}"), "health", format!("{service}: {code}"));
            event.account_id = account.id.clone();
            event.account_alias = account.alias.clone();
            event.region = health.region().map(str::to_owned);
            event.severity = Some(Severity::label(match category.as_deref() {
                Some("issue") => "HIGH",
                Some("scheduledChange") => "MEDIUM",
                Some("investigation") => "HIGH",
                _ => "INFORMATIONAL",
            }));
            event.description = Some(format!("{} ({status})", category.as_deref().unwrap_or("event")));
            event.link =
                Some(format!("https://health.aws.amazon.com/health/home#/account/event-log?eventID={arn}"));
            event.time = health.last_updated_time().or(health.start_time()).map(ToString::to_string);
            candidates.push(Candidate { item: arn.to_owned(), level, event, resolved: false });
        }
        token = page.next_token().filter(|token| !token.is_empty()).map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    Ok(candidates)
}
