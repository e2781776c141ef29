//! `guardline iam-policy [--for scan|fix]`: the least-privilege IAM policy a command needs, built from the
//! collectors' own action list (and, for `fix`, from the fix steps' declared calls).

use crate::args::{IamPolicyArgs, PolicyFor};

pub fn run(args: IamPolicyArgs) -> anyhow::Result<bool> {
    let policy = match args.command {
        PolicyFor::Scan => guardline_collect::api::read_only_policy(),
        PolicyFor::Fix => fix_policy()?,
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
