//! Reading IAM policy documents: which statements allow an action, and what a role's trust policy trusts.

use guardline_model::inventory::iam::{AttachedPolicy, PolicyKind};
use serde_json::Value;

/// AWS-managed policies whose documents are not collected but which allow `sts:AssumeRole` on every role:
/// `AdministratorAccess` (`"Action": "*"`) and `PowerUserAccess` (`"NotAction"` excluding only `iam:*`,
/// `organizations:*` and `account:*`). Other AWS-managed policies are taken not to grant it.
const AWS_MANAGED_GRANTING_ALL: &[&str] = &["AdministratorAccess", "PowerUserAccess"];

/// A string or a list of strings, as policy elements are written.
pub(crate) fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The statements of a policy document (`Statement` as one object or a list).
pub(crate) fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(many)) => many.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    }
}

pub(crate) fn is_allow(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str).is_some_and(|effect| effect.eq_ignore_ascii_case("allow"))
}

/// IAM's action wildcards (`*`, `?`), case-insensitive.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let (mut p, mut t, mut star, mut mark) = (0, 0, None, 0);
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some(p);
            mark = t;
            p += 1;
        } else if let Some(at) = star {
            p = at + 1;
            mark += 1;
            t = mark;
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Whether an Allow statement allows `action` (through `Action`, or through `NotAction` not naming it), on
/// any resource.
fn statement_allows(statement: &Value, action: &str) -> bool {
    if !is_allow(statement) {
        return false;
    }
    if statement.get("Action").is_some() {
        strings(statement.get("Action")).iter().any(|pattern| wildcard_match(pattern, action))
    } else if statement.get("NotAction").is_some() {
        !strings(statement.get("NotAction")).iter().any(|pattern| wildcard_match(pattern, action))
    } else {
        false
    }
}

/// Whether an attached policy allows `sts:AssumeRole` (on any resource, under any condition: a grant on a
/// user is a grant even when a condition narrows it). Deny statements are not weighed against it.
pub(crate) fn grants_assume_role(policy: &AttachedPolicy) -> bool {
    match (&policy.kind, &policy.document) {
        (PolicyKind::AwsManaged, _) => {
            let name = policy.name.rsplit('/').next().unwrap_or_default();
            AWS_MANAGED_GRANTING_ALL.contains(&name)
        }
        (_, Some(document)) => {
            statements(document).iter().any(|statement| statement_allows(statement, "sts:AssumeRole"))
        }
        (_, None) => false,
    }
}

/// What is wrong with a switch role's trust policy, for the management account `management`: each Allow
/// statement must trust only principals of the management account (`"AWS"` principals: the account ID, its
/// root ARN, or users and roles in it) and require MFA with `"Bool": {"aws:MultiFactorAuthPresent":
/// "true"}`. Empty when the policy is right.
pub(crate) fn trust_problems(document: Option<&Value>, management: &str) -> Vec<(String, String)> {
    let Some(document) = document else {
        return vec![("the role has no trust policy".to_owned(), "信頼ポリシーがありません".to_owned())];
    };
    let mut problems = Vec::new();
    let allows: Vec<&Value> = statements(document).into_iter().filter(|s| is_allow(s)).collect();
    if allows.is_empty() {
        problems.push((
            "the trust policy allows nobody".to_owned(),
            "信頼ポリシーが誰にも許可していません".to_owned(),
        ));
    }
    let mut outsiders: Vec<String> = Vec::new();
    let mut without_mfa = false;
    for statement in allows {
        if statement.get("NotPrincipal").is_some() {
            outsiders.push("NotPrincipal".to_owned());
        }
        match statement.get("Principal") {
            Some(Value::Object(map)) => {
                for (kind, value) in map {
                    for principal in strings(Some(value)) {
                        if !kind.eq_ignore_ascii_case("AWS") || !in_account(principal, management) {
                            outsiders.push(principal.to_owned());
                        }
                    }
                }
            }
            Some(Value::String(any)) => outsiders.push(any.clone()),
            _ => {}
        }
        if !requires_mfa(statement) {
            without_mfa = true;
        }
    }
    if !outsiders.is_empty() {
        outsiders.sort();
        outsiders.dedup();
        let list = outsiders.join(", ");
        problems.push((
            format!("it trusts principals outside the management account {management}: {list}"),
            format!("管理アカウント {management} 以外のプリンシパルを信頼しています: {list}"),
        ));
    }
    if without_mfa {
        problems.push((
            "it does not require MFA (`\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}`)".to_owned(),
            "MFA を必須にしていません (`\"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}`)".to_owned(),
        ));
    }
    problems
}

/// An `"AWS"` principal in account `account`: its ID, or an ARN in it.
fn in_account(principal: &str, account: &str) -> bool {
    principal == account || (principal.starts_with("arn:") && principal.split(':').nth(4) == Some(account))
}

/// `"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}` (`BoolIfExists` is not enough: a request
/// signed with long-term keys carries no such key and would pass).
fn requires_mfa(statement: &Value) -> bool {
    let Some(Value::Object(conditions)) = statement.get("Condition") else { return false };
    conditions.iter().filter(|(operator, _)| operator.eq_ignore_ascii_case("Bool")).any(|(_, keys)| {
        keys.as_object().is_some_and(|keys| {
            keys.iter().any(|(key, value)| {
                key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent")
                    && match value {
                        Value::Bool(true) => true,
                        Value::String(text) => text.eq_ignore_ascii_case("true"),
                        Value::Array(list) => {
                            !list.is_empty()
                                && list.iter().all(|v| {
                                    v.as_bool() == Some(true)
                                        || v.as_str().is_some_and(|t| t.eq_ignore_ascii_case("true"))
                                })
                        }
                        _ => false,
                    }
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wildcards() {
        for (pattern, yes) in [
            ("*", true),
            ("sts:*", true),
            ("STS:assume*", true),
            ("sts:AssumeRole", true),
            ("sts:AssumeRole?", false),
            ("sts:AssumeRoleWith*", false),
            ("s3:*", false),
            ("sts:?ssumeRole", true),
        ] {
            assert_eq!(wildcard_match(pattern, "sts:AssumeRole"), yes, "{pattern}");
        }
    }

    #[test]
    fn grants() {
        let doc = |statement: Value| AttachedPolicy {
            name: "p".into(),
            kind: PolicyKind::Inline,
            document: Some(json!({"Statement": statement})),
        };
        assert!(grants_assume_role(&doc(
            json!({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"})
        )));
        assert!(grants_assume_role(&doc(
            json!([{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}])
        )));
        assert!(!grants_assume_role(&doc(json!({"Effect": "Deny", "Action": "*", "Resource": "*"}))));
        assert!(!grants_assume_role(&doc(json!({"Effect": "Allow", "NotAction": "sts:*", "Resource": "*"}))));
        let managed =
            |name: &str| AttachedPolicy { name: name.into(), kind: PolicyKind::AwsManaged, document: None };
        assert!(grants_assume_role(&managed("arn:aws:iam::aws:policy/AdministratorAccess")));
        assert!(!grants_assume_role(&managed("arn:aws:iam::aws:policy/ReadOnlyAccess")));
    }

    #[test]
    fn trust() {
        let good = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]});
        assert!(trust_problems(Some(&good), "111111111111").is_empty());
        assert_eq!(trust_problems(Some(&good), "222222222222").len(), 1);
        let lax = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}});
        assert_eq!(trust_problems(Some(&lax), "111111111111").len(), 2);
        assert_eq!(trust_problems(None, "111111111111").len(), 1);
    }
}
