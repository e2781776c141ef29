//! `guardline iam-policy`: the read-only IAM policy the collectors need, built from their own action list.

pub fn run() -> anyhow::Result<bool> {
    println!("{}", guardline_collect::api::read_only_policy());
    Ok(true)
}
