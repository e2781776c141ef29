//! Inspector (v2), per region: whether EC2 scanning is enabled for the scanned account (INSPECTOR-001).
//!
//! `inspector2:BatchGetAccountStatus` for the account itself. AWS lists a never-enabled account as
//! `DISABLED`; moto 5.2.5 does not list it at all before `Enable`, which becomes `ec2: None` (the rule
//! treats it as disabled). An entry under `failedAccounts` for the account becomes the field's error.

use aws_config::SdkConfig;
use aws_sdk_inspector2::Client;
use guardline_model::inventory::detection::InspectorStatus;
use guardline_model::{CollectError, Collected, ErrorKind};

use super::RegionPart;
use crate::cx::Cx;

const ACTION: &str = "inspector2:BatchGetAccountStatus";

/// The Inspector status of the account in one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, _region: &str) -> RegionPart {
    let client = Client::new(config);
    let status: Collected<_> = status(cx, &client).await.into();
    Box::new(move |inventory| inventory.inspector = status)
}

async fn status(cx: &Cx, client: &Client) -> Result<InspectorStatus, CollectError> {
    let answer =
        cx.call(ACTION, client.batch_get_account_status().account_ids(&cx.account_id).send()).await?;
    if let Some(failed) = answer.failed_accounts().iter().find(|failed| failed.account_id() == cx.account_id)
    {
        let code = failed.error_code().as_str();
        let kind = match code {
            "ACCESS_DENIED" => ErrorKind::AccessDenied,
            "RESOURCE_NOT_FOUND" | "ACCOUNT_IS_ISOLATED" => ErrorKind::NotAvailable,
            _ => ErrorKind::Failed,
        };
        return Err(CollectError {
            action: ACTION.to_owned(),
            kind,
            code: Some(code.to_owned()),
            message: failed.error_message().to_owned(),
        });
    }
    let ec2 = answer
        .accounts()
        .iter()
        .find(|account| account.account_id() == cx.account_id)
        .and_then(|account| account.resource_state())
        .and_then(|resources| resources.ec2())
        .map(|state| state.status().as_str().to_owned());
    Ok(InspectorStatus { ec2 })
}
