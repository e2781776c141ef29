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

/// Whether the statement's `Action` covers `action` (with IAM's wildcards), or its `NotAction` does not
/// name it; a statement with neither covers nothing.
fn covers(statement: &Value, action: &str) -> bool {
    if statement.get("Action").is_some() {
        strings(statement.get("Action")).iter().any(|pattern| wildcard_match(pattern, action))
    } else if statement.get("NotAction").is_some() {
        !strings(statement.get("NotAction")).iter().any(|pattern| wildcard_match(pattern, action))
    } else {
        false
    }
}

/// Whether an Allow statement allows `action` (through `Action`, or through `NotAction` not naming it), on
/// any resource.
fn statement_allows(statement: &Value, action: &str) -> bool {
    is_allow(statement) && covers(statement, action)
}

fn is_deny(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str).is_some_and(|effect| effect.eq_ignore_ascii_case("deny"))
}

/// The actions that assume a role. A trust policy statement that allows none of them (only
/// `sts:TagSession`, `sts:SetSourceIdentity`, `sts:SetContext`) opens nothing by itself: those are allowed
/// together with an assume call, never instead of one.
const ASSUME_ACTIONS: &[&str] =
    &["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/// The Allow statements of a trust policy that let someone assume the role, with their position (from 1).
fn assume_allows(document: &Value) -> Vec<(usize, &Value)> {
    statements(document)
        .into_iter()
        .enumerate()
        .filter(|(_, statement)| ASSUME_ACTIONS.iter().any(|action| statement_allows(statement, action)))
        .map(|(index, statement)| (index + 1, statement))
        .collect()
}

/// A statement as a message names it: its `Sid`, or its position.
fn statement_name(index: usize, statement: &Value) -> String {
    match statement.get("Sid").and_then(Value::as_str) {
        Some(sid) if !sid.is_empty() => sid.to_owned(),
        _ => format!("#{index}"),
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

/// What is wrong with a switch role's trust policy, for the management account `management`: each statement
/// that allows assuming the role must trust only principals of the management account (`"AWS"` principals:
/// the account ID, its root ARN, or users and roles in it), and each one that allows `sts:AssumeRole` must
/// require MFA ([`requires_mfa`]), unless a Deny statement refuses `sts:AssumeRole` without MFA to everyone
/// it allows ([`denies_without_mfa`]). Statements that allow no assume action are not weighed. Empty when
/// the policy is right.
pub(crate) fn trust_problems(document: Option<&Value>, management: &str) -> Vec<(String, String)> {
    let Some(document) = document else {
        return vec![("the role has no trust policy".to_owned(), "信頼ポリシーがありません".to_owned())];
    };
    let mut problems = Vec::new();
    let allows = assume_allows(document);
    if allows.is_empty() {
        problems.push((
            "the trust policy allows nobody to assume the role".to_owned(),
            "信頼ポリシーが誰にもロールの引き受けを許可していません".to_owned(),
        ));
    }
    let mut outsiders: Vec<String> = Vec::new();
    for (_, statement) in &allows {
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
    }
    let allowing: Vec<&Value> = allows.iter().map(|(_, statement)| *statement).collect();
    let enforced_by_deny =
        statements(document).into_iter().any(|statement| denies_without_mfa(statement, &allowing));
    let without_mfa: Vec<String> = if enforced_by_deny {
        Vec::new()
    } else {
        allows
            .iter()
            .filter(|(_, statement)| covers(statement, "sts:AssumeRole") && !requires_mfa(statement))
            .map(|(index, statement)| statement_name(*index, statement))
            .collect()
    };
    if !outsiders.is_empty() {
        outsiders.sort();
        outsiders.dedup();
        let list = outsiders.join(", ");
        problems.push((
            format!("it trusts principals outside the management account {management}: {list}"),
            format!("管理アカウント {management} 以外のプリンシパルを信頼しています: {list}"),
        ));
    }
    if !without_mfa.is_empty() {
        let list = without_mfa.join(", ");
        let (statement, allows) =
            if without_mfa.len() == 1 { ("statement", "allows") } else { ("statements", "allow") };
        problems.push((
            format!(
                "{statement} {list} {allows} sts:AssumeRole without requiring MFA (`\"Bool\": \
                 {{\"aws:MultiFactorAuthPresent\": \"true\"}}` or `\"NumericLessThan\": \
                 {{\"aws:MultiFactorAuthAge\": N}}`; `...IfExists` forms let a request without MFA through)"
            ),
            format!(
                "ステートメント {list} が MFA を必須にせずに sts:AssumeRole を許可しています (`\"Bool\": \
                 {{\"aws:MultiFactorAuthPresent\": \"true\"}}` または `\"NumericLessThan\": \
                 {{\"aws:MultiFactorAuthAge\": N}}` が必要です。`...IfExists` の形では MFA なしのリクエストが通ります)"
            ),
        ));
    }
    problems
}

/// What an IAM Identity Center role's trust policy trusts, in account `account`: `Ok` with the names of the
/// SAML providers when every statement that allows assuming the role trusts only Identity Center's own SAML
/// provider in the account (`arn:aws:iam::ACCOUNT:saml-provider/AWSSSO_<id>_DO_NOT_DELETE`, which Identity
/// Center creates); `Err` with what is wrong otherwise. MFA is not looked for: Identity Center asks for it
/// at sign-in, and the SAML assertion does not carry it into the trust policy.
pub(crate) fn identity_center_trust(
    document: Option<&Value>,
    account: &str,
) -> Result<Vec<String>, Vec<(String, String)>> {
    let Some(document) = document else {
        return Err(vec![("the role has no trust policy".to_owned(), "信頼ポリシーがありません".to_owned())]);
    };
    let allows = assume_allows(document);
    if allows.is_empty() {
        return Err(vec![(
            "the trust policy allows nobody to assume the role".to_owned(),
            "信頼ポリシーが誰にもロールの引き受けを許可していません".to_owned(),
        )]);
    }
    let mut providers = Vec::new();
    let mut others = Vec::new();
    for (_, statement) in &allows {
        if statement.get("NotPrincipal").is_some() {
            others.push("NotPrincipal".to_owned());
        }
        match statement.get("Principal") {
            Some(Value::Object(map)) => {
                for (kind, value) in map {
                    for principal in strings(Some(value)) {
                        match identity_center_provider(principal, account) {
                            Some(name) if kind.eq_ignore_ascii_case("Federated") => {
                                providers.push(name.to_owned())
                            }
                            _ => others.push(principal.to_owned()),
                        }
                    }
                }
            }
            Some(Value::String(any)) => others.push(any.clone()),
            _ => others.push("(no principal)".to_owned()),
        }
    }
    if others.is_empty() {
        providers.sort();
        providers.dedup();
        return Ok(providers);
    }
    others.sort();
    others.dedup();
    let list = others.join(", ");
    Err(vec![(
        format!("it trusts principals other than this account's IAM Identity Center SAML provider: {list}"),
        format!(
            "このアカウントの IAM Identity Center SAML プロバイダー以外のプリンシパルを信頼しています: {list}"
        ),
    )])
}

/// The name of Identity Center's SAML provider that `principal` is, in `account`:
/// `arn:<partition>:iam::<account>:saml-provider/AWSSSO_<id>_DO_NOT_DELETE`.
fn identity_center_provider<'a>(principal: &'a str, account: &str) -> Option<&'a str> {
    let mut parts = principal.splitn(6, ':');
    let (arn, _partition, iam, region, owner, resource) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let name = resource.strip_prefix("saml-provider/")?;
    let ours = arn == "arn" && iam == "iam" && region.is_empty() && owner == account;
    (ours && name.starts_with("AWSSSO_") && name.ends_with("_DO_NOT_DELETE")).then_some(name)
}

/// An `"AWS"` principal in account `account`: its ID, or an ARN in it.
fn in_account(principal: &str, account: &str) -> bool {
    principal == account || (principal.starts_with("arn:") && principal.split(':').nth(4) == Some(account))
}

/// The values of condition key `key` under `operator` in the statement's `Condition` (both matched
/// case-insensitively, the operator exactly: `BoolIfExists` is not `Bool`); `None` when it has no such test.
fn condition_values<'a>(statement: &'a Value, operator: &str, key: &str) -> Option<Vec<&'a Value>> {
    let Some(Value::Object(conditions)) = statement.get("Condition") else { return None };
    conditions
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(operator))
        .filter_map(|(_, keys)| keys.as_object())
        .flat_map(|keys| keys.iter())
        .find(|(name, _)| name.eq_ignore_ascii_case(key))
        .map(|(_, value)| match value {
            Value::Array(list) => list.iter().collect(),
            one => vec![one],
        })
}

