//! [`identify`]: the account the credentials actually reach, read from AWS (never from the config), for the
//! pin check and the plan's header.

use aws_config::SdkConfig;
use guardline_config::LiveAccount;
use guardline_model::CollectError;

use crate::call::call;

/// The live account ID (`sts:GetCallerIdentity`) and alias (`iam:ListAccountAliases`).
pub async fn identify(config: &SdkConfig) -> Result<LiveAccount, CollectError> {
    let sts = aws_sdk_sts::Client::new(config);
    let identity = call("sts:GetCallerIdentity", sts.get_caller_identity().send()).await?;
    let id = identity.account().unwrap_or_default().to_owned();
    let iam = aws_sdk_iam::Client::new(config);
    let aliases = call("iam:ListAccountAliases", iam.list_account_aliases().send()).await?;
    let alias = aliases.account_aliases().first().cloned();
    Ok(LiveAccount { id, alias })
}
