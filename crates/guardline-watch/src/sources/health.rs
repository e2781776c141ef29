//! AWS Health events: open and upcoming events of the account (the Health API answers in us-east-1). An
//! upcoming event is reported again when it opens.

use aws_sdk_health::Client;
use aws_sdk_health::types::{EventFilter, EventStatusCode};

use super::{Account, Candidate, sdk_error};
use crate::event::{Event, Severity};

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
            .map_err(|error| sdk_error(&error))?;
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