/// A condition value that reads as `expected` (`true`, `"true"`, `"TRUE"`).
fn is_bool(value: &Value, expected: bool) -> bool {
    value.as_bool() == Some(expected)
        || value
            .as_str()
            .is_some_and(|text| text.eq_ignore_ascii_case(if expected { "true" } else { "false" }))
}

/// A condition value that reads as a number (`3600`, `"3600"`).
fn is_number(value: &Value) -> bool {
    value.is_number() || value.as_str().is_some_and(|text| text.trim().parse::<f64>().is_ok())
}

/// Whether the statement's conditions hold only for a request made with MFA (conditions are ANDed, so one
/// such test is enough), as the IAM User Guide's "Configuring MFA-protected API access" writes them:
/// `"Bool": {"aws:MultiFactorAuthPresent": "true"}`, `"NumericLessThan"` or `"NumericLessThanEquals"` on
/// `aws:MultiFactorAuthAge` (a number of seconds), or `"Null": {"aws:MultiFactorAuthAge": "false"}`.
/// `aws:MultiFactorAuthAge` is in the request only when MFA was used, and a numeric test of an absent key
/// fails. The `...IfExists` forms do not count: a request signed with long-term access keys carries neither
/// key and passes them.
fn requires_mfa(statement: &Value) -> bool {
    let all = |values: Option<Vec<&Value>>, test: &dyn Fn(&Value) -> bool| {
        values.is_some_and(|values| !values.is_empty() && values.iter().all(|value| test(value)))
    };
    all(condition_values(statement, "Bool", "aws:MultiFactorAuthPresent"), &|value| is_bool(value, true))
        || all(condition_values(statement, "NumericLessThan", "aws:MultiFactorAuthAge"), &is_number)
        || all(condition_values(statement, "NumericLessThanEquals", "aws:MultiFactorAuthAge"), &is_number)
        || all(condition_values(statement, "Null", "aws:MultiFactorAuthAge"), &|value| is_bool(value, false))
}

