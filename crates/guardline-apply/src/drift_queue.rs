//! `guardline watch install-changes`: what the `changes` watch source reads from, in each watched region:
//! an SQS queue whose policy admits only EventBridge rules of this account, and two rules on the default
//! bus sending it the change events: the CloudTrail management events of the calls in
//! [`guardline_rules::drift::CHANGE_EVENTS`], and AWS Config's item changes of the resource types in
//! [`guardline_rules::drift::CONFIG_ITEM_TYPES`]. Planned from the read-back state ([`read`], [`steps`]) and
//! applied in order ([`apply`]); applying twice changes nothing the second time.

use aws_config::{Region, SdkConfig};
use aws_sdk_eventbridge::types::{RuleState, Target};
use aws_sdk_sqs::types::QueueAttributeName;
use guardline_model::CollectError;
use serde_json::{Value, json};

use crate::call::call;

/// The rule of the CloudTrail management events.
pub const CLOUDTRAIL_RULE: &str = "guardline-changes";
/// The rule of AWS Config's item changes.
pub const CONFIG_RULE: &str = "guardline-changes-config";

/// The calls `install-changes` reads and writes with (for `iam-policy`).
pub const ACTIONS: &[&str] = &[
    "events:DescribeRule",
    "events:ListTargetsByRule",
    "events:PutRule",
    "events:PutTargets",
    "sqs:CreateQueue",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
    "sqs:SetQueueAttributes",
];

/// How long a received message stays invisible before it is delivered again: long enough for a round's
/// re-reads, short enough that a crashed watcher's messages come back soon.
pub const VISIBILITY_TIMEOUT_SECONDS: u32 = 120;

/// The longest event pattern EventBridge takes (PutRule's `EventPattern`, "Maximum length of 4096",
/// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html).
pub const MAX_PATTERN: usize = 4096;

/// What one region should have.
#[derive(Debug, Clone, PartialEq)]
pub struct Desired {
    pub region: String,
    pub queue: String,
    pub queue_arn: String,
    /// (rule name, its ARN, its event pattern).
    pub rules: Vec<(&'static str, String, String)>,
    /// The queue's policy: `sqs:SendMessage` by `events.amazonaws.com` for those rules only.
    pub policy: Value,
}

/// The event pattern of the CloudTrail rule: the management events of every call that can change a
/// verdict (any failed call is dropped by the watcher, which reads `errorCode`).
pub fn cloudtrail_pattern() -> String {
    let mut sources: Vec<&str> =
        guardline_rules::drift::CHANGE_EVENTS.iter().map(|event| event.source).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut names: Vec<&str> = guardline_rules::drift::CHANGE_EVENTS.iter().map(|event| event.name).collect();
    names.sort_unstable();
    names.dedup();
    json!({
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {"eventSource": sources, "eventName": names},
    })
    .to_string()
}

/// The event pattern of the Config rule: item changes of the resource types the drift table knows.
pub fn config_pattern() -> String {
    let kinds: Vec<&str> = guardline_rules::drift::CONFIG_ITEM_TYPES.iter().map(|(kind, _)| *kind).collect();
    json!({
        "source": ["aws.config"],
        "detail-type": ["Config Configuration Item Change"],
        "detail": {"messageType": ["ConfigurationItemChangeNotification"], "configurationItem": {"resourceType": kinds}},
    })
    .to_string()
}

/// What `region` of account `account_id` in `partition` should have for queue `queue`.
pub fn desired(partition: &str, account_id: &str, region: &str, queue: &str) -> Desired {
    let queue_arn = format!("arn:{partition}:sqs:{region}:{account_id}:{queue}");
    let rule_arn = |name: &str| format!("arn:{partition}:events:{region}:{account_id}:rule/{name}");
    let rules = vec![
        (CLOUDTRAIL_RULE, rule_arn(CLOUDTRAIL_RULE), cloudtrail_pattern()),
        (CONFIG_RULE, rule_arn(CONFIG_RULE), config_pattern()),
    ];
    let sources: Vec<&str> = rules.iter().map(|(_, arn, _)| arn.as_str()).collect();
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GuardlineChangesFromEventBridge",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {"ArnEquals": {"aws:SourceArn": sources}},
        }],
    });
    Desired { region: region.to_owned(), queue: queue.to_owned(), queue_arn, rules, policy }
}

