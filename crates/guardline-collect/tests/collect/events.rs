//! EventBridge collector against moto: default-bus rules with their targets. Targets are SQS queues
//! (an SNS target would break PutEvents on moto for every test sharing the region).

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::Target;
use guardline_model::inventory::events::EventTarget;

use crate::harness::Account;

const GUARDDUTY_PATTERN: &str = r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"],"detail":{"severity":[{"numeric":[">=",7]}]}}"#;
const HEALTH_PATTERN: &str = r#"{"source":["aws.health"]}"#;

#[tokio::test]
async fn guardduty_and_health_rules_with_sqs_targets() {
    let account = Account::new().await;
    let events = Client::new(&account.config);
    let queue = format!("arn:aws:sqs:ap-northeast-1:{}:alerts", account.id);
    for (rule, pattern) in [("guardduty-high", GUARDDUTY_PATTERN), ("health-all", HEALTH_PATTERN)] {
        events.put_rule().name(rule).event_pattern(pattern).send().await.unwrap();
        events
            .put_targets()
            .rule(rule)
            .targets(Target::builder().id("alerts-queue").arn(&queue).build().unwrap())
            .send()
            .await
            .unwrap();
    }
    events.put_rule().name("nightly").schedule_expression("cron(0 15 * * ? *)").send().await.unwrap();

    let output = account.collect(&["ap-northeast-1", "us-east-1"]).await;
    let mut rules = output.snapshot.regions["ap-northeast-1"].event_rules.get().unwrap().clone();
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(
        rules.iter().map(|rule| rule.name.as_str()).collect::<Vec<_>>(),
        ["guardduty-high", "health-all", "nightly"]
    );
    let target = vec![EventTarget { id: "alerts-queue".into(), arn: queue.clone() }];

    let guardduty = &rules[0];
    assert_eq!(guardduty.arn, format!("arn:aws:events:ap-northeast-1:{}:rule/guardduty-high", account.id));
    assert_eq!(guardduty.state, "ENABLED");
    assert_eq!(guardduty.event_pattern.as_deref(), Some(GUARDDUTY_PATTERN));
    assert_eq!(guardduty.targets.get().unwrap(), &target);

    let health = &rules[1];
    assert_eq!(health.event_pattern.as_deref(), Some(HEALTH_PATTERN));
    assert_eq!(health.targets.get().unwrap(), &target);

    let nightly = &rules[2];
    assert_eq!(nightly.event_pattern, None, "a scheduled rule has no pattern");
    assert!(nightly.targets.get().unwrap().is_empty());

    assert!(output.snapshot.regions["us-east-1"].event_rules.get().unwrap().is_empty());
    assert_eq!(output.calls["events:ListTargetsByRule"], 3);
}