/// Whether `statement` is a Deny that refuses `sts:AssumeRole` without MFA to every principal the `allows`
/// trust: the IAM User Guide's `"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}` (true both when
/// the key is false and when it is absent, as with long-term access keys), or `"Null":
/// {"aws:MultiFactorAuthAge": "true"}`, as its only condition (another condition would narrow the Deny),
/// for `"Principal": "*"` (or `{"AWS": "*"}`) or for every `"AWS"` principal the allows name. A plain
/// `"Bool": {"aws:MultiFactorAuthPresent": "false"}` does not count: a request signed with long-term keys
/// carries no such key, so that Deny does not apply to it.
fn denies_without_mfa(statement: &Value, allows: &[&Value]) -> bool {
    if !is_deny(statement) || !covers(statement, "sts:AssumeRole") || statement.get("NotPrincipal").is_some()
    {
        return false;
    }
    let Some(Value::Object(conditions)) = statement.get("Condition") else { return false };
    let only_key = conditions.len() == 1
        && conditions.values().next().and_then(Value::as_object).is_some_and(|keys| keys.len() == 1);
    let all = |values: Option<Vec<&Value>>, expected: bool| {
        values.is_some_and(|values| !values.is_empty() && values.iter().all(|value| is_bool(value, expected)))
    };
    let without_mfa = all(condition_values(statement, "BoolIfExists", "aws:MultiFactorAuthPresent"), false)
        || all(condition_values(statement, "Null", "aws:MultiFactorAuthAge"), true);
    if !only_key || !without_mfa {
        return false;
    }
    let denied: Vec<&str> = match statement.get("Principal") {
        Some(Value::String(any)) => vec![any.as_str()],
        Some(Value::Object(map)) => map
            .iter()
            .filter(|(kind, _)| kind.eq_ignore_ascii_case("AWS"))
            .flat_map(|(_, v)| strings(Some(v)))
            .collect(),
        _ => Vec::new(),
    };
    if denied.contains(&"*") {
        return true;
    }
    allows.iter().all(|allow| match allow.get("Principal") {
        Some(Value::Object(map)) => map.iter().all(|(kind, value)| {
            kind.eq_ignore_ascii_case("AWS")
                && strings(Some(value)).iter().all(|principal| denied.contains(principal))
        }),
        _ => false,
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

    /// A trust policy for the management account: `statements` after an Allow of `sts:AssumeRole` with
    /// `condition`.
    fn trust_with(condition: Value, more: &[Value]) -> Value {
        let mut statements =
            vec![json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole", "Condition": condition})];
        statements.extend_from_slice(more);
        json!({"Statement": statements})
    }

    fn passes(document: &Value) -> bool {
        trust_problems(Some(document), "111111111111").is_empty()
    }

    #[test]
    fn identity_center() {
        let provider = "arn:aws:iam::123456789012:saml-provider/AWSSSO_0f1e2d3c4b5a6978_DO_NOT_DELETE";
        let trust = |principal: Value| {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal,
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]})
        };
        assert_eq!(
            identity_center_trust(Some(&trust(json!({"Federated": provider}))), "123456789012"),
            Ok(vec!["AWSSSO_0f1e2d3c4b5a6978_DO_NOT_DELETE".to_owned()])
        );
        for principal in [
            json!({"Federated": provider.replace("123456789012", "999999999999")}),
            json!({"Federated": "arn:aws:iam::123456789012:saml-provider/okta"}),
            json!({"AWS": provider}),
            json!({"Federated": [provider, "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]}),
            json!("*"),
        ] {
            assert!(
                identity_center_trust(Some(&trust(principal.clone())), "123456789012").is_err(),
                "{principal}"
            );
        }
        assert!(identity_center_trust(None, "123456789012").is_err());
        let tags_only = json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": provider},
            "Action": "sts:TagSession"}]});
        assert!(identity_center_trust(Some(&tags_only), "123456789012").is_err());
    }

    #[test]
    fn mfa_conditions() {
        for (condition, mfa) in [
            (json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}}), true),
            (json!({"Bool": {"AWS:multifactorauthpresent": true}}), true),
            (json!({"Bool": {"aws:MultiFactorAuthPresent": ["true", "false"]}}), false),
            (json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}), false),
            (json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}), true),
            (json!({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600}}), true),
            (json!({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "3600"}}), false),
            (json!({"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}}), false),
            (json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}), false),
            (json!({"NumericNotEquals": {"aws:MultiFactorAuthAge": "0"}}), false),
            (json!({"Null": {"aws:MultiFactorAuthAge": "false"}}), true),
            (json!({"Null": {"aws:MultiFactorAuthAge": "true"}}), false),
            (json!({"Null": {"aws:MultiFactorAuthPresent": "false"}}), false),
            (
                json!({"StringEquals": {"aws:PrincipalTag/team": "ops"}, "Bool": {"aws:MultiFactorAuthPresent": "true"}}),
                true,
            ),
            (json!({}), false),
        ] {
            assert_eq!(passes(&trust_with(condition.clone(), &[])), mfa, "{condition}");
        }
    }

    #[test]
    fn only_statements_that_allow_assume_role_need_mfa() {
        let mfa = json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
        let principal = json!({"AWS": "arn:aws:iam::111111111111:root"});
        let extra =
            |key: &str, actions: Value| json!({"Effect": "Allow", "Principal": principal, key: actions});
        assert!(passes(&trust_with(
            mfa.clone(),
            &[extra("Action", json!(["sts:TagSession", "sts:SetSourceIdentity"]))]
        )));
        assert!(passes(&trust_with(mfa.clone(), &[extra("Action", json!("sts:SetContext"))])));
        assert!(!passes(&trust_with(mfa.clone(), &[extra("Action", json!("sts:*"))])));
        assert!(!passes(&trust_with(mfa.clone(), &[extra("Action", json!("sts:Assume*"))])));
        assert!(!passes(&trust_with(mfa.clone(), &[extra("Action", json!("*"))])));
        assert!(!passes(&trust_with(mfa.clone(), &[extra("NotAction", json!("sts:TagSession"))])));
        assert!(passes(&trust_with(mfa.clone(), &[extra("NotAction", json!("sts:*"))])));
        // A statement that only tags sessions is not a door, whoever it names.
        let anyone = json!({"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"});
        assert!(passes(&trust_with(mfa.clone(), &[anyone])));
        // Assuming with web identity or SAML is a door: its principal is outside the management account.
        let oidc = json!({"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}});
        assert!(!passes(&trust_with(mfa, &[oidc])));
        let tags_only =
            json!({"Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:TagSession"}]});
        assert_eq!(
            trust_problems(Some(&tags_only), "111111111111").len(),
            1,
            "it allows nobody to assume the role"
        );
    }

    #[test]
    fn a_deny_without_mfa_enforces_it() {
        let deny = |principal: Value, condition: Value| json!({"Effect": "Deny", "Principal": principal, "Action": "sts:AssumeRole", "Condition": condition});
        let if_exists = json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}});
        let none = json!({});
        assert!(passes(&trust_with(none.clone(), &[deny(json!("*"), if_exists.clone())])));
        assert!(passes(&trust_with(none.clone(), &[deny(json!({"AWS": "*"}), if_exists.clone())])));
        assert!(passes(&trust_with(
            none.clone(),
            &[deny(json!({"AWS": "arn:aws:iam::111111111111:root"}), if_exists.clone())]
        )));
        assert!(passes(&trust_with(
            none.clone(),
            &[deny(json!("*"), json!({"Null": {"aws:MultiFactorAuthAge": "true"}}))]
        )));
        // Not for another principal, not with a plain Bool (long-term keys carry no MFA key), not narrowed.
        assert!(!passes(&trust_with(
            none.clone(),
            &[deny(json!({"AWS": "arn:aws:iam::111111111111:user/alice"}), if_exists.clone())]
        )));
        assert!(!passes(&trust_with(
            none.clone(),
            &[deny(json!("*"), json!({"Bool": {"aws:MultiFactorAuthPresent": "false"}}))]
        )));
        let narrowed = json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"},
            "StringEquals": {"aws:PrincipalTag/team": "ops"}});
        assert!(!passes(&trust_with(none.clone(), &[deny(json!("*"), narrowed)])));
        let two_keys =
            json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false", "aws:ViaAWSService": "false"}});
        assert!(!passes(&trust_with(none.clone(), &[deny(json!("*"), two_keys)])));
        let tag_only =
            json!({"Effect": "Deny", "Principal": "*", "Action": "sts:TagSession", "Condition": if_exists});
        assert!(!passes(&trust_with(none, &[tag_only])));
    }
}