/// A rule that exists: its event pattern, its state, and whether it targets the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingRule {
    pub pattern: Option<Value>,
    pub state: Option<String>,
    pub targets_queue: bool,
}

/// What one region has now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Current {
    pub queue_url: Option<String>,
    pub policy: Option<Value>,
    pub visibility_timeout: Option<String>,
    /// Per desired rule, in order: the rule if it exists.
    pub rules: Vec<Option<ExistingRule>>,
}

/// One call of the plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    CreateQueue {
        region: String,
        queue: String,
    },
    /// Sets the policy and the visibility timeout.
    SetQueueAttributes {
        region: String,
        queue: String,
    },
    PutRule {
        region: String,
        rule: &'static str,
    },
    PutTarget {
        region: String,
        rule: &'static str,
    },
}

impl Step {
    /// "sqs:CreateQueue guardline-changes (ap-northeast-1)".
    pub fn describe(&self) -> String {
        match self {
            Step::CreateQueue { region, queue } => format!("sqs:CreateQueue {queue} ({region})"),
            Step::SetQueueAttributes { region, queue } => format!(
                "sqs:SetQueueAttributes {queue} ({region}): the policy admitting only this account's \
                 rules, visibility timeout {VISIBILITY_TIMEOUT_SECONDS} s"
            ),
            Step::PutRule { region, rule } => format!("events:PutRule {rule} ({region})"),
            Step::PutTarget { region, rule } => format!("events:PutTargets {rule} → the queue ({region})"),
        }
    }
}

fn regional(sdk: &SdkConfig, region: &str) -> SdkConfig {
    sdk.to_builder().region(Region::new(region.to_owned())).build()
}

fn not_found(error: &CollectError, codes: &[&str]) -> bool {
    error.code.as_deref().is_some_and(|code| codes.contains(&code))
}

/// Reads what `desired`'s region has now.
pub async fn read(sdk: &SdkConfig, desired: &Desired) -> Result<Current, CollectError> {
    let config = regional(sdk, &desired.region);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let events = aws_sdk_eventbridge::Client::new(&config);
    let mut current = Current::default();
    match call("sqs:GetQueueUrl", sqs.get_queue_url().queue_name(&desired.queue).send()).await {
        Ok(answer) => {
            let url = answer.queue_url().unwrap_or_default().to_owned();
            let attributes = call(
                "sqs:GetQueueAttributes",
                sqs.get_queue_attributes()
                    .queue_url(&url)
                    .attribute_names(QueueAttributeName::Policy)
                    .attribute_names(QueueAttributeName::VisibilityTimeout)
                    .send(),
            )
            .await?;
            let attributes = attributes.attributes();
            current.policy = attributes
                .and_then(|map| map.get(&QueueAttributeName::Policy))
                .and_then(|policy| serde_json::from_str(policy).ok());
            current.visibility_timeout =
                attributes.and_then(|map| map.get(&QueueAttributeName::VisibilityTimeout)).cloned();
            current.queue_url = Some(url);
        }
        Err(error)
            if not_found(&error, &["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"]) => {}
        Err(error) => return Err(error),
    }
    for (name, _, _) in &desired.rules {
        let rule = match call("events:DescribeRule", events.describe_rule().name(*name).send()).await {
            Ok(rule) => rule,
            Err(error) if not_found(&error, &["ResourceNotFoundException"]) => {
                current.rules.push(None);
                continue;
            }
            Err(error) => return Err(error),
        };
        let pattern = rule.event_pattern().and_then(|pattern| serde_json::from_str(pattern).ok());
        let state = rule.state().map(|state| state.as_str().to_owned());
        let targets =
            call("events:ListTargetsByRule", events.list_targets_by_rule().rule(*name).send()).await?;
        let targeted = targets.targets().iter().any(|target| target.arn() == desired.queue_arn);
        current.rules.push(Some(ExistingRule { pattern, state, targets_queue: targeted }));
    }
    Ok(current)
}

