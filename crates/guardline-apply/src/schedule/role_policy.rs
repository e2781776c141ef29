//! The policy of the role the installed schedules run as (`--task-role-arn`: the maintenance window task's service
//! role and Automation role, or the Scheduler target's role), which `guardline iam-policy --for schedule`
//! prints and `schedule apply --task-role-arn` puts on that role as the inline policy [`POLICY_NAME`].
//!
//! Besides what the schedules call, it carries an explicit Deny on `ec2:StopInstances` for instances
//! carrying the production tag, a second net in AWS itself: an explicit Deny wins over any Allow the role
//! has. IAM has no case-insensitive wildcard operator, so the Deny is as fail-safe as IAM allows: exact
//! values with `StringEqualsIgnoreCase`, and with `StringLike` the globs, and the exact values with a
//! space before or after, each in lower, Title and UPPER case. A tag written in other mixed case
//! (`pROD-jp`) escapes the Deny but not Guardline's own match (the runbook and `schedule run`).

use guardline_config::ProductionTag;
use guardline_config::production::fold;

/// The inline policy's name on the role.
pub const POLICY_NAME: &str = "guardline-schedule";

/// Every production key and value of `tags` (compared folded, first spelling kept).
fn union(tags: &[&ProductionTag]) -> ProductionTag {
    let mut merged = ProductionTag { keys: Vec::new(), values: Vec::new() };
    for tag in tags {
        for key in &tag.keys {
            if !merged.keys.iter().any(|known| fold(known) == fold(key)) {
                merged.keys.push(key.trim().to_owned());
            }
        }
        for value in &tag.values {
            if !merged.values.iter().any(|known| fold(known) == fold(value)) {
                merged.values.push(fold(value));
            }
        }
    }
    merged
}

/// `prod-*`, `Prod-*`, `PROD-*`.
fn casings(value: &str) -> [String; 3] {
    let mut title = String::new();
    let mut previous_letter = false;
    for char in value.chars() {
        if char.is_alphabetic() && !previous_letter {
            title.extend(char.to_uppercase());
        } else {
            title.push(char);
        }
        previous_letter = char.is_alphabetic();
    }
    [value.to_lowercase(), title, value.to_uppercase()]
}

/// The policy document for the production tags of `tags` (every profile's, for `iam-policy`; the account's
/// own for `apply`).
pub fn document(tags: &[&ProductionTag]) -> serde_json::Value {
    let production = union(tags);
    let mut statements = vec![
        serde_json::json!({
            "Sid": "GuardlineScheduleInstances",
            "Effect": "Allow",
            "Action": ["ec2:DescribeInstances", "ec2:DescribeTags", "ec2:StartInstances", "ec2:StopInstances"],
            "Resource": "*",
        }),
        serde_json::json!({
            "Sid": "GuardlineScheduleAutomation",
            "Effect": "Allow",
            "Action": ["ssm:GetAutomationExecution", "ssm:StartAutomationExecution"],
            "Resource": "*",
        }),
        serde_json::json!({
            "Sid": "GuardlineSchedulePassItselfToAutomation",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "*",
            "Condition": { "StringEquals": { "iam:PassedToService": "ssm.amazonaws.com" } },
        }),
    ];
    let exact: Vec<&String> = production.values.iter().filter(|value| !value.contains('*')).collect();
    let mut like: Vec<String> = Vec::new();
    for value in &production.values {
        let variants: Vec<String> = if value.contains('*') {
            vec![value.clone()]
        } else {
            vec![format!("{value} *"), format!("* {value}")]
        };
        for variant in variants {
            for casing in casings(&variant) {
                if !like.contains(&casing) {
                    like.push(casing);
                }
            }
        }
    }
    for (index, key) in production.keys.iter().enumerate() {
        let condition_key = format!("aws:ResourceTag/{key}");
        let mut conditions = Vec::new();
        if !exact.is_empty() {
            conditions
                .push(("Exact", serde_json::json!({ "StringEqualsIgnoreCase": { &condition_key: exact } })));
        }
        if !like.is_empty() {
            conditions.push(("Like", serde_json::json!({ "StringLike": { &condition_key: like } })));
        }
        for (kind, condition) in conditions {
            statements.push(serde_json::json!({
                "Sid": format!("GuardlineNeverStopProduction{kind}{}", index + 1),
                "Effect": "Deny",
                "Action": "ec2:StopInstances",
                "Resource": "arn:*:ec2:*:*:instance/*",
                "Condition": condition,
            }));
        }
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_production_key_gets_a_deny_with_every_value() {
        let policy = document(&[&ProductionTag::default()]);
        let denies: Vec<&serde_json::Value> =
            policy["Statement"].as_array().unwrap().iter().filter(|s| s["Effect"] == "Deny").collect();
        assert_eq!(denies.len(), 6, "3 keys, exact and like: {policy:#}");
        let like = &denies[1]["Condition"]["StringLike"]["aws:ResourceTag/Environment"];
        for value in ["prod-*", "Prod-*", "PROD-*", "*-prod", "*-Prod", "prod *", "* Prod"] {
            assert!(like.as_array().unwrap().iter().any(|listed| listed == value), "{value}: {like}");
        }
        let exact = &denies[0]["Condition"]["StringEqualsIgnoreCase"]["aws:ResourceTag/Environment"];
        assert_eq!(exact, &serde_json::json!(["prod", "prd", "production"]));
    }

    #[test]
    fn profiles_merge_without_duplicates() {
        let tier = ProductionTag { keys: vec!["tier".into(), "ENV".into()], values: vec!["Live".into()] };
        let merged = union(&[&ProductionTag::default(), &tier]);
        assert_eq!(merged.keys, ["Environment", "Env", "Stage", "tier"]);
        assert!(merged.values.contains(&"live".to_owned()));
    }
}
