//! `guardline iam-policy [--for scan|fix|watch|org|schedule|org-roles|security-hub]`: the least-privilege IAM policy a command needs, built from
//! the collectors' own action list (for `fix`, also the fix steps' declared calls; for `watch`, its sources', and with the `changes` source its queue and the scan's reads).

use crate::args::{IamPolicyArgs, PolicyFor};

pub fn run(args: IamPolicyArgs) -> anyhow::Result<bool> {
    let policy = match args.command {
        PolicyFor::Scan => guardline_collect::api::read_only_policy(),
        PolicyFor::Fix => fix_policy()?,
        PolicyFor::Watch => watch_policy()?,
        PolicyFor::Org => org_policy()?,
        PolicyFor::Schedule => schedule_policy()?,
        PolicyFor::OrgRoles => org_roles_policy()?,
        PolicyFor::SecurityHub => security_hub_policy()?,
    };
    println!("{policy}");
    Ok(true)
}

/// The scan's read-only statement plus a statement with every write `fix` may make.
fn fix_policy() -> anyhow::Result<String> {
    let mut policy: serde_json::Value = serde_json::from_str(&guardline_collect::api::read_only_policy())?;
    let writes: Vec<&str> = guardline_rules::fix::every_call()
        .into_iter()
        .filter(|action| !guardline_collect::api::ACTIONS.contains(action))
        .collect();
    let statement = serde_json::json!({
        "Sid": "GuardlineFixWrites",
        "Effect": "Allow",
        "Action": writes,
        "Resource": "*",
    });
    policy["Statement"].as_array_mut().expect("the read-only policy has statements").push(statement);
    Ok(serde_json::to_string_pretty(&policy)?)
}

/// The scan's read-only statement plus listing the organisation and assuming the member role (the role
/// name from `[org] role-name` of ./guardline.toml when there is one). Each member role needs the scan policy.
fn org_policy() -> anyhow::Result<String> {
    let config = super::load_config(super::config_path(None).as_deref())?;
    let mut policy: serde_json::Value = serde_json::from_str(&guardline_collect::api::read_only_policy())?;
    let statements = policy["Statement"].as_array_mut().expect("the read-only policy has statements");
    statements.push(serde_json::json!({
        "Sid": "GuardlineOrgList",
        "Effect": "Allow",
        "Action": guardline_collect::org::ACTIONS,
        "Resource": "*",
    }));
    let role = config.org.role_name.trim_matches('/');
    let mut assume = vec![format!("arn:*:iam::*:role/{role}")];
    assume.extend(config.org.via_role.clone());
    statements.push(serde_json::json!({
        "Sid": "GuardlineOrgAssumeMemberRole",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": assume,
    }));
    Ok(serde_json::to_string_pretty(&policy)?)
}

/// `org plan-roles`: its reads and writes, on IAM only (and the organisation's management account).
fn org_roles_policy() -> anyhow::Result<String> {
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GuardlineOrgRoles",
            "Effect": "Allow",
            "Action": guardline_apply::org_roles::ACTIONS,
            "Resource": "*",
        }],
    });
    Ok(serde_json::to_string_pretty(&policy)?)
}

/// `scan --send-to-security-hub`: the scan's read-only statement plus the import, and nothing else.
fn security_hub_policy() -> anyhow::Result<String> {
    let mut policy: serde_json::Value = serde_json::from_str(&guardline_collect::api::read_only_policy())?;
    policy["Statement"].as_array_mut().expect("the read-only policy has statements").push(
        serde_json::json!({
            "Sid": "GuardlineSecurityHubImport",
            "Effect": "Allow",
            "Action": ["securityhub:BatchImportFindings"],
            "Resource": "*",
        }),
    );
    Ok(serde_json::to_string_pretty(&policy)?)
}

/// The scheduler role's policy (`guardline_apply::schedule::role_policy`), its Deny covering the production
/// tag of every profile of ./guardline.toml (the built-in default without one).
fn schedule_policy() -> anyhow::Result<String> {
    let config = super::load_config(super::config_path(None).as_deref())?;
    let tags: Vec<_> = config.profiles.values().map(|profile| &profile.params.production_tag).collect();
    Ok(serde_json::to_string_pretty(&guardline_apply::schedule::role_policy::document(&tags))?)
}

/// The reads of `watch`'s AWS sources: the account's identity and regions, and the findings and events
/// (`securityhub:GetFindings` covers both Security Hub CSPM's GetFindings and the new Security Hub's
/// GetFindingsV2; DescribeSecurityHubV2 tells whether the new Security Hub is on); and for `watch --org`,
/// the organisation's listing, the administrator checks, Health's organizational view and the member
/// role of ./guardline.toml's `[org] role-name` (for the members' aliases).
fn watch_policy() -> anyhow::Result<String> {
    let config = super::load_config(super::config_path(None).as_deref())?;
    let role = format!("arn:aws:iam::*:role/{}", config.org.role_name);
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GuardlineWatchReadOnly",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeRegions",
                "guardduty:GetFindings",
                "guardduty:ListDetectors",
                "guardduty:ListFindings",
                "health:DescribeEvents",
                "iam:ListAccountAliases",
                "inspector2:ListFindings",
                "securityhub:DescribeSecurityHubV2",
                "securityhub:GetFindings",
            ],
            "Resource": "*",
        }, {
            "Sid": "GuardlineWatchOrganisation",
            "Effect": "Allow",
            "Action": [
                "guardduty:DescribeOrganizationConfiguration",
                "health:DescribeAffectedAccountsForOrganization",
                "health:DescribeEventsForOrganization",
                "health:DescribeHealthServiceStatusForOrganization",
                "inspector2:DescribeOrganizationConfiguration",
                "organizations:ListAccounts",
                "organizations:ListAccountsForParent",
                "organizations:ListOrganizationalUnitsForParent",
                "organizations:ListRoots",
                "organizations:ListTagsForResource",
                "securityhub:DescribeOrganizationConfiguration",
            ],
            "Resource": "*",
        }, {
            "Sid": "GuardlineWatchMemberAliases",
            "Effect": "Allow",
            "Action": ["sts:AssumeRole"],
            "Resource": role,
        }],
    });
    let mut policy = policy;
    if let Some(changes) = config.watch.as_ref().and_then(|watch| watch.sources.changes.as_ref()) {
        // The drift source: its queue in every region, and the scan's reads (the baseline, the re-reads).
        let statements = policy["Statement"].as_array_mut().expect("the watch policy has statements");
        statements.push(serde_json::json!({
            "Sid": "GuardlineWatchChangesQueue",
            "Effect": "Allow",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
            "Resource": format!("arn:aws:sqs:*:*:{}", changes.queue),
        }));
        statements.push(serde_json::json!({
            "Sid": "GuardlineWatchChangesReads",
            "Effect": "Allow",
            "Action": guardline_collect::api::ACTIONS,
            "Resource": "*",
        }));
    }
    Ok(serde_json::to_string_pretty(&policy)?)
}