/// The calls that bring `current` to `desired`, in order (the queue before the rules that target it).
pub fn steps(desired: &Desired, current: &Current) -> Vec<Step> {
    let region = desired.region.clone();
    let mut steps = Vec::new();
    if current.queue_url.is_none() {
        steps.push(Step::CreateQueue { region: region.clone(), queue: desired.queue.clone() });
    }
    let timeout = VISIBILITY_TIMEOUT_SECONDS.to_string();
    if current.policy.as_ref() != Some(&desired.policy)
        || current.visibility_timeout.as_deref() != Some(&timeout)
    {
        steps.push(Step::SetQueueAttributes { region: region.clone(), queue: desired.queue.clone() });
    }
    for (index, (rule, _, pattern)) in desired.rules.iter().enumerate() {
        let wanted: Value = serde_json::from_str(pattern).expect("the patterns are JSON");
        let existing = current.rules.get(index).cloned().flatten();
        let in_place = existing.as_ref().is_some_and(|rule| {
            rule.pattern.as_ref() == Some(&wanted) && rule.state.as_deref() == Some("ENABLED")
        });
        if !in_place {
            steps.push(Step::PutRule { region: region.clone(), rule });
        }
        if !existing.is_some_and(|rule| rule.targets_queue) {
            steps.push(Step::PutTarget { region: region.clone(), rule });
        }
    }
    steps
}

/// Makes `steps` (of the regions in `desired`) with `sdk`, in order, stopping at the first failure:
/// how many were done, and the failure.
pub async fn apply(sdk: &SdkConfig, desired: &[Desired], steps: &[Step]) -> (usize, Option<CollectError>) {
    for (done, step) in steps.iter().enumerate() {
        if let Err(error) = apply_one(sdk, desired, step).await {
            return (done, Some(error));
        }
    }
    (steps.len(), None)
}

