//! The IAM actions Guardline's collectors call, and the least-privilege read-only policy built from them
//! (`guardline iam-policy`). [`crate::cx::Cx::call`] refuses (in debug builds) an action missing here, and
//! the collector integration test checks that a full collection calls every action listed.

/// Every IAM action the collectors need, sorted.
pub const ACTIONS: &[&str] = &[
    "access-analyzer:ListAnalyzers",
    "access-analyzer:ListFindings",
    "account:GetAlternateContact",
    "budgets:ViewBudget",
    "ce:GetAnomalies",
    "ce:GetAnomalyMonitors",
    "ce:GetAnomalySubscriptions",
    "ce:GetCostAndUsage",
    "ce:GetCostForecast",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:LookupEvents",
    "config:DescribeConfigRules",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "config:DescribeDeliveryChannels",
    "ec2:DescribeInstances",
    "ec2:DescribeRegions",
    "ec2:DescribeSecurityGroups",
    "ec2:GetManagedPrefixListEntries",
    "events:ListRules",
    "events:ListTargetsByRule",
    "guardduty:GetDetector",
    "guardduty:ListDetectors",
    "iam:GenerateCredentialReport",
    "iam:GetAccessKeyLastUsed",
    "iam:GetAccountAuthorizationDetails",
    "iam:GetAccountPasswordPolicy",
    "iam:GetAccountSummary",
    "iam:GetCredentialReport",
    "iam:ListAccessKeys",
    "iam:ListAccountAliases",
    "iam:ListOrganizationsFeatures",
    "iam:ListUsers",
    "iam:ListVirtualMFADevices",
    "inspector2:BatchGetAccountStatus",
    "organizations:DescribeOrganization",
    "resource-groups:ListGroupResources",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:ListAllMyBuckets",
    "scheduler:GetSchedule",
    "scheduler:ListSchedules",
    "securityhub:DescribeHub",
    "securityhub:DescribeSecurityHubV2",
    "securityhub:GetEnabledStandards",
    "securityhub:GetFindings",
    "ssm:DescribeInstanceInformation",
    "ssm:DescribeMaintenanceWindowTargets",
    "ssm:DescribeMaintenanceWindowTasks",
    "ssm:DescribeMaintenanceWindows",
    "ssm:GetMaintenanceWindowTask",
    "sts:GetCallerIdentity",
];

/// Actions every principal may call without a policy statement.
const NEEDS_NO_PERMISSION: &[&str] = &["sts:GetCallerIdentity"];

/// The least-privilege read-only IAM policy document `guardline scan` needs, as pretty JSON.
pub fn read_only_policy() -> String {
    let actions: Vec<&str> =
        ACTIONS.iter().copied().filter(|action| !NEEDS_NO_PERMISSION.contains(action)).collect();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "GuardlineScanReadOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*",
        }],
    });
    serde_json::to_string_pretty(&policy).expect("a JSON value always serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_sorted_unique_and_read_only() {
        let mut sorted = ACTIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, ACTIONS, "keep ACTIONS sorted and unique");
        for action in ACTIONS {
            let (_, verb) = action.split_once(':').expect("service:Action");
            let read = ["List", "Get", "Describe", "View", "BatchGet", "Generate", "Lookup"]
                .iter()
                .any(|p| verb.starts_with(p));
            assert!(read, "{action} is not a read action");
        }
    }

    /// Every action string the collectors pass to `Cx::call` is listed, and every listed action is called
    /// somewhere: the policy is generated from the collectors' own calls.
    #[test]
    fn actions_match_the_collectors_calls() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/services");
        let mut called = std::collections::BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for literal in source.split('"').skip(1).step_by(2) {
                let Some((service, verb)) = literal.split_once(':') else { continue };
                let service_like = !service.is_empty()
                    && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                let verb_like = verb.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && verb.chars().all(|c| c.is_ascii_alphanumeric());
                // Maintenance window target keys look like actions but are not.
                let target_key = literal == "resource-groups:Name";
                if service_like && verb_like && !target_key {
                    called.insert(literal.to_owned());
                }
            }
        }
        let listed: std::collections::BTreeSet<String> = ACTIONS.iter().map(|a| (*a).to_owned()).collect();
        let unlisted: Vec<_> = called.difference(&listed).collect();
        let uncalled: Vec<_> = listed.difference(&called).collect();
        assert!(unlisted.is_empty(), "called but missing from ACTIONS: {unlisted:?}");
        assert!(uncalled.is_empty(), "listed in ACTIONS but never called: {uncalled:?}");
    }

    #[test]
    fn policy_lists_every_action_but_sts() {
        let policy: serde_json::Value = serde_json::from_str(&read_only_policy()).unwrap();
        let actions = policy["Statement"][0]["Action"].as_array().unwrap();
        assert_eq!(actions.len(), ACTIONS.len() - 1);
        assert!(!actions.iter().any(|a| a == "sts:GetCallerIdentity"));
    }
}
