//! STS: who the credentials belong to.

use aws_config::SdkConfig;
use guardline_model::{AccountInfo, CollectError};

use crate::cx::Cx;
use crate::error::malformed;

/// `sts:GetCallerIdentity`: the account ID, partition and caller ARN.
pub async fn caller_identity(cx: &Cx, config: &SdkConfig) -> Result<AccountInfo, CollectError> {
    let client = aws_sdk_sts::Client::new(config);
    let identity = cx.call("sts:GetCallerIdentity", client.get_caller_identity().send()).await?;
    let arn = identity.arn().unwrap_or_default().to_owned();
    let id = identity.account().unwrap_or_default().to_owned();
    let partition = arn.split(':').nth(1).unwrap_or_default().to_owned();
    if id.len() != 12 || partition.is_empty() {
        return Err(malformed(
            "sts:GetCallerIdentity",
            format!("unexpected identity: account {id:?}, ARN {arn:?}"),
        ));
    }
    Ok(AccountInfo { id, partition, caller_arn: arn })
}
