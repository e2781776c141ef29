//! [`identify`]: the account the credentials actually reach, read from AWS (never from the config), for the
//! pin check and the plan's header; [`pinned`]: an SDK config whose credentials can only ever reach the account
//! that was checked.

use aws_config::SdkConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
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

/// `config` with its credentials pinned to `account_id`: every time the SDK fetches credentials (the first
/// call and each refresh), the new credentials are identified with `sts:GetCallerIdentity` before any call
/// uses them, and credentials of another account are an error, so no call is made with them.
///
/// The credentials a profile yields can change while Guardline runs (`credential_process`, SSO, saml2aws, an
/// edited `~/.aws/config`): a write made with credentials that were never identified could land in another
/// account than the one the plan was made and checked for. Every write goes through a config pinned here.
pub fn pinned(config: &SdkConfig, account_id: &str) -> SdkConfig {
    let Some(inner) = config.credentials_provider() else {
        return config.clone();
    };
    let provider = PinnedCredentials { inner, account_id: account_id.to_owned(), base: config.clone() };
    config.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build()
}

/// [`pinned`]'s credentials provider.
#[derive(Debug)]
struct PinnedCredentials {
    inner: SharedCredentialsProvider,
    account_id: String,
    /// The config the credentials are identified with (region, endpoint, HTTP client, retries).
    base: SdkConfig,
}

impl ProvideCredentials for PinnedCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let credentials = self.inner.provide_credentials().await?;
            let sts = aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(&self.base)
                    .credentials_provider(credentials.clone())
                    .build(),
            );
            let identity = sts.get_caller_identity().send().await.map_err(|error| {
                CredentialsError::provider_error(format!(
                    "identifying the refreshed credentials (sts:GetCallerIdentity): {}",
                    aws_sdk_sts::error::DisplayErrorContext(&error)
                ))
            })?;
            match identity.account() {
                Some(account) if account == self.account_id => Ok(credentials),
                other => Err(CredentialsError::provider_error(format!(
                    "refused: the credentials now reach account {}, not the checked account {}; nothing is \
                     written with them",
                    other.unwrap_or("(none)"),
                    self.account_id
                ))),
            }
        })
    }
}
