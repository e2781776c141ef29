//! EventBridge, per region: the rules on the default event bus and their targets (CONFIG-002, HEALTH-001,
//! GUARDDUTY-002).
//!
//! `events:ListRules` is paged by hand (the SDK has no paginator for it); each rule's targets come from its
//! own `events:ListTargetsByRule` (also paged), and a failure there is that rule's `targets` error only. A
//! rule an AWS service created on the account's behalf keeps that service's principal (`ManagedBy`, e.g.
//! `notifications.amazonaws.com` for AWS User Notifications).
//! moto 5.2.5 implements both calls and stores patterns verbatim.

use aws_config::SdkConfig;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::Rule;
use futures::future::join_all;
use guardline_model::inventory::events::{EventRule, EventTarget};
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// The default bus's rules of one region, each with its targets.
pub async fn collect(cx: &Cx, config: &SdkConfig, _region: &str) -> RegionPart {
    let client = Client::new(config);
    let rules: Collected<_> = rules(cx, &client).await.into();
    Box::new(move |inventory| inventory.event_rules = rules)
}

async fn rules(cx: &Cx, client: &Client) -> Result<Vec<EventRule>, CollectError> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page =
            cx.call("events:ListRules", client.list_rules().set_next_token(token.clone()).send()).await?;
        rules.extend(page.rules().iter().cloned());
        match next(token.as_deref(), page.next_token()) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(join_all(rules.iter().map(|rule| async move {
        let name = rule.name().unwrap_or_default();
        EventRule {
            name: name.to_owned(),
            arn: rule.arn().unwrap_or_default().to_owned(),
            state: rule.state().map(|state| state.as_str().to_owned()).unwrap_or_default(),
            event_pattern: rule.event_pattern().map(str::to_owned),
            managed_by: rule.managed_by().map(str::to_owned),
            targets: targets(cx, client, name).await.into(),
        }
    }))
    .await)
}

/// `events:ListTargetsByRule`, every page.
async fn targets(cx: &Cx, client: &Client, rule: &str) -> Result<Vec<EventTarget>, CollectError> {
    let mut targets = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = cx
            .call(
                "events:ListTargetsByRule",
                client.list_targets_by_rule().rule(rule).set_next_token(token.clone()).send(),
            )
            .await?;
        targets.extend(
            page.targets()
                .iter()
                .map(|target| EventTarget { id: target.id().to_owned(), arn: target.arn().to_owned() }),
        );
        match next(token.as_deref(), page.next_token()) {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(targets)
}

/// The token of the next page: none when the answer has none, an empty one, or the one just sent (which
/// would loop forever).
fn next(sent: Option<&str>, received: Option<&str>) -> Option<String> {
    received.filter(|token| !token.is_empty() && Some(*token) != sent).map(str::to_owned)
}