async fn apply_one(sdk: &SdkConfig, desired: &[Desired], step: &Step) -> Result<(), CollectError> {
    let region = match step {
        Step::CreateQueue { region, .. }
        | Step::SetQueueAttributes { region, .. }
        | Step::PutRule { region, .. }
        | Step::PutTarget { region, .. } => region,
    };
    let Some(want) = desired.iter().find(|want| want.region == *region) else { return Ok(()) };
    let config = regional(sdk, region);
    let sqs = aws_sdk_sqs::Client::new(&config);
    let events = aws_sdk_eventbridge::Client::new(&config);
    match step {
        Step::CreateQueue { queue, .. } => {
            let request = sqs
                .create_queue()
                .queue_name(queue)
                .attributes(QueueAttributeName::SqsManagedSseEnabled, "true")
                .attributes(QueueAttributeName::ReceiveMessageWaitTimeSeconds, "20")
                .send();
            call("sqs:CreateQueue", request).await?;
        }
        Step::SetQueueAttributes { queue, .. } => {
            let url = call("sqs:GetQueueUrl", sqs.get_queue_url().queue_name(queue).send()).await?;
            let request = sqs
                .set_queue_attributes()
                .queue_url(url.queue_url().unwrap_or_default())
                .attributes(QueueAttributeName::Policy, want.policy.to_string())
                .attributes(QueueAttributeName::VisibilityTimeout, VISIBILITY_TIMEOUT_SECONDS.to_string())
                .send();
            call("sqs:SetQueueAttributes", request).await?;
        }
        Step::PutRule { rule, .. } => {
            let pattern = want.rules.iter().find(|(name, _, _)| name == rule).map(|(_, _, pattern)| pattern);
            let request = events
                .put_rule()
                .name(*rule)
                .set_event_pattern(pattern.cloned())
                .state(RuleState::Enabled)
                .description(
                    "Created by guardline watch install-changes: change events for the drift watcher.",
                )
                .send();
            call("events:PutRule", request).await?;
        }
        Step::PutTarget { rule, .. } => {
            let target =
                Target::builder().id("guardline-changes-queue").arn(&want.queue_arn).build().map_err(
                    |error| CollectError {
                        action: "events:PutTargets".to_owned(),
                        kind: guardline_model::ErrorKind::Malformed,
                        code: None,
                        message: error.to_string(),
                    },
                )?;
            let answer =
                call("events:PutTargets", events.put_targets().rule(*rule).targets(target).send()).await?;
            if answer.failed_entry_count() > 0 {
                let reason: Vec<&str> =
                    answer.failed_entries().iter().filter_map(|entry| entry.error_message()).collect();
                return Err(CollectError {
                    action: "events:PutTargets".to_owned(),
                    kind: guardline_model::ErrorKind::Failed,
                    code: None,
                    message: format!("the target was refused: {}", reason.join("; ")),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_patterns_fit_eventbridge_and_name_every_change() {
        let pattern = cloudtrail_pattern();
        assert!(pattern.len() <= MAX_PATTERN, "{} characters", pattern.len());
        let parsed: Value = serde_json::from_str(&pattern).unwrap();
        for event in guardline_rules::drift::CHANGE_EVENTS {
            assert!(
                parsed["detail"]["eventName"].as_array().unwrap().contains(&json!(event.name)),
                "{}",
                event.name
            );
            assert!(parsed["detail"]["eventSource"].as_array().unwrap().contains(&json!(event.source)));
        }
        assert!(config_pattern().len() <= MAX_PATTERN);
    }

    #[test]
    fn the_queue_admits_only_this_accounts_two_rules() {
        let want = desired("aws", "123456789012", "ap-northeast-1", "guardline-changes");
        assert_eq!(want.queue_arn, "arn:aws:sqs:ap-northeast-1:123456789012:guardline-changes");
        let statement = &want.policy["Statement"][0];
        assert_eq!(statement["Principal"], json!({"Service": "events.amazonaws.com"}));
        assert_eq!(statement["Action"], "sqs:SendMessage");
        assert_eq!(
            statement["Condition"]["ArnEquals"]["aws:SourceArn"],
            json!([
                "arn:aws:events:ap-northeast-1:123456789012:rule/guardline-changes",
                "arn:aws:events:ap-northeast-1:123456789012:rule/guardline-changes-config"
            ])
        );
    }

    #[test]
    fn a_region_in_place_needs_nothing_and_an_empty_one_everything() {
        let want = desired("aws", "123456789012", "ap-northeast-1", "guardline-changes");
        let empty = Current { rules: vec![None, None], ..Current::default() };
        let all = steps(&want, &empty);
        assert_eq!(all.len(), 6, "{all:?}");
        assert!(matches!(all[0], Step::CreateQueue { .. }), "the queue first: {all:?}");
        let done = Current {
            queue_url: Some("https://sqs/q".into()),
            policy: Some(want.policy.clone()),
            visibility_timeout: Some(VISIBILITY_TIMEOUT_SECONDS.to_string()),
            rules: want
                .rules
                .iter()
                .map(|(_, _, pattern)| {
                    Some(ExistingRule {
                        pattern: serde_json::from_str(pattern).ok(),
                        state: Some("ENABLED".into()),
                        targets_queue: true,
                    })
                })
                .collect(),
        };
        assert!(steps(&want, &done).is_empty());
        let mut disabled = done.clone();
        if let Some(rule) = disabled.rules[0].as_mut() {
            rule.state = Some("DISABLED".into());
        }
        assert_eq!(
            steps(&want, &disabled),
            [Step::PutRule { region: "ap-northeast-1".into(), rule: CLOUDTRAIL_RULE }]
        );
    }
}
