//! The alert topic's access policy: Guardline's one statement (EventBridge may publish, from this account
//! only) merged into whatever policy the topic has, by statement `Sid`.
//!
//! `SetTopicAttributes` with `AttributeName=Policy` replaces the whole policy
//! (<https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html>), so writing only Guardline's
//! statement would delete the statements a team added (a CloudWatch alarm's publish grant, a cross-account
//! subscriber). [`merged`] keeps every other statement as it is and replaces only the statement whose `Sid`
//! is [`SID`].

use serde_json::{Value, json};

/// The `Sid` of Guardline's statement in the topic policy.
pub const SID: &str = "GuardlineEventBridgePublish";

/// Guardline's statement for `topic_arn`.
pub fn statement(topic_arn: &str, account_id: &str) -> Value {
    json!({
        "Sid": SID, "Effect": "Allow",
        "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": topic_arn,
        "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
    })
}

/// The policy to write, or `None` when `current` already holds `wanted` as its statement [`SID`].
/// A current policy that is not a JSON object with a `Statement` list (or one statement object) is an
/// error: it is never replaced blind.
pub fn merged(current: Option<&str>, wanted: &Value) -> Result<Option<String>, String> {
    let Some(current) = current.filter(|text| !text.trim().is_empty()) else {
        return Ok(Some(json!({"Version": "2012-10-17", "Statement": [wanted]}).to_string()));
    };
    let mut policy: Value =
        serde_json::from_str(current).map_err(|error| format!("the topic's policy is not JSON: {error}"))?;
    let Some(object) = policy.as_object_mut() else {
        return Err("the topic's policy is not a JSON object".to_owned());
    };
    let statements = match object.remove("Statement") {
        None => Vec::new(),
        Some(Value::Array(statements)) => statements,
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err("the topic's policy has a Statement that is neither a list nor an object".to_owned());
        }
    };
    let ours = |statement: &Value| statement.get("Sid").and_then(Value::as_str) == Some(SID);
    if statements.iter().filter(|statement| ours(statement)).eq([wanted]) {
        object.insert("Statement".to_owned(), Value::Array(statements));
        return Ok(None);
    }
    let mut kept: Vec<Value> = statements.into_iter().filter(|statement| !ours(statement)).collect();
    kept.push(wanted.clone());
    object.insert("Statement".to_owned(), Value::Array(kept));
    object.entry("Version").or_insert_with(|| Value::from("2012-10-17"));
    Ok(Some(policy.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOPIC: &str = "arn:aws:sns:ap-northeast-1:111122223333:guardline-security-alerts";

    #[test]
    fn other_statements_are_kept_and_ours_is_added() {
        let current = json!({
            "Version": "2008-10-17", "Id": "__default_policy_ID",
            "Statement": [
                {"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                 "Action": ["SNS:Publish"], "Resource": TOPIC},
                {"Sid": "CloudWatchAlarms", "Effect": "Allow",
                 "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": TOPIC},
            ],
        })
        .to_string();
        let wanted = statement(TOPIC, "111122223333");
        let merged: Value = serde_json::from_str(&merged(Some(&current), &wanted).unwrap().unwrap()).unwrap();
        let sids: Vec<&str> =
            merged["Statement"].as_array().unwrap().iter().map(|s| s["Sid"].as_str().unwrap()).collect();
        assert_eq!(sids, ["__default_statement_ID", "CloudWatchAlarms", SID]);
        assert_eq!(merged["Id"], "__default_policy_ID");
        assert_eq!(merged["Version"], "2008-10-17");
    }

    #[test]
    fn an_outdated_statement_of_ours_is_replaced_not_duplicated() {
        let mut old = statement(TOPIC, "999999999999");
        old["Action"] = json!("sns:*");
        let current = json!({"Version": "2012-10-17", "Statement": old}).to_string();
        let wanted = statement(TOPIC, "111122223333");
        let merged: Value = serde_json::from_str(&merged(Some(&current), &wanted).unwrap().unwrap()).unwrap();
        assert_eq!(merged["Statement"], json!([wanted]));
    }

    #[test]
    fn a_policy_that_holds_our_statement_is_left_alone() {
        let wanted = statement(TOPIC, "111122223333");
        let current = json!({"Version": "2012-10-17", "Statement": [{"Sid": "Other"}, wanted]}).to_string();
        assert_eq!(merged(Some(&current), &wanted), Ok(None));
    }

    #[test]
    fn no_policy_gets_ours_alone_and_a_broken_one_is_refused() {
        let wanted = statement(TOPIC, "111122223333");
        let fresh: Value = serde_json::from_str(&merged(None, &wanted).unwrap().unwrap()).unwrap();
        assert_eq!(fresh["Statement"], json!([wanted]));
        assert!(merged(Some("not json"), &wanted).unwrap_err().contains("not JSON"));
        assert!(merged(Some(r#"{"Statement": 3}"#), &wanted).is_err());
    }
}
