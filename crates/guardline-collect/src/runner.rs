//! [`collect`]: identifies the account, picks the regions, and runs every service collector concurrently.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use futures::future::{BoxFuture, join_all};
use guardline_model::{CollectError, Collected, ErrorKind, Snapshot};

use crate::cx::Cx;
use crate::services::{self, GlobalPart, RegionPart};

/// How to collect.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// Regions to scan; `None`: every region enabled for the account in the caller's partition.
    pub regions: Option<Vec<String>>,
    /// Concurrent API calls at most.
    pub concurrency: usize,
    /// How long one call may take, retries included.
    pub call_timeout: Duration,
    /// Attempts per call (the SDK retries throttling and 5xx with exponential backoff).
    pub max_attempts: u32,
}

impl Default for CollectOptions {
    fn default() -> Self {
        CollectOptions {
            regions: None,
            concurrency: 16,
            call_timeout: Duration::from_secs(30),
            max_attempts: 5,
        }
    }
}

/// Receives progress while collecting (the CLI draws a bar on stderr).
pub trait Progress: Send + Sync {
    /// Collection of `tasks` service × region units starts.
    fn begin(&self, _tasks: usize) {}
    /// One unit (e.g. `guardduty ap-northeast-1`) finished.
    fn done(&self, _task: &str) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;

impl Progress for NoProgress {}

/// The result of a collection.
pub struct CollectOutput {
    pub snapshot: Snapshot,
    /// Calls made per IAM action.
    pub calls: BTreeMap<&'static str, u32>,
}

/// Why collection could not even start.
#[derive(Debug)]
pub enum CollectFailure {
    /// `sts:GetCallerIdentity` failed: no credentials, expired credentials, or no network.
    Identity(CollectError),
    /// A requested region is not enabled for the account, or not in its partition; `known_only`: the
    /// account's regions could not be read, and the name is not a region AWS has announced either.
    UnknownRegions { requested: Vec<String>, enabled: Vec<String>, known_only: bool },
}

impl std::fmt::Display for CollectFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CollectFailure::Identity(error) => match error.kind {
                ErrorKind::NoCredentials => write!(
                    f,
                    "could not identify the account: no AWS credentials were found. Tried, in order: the \
                     environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), the profile (--profile, else \
                     AWS_PROFILE, else `default`) in ~/.aws/credentials and ~/.aws/config (keys, SSO, \
                     credential_process, a role), a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE), the ECS \
                     container credentials and the EC2 instance metadata service. Set one up, e.g. \
                     `aws configure sso` then `--profile NAME`, or `aws sso login` for an expired session"
                ),
                ErrorKind::Unreachable => write!(
                    f,
                    "could not identify the account: {}; check the network, the proxy (HTTPS_PROXY) and \
                     the endpoint (AWS_ENDPOINT_URL, the profile's endpoint_url)",
                    error.message
                ),
                ErrorKind::Timeout => write!(
                    f,
                    "could not identify the account: sts:GetCallerIdentity timed out ({}); check the network, \
                     or raise --call-timeout",
                    error.message
                ),
                _ => write!(
                    f,
                    "could not identify the account ({error}); check the AWS credentials (--profile, \
                     AWS_PROFILE, environment, SSO login, instance role)"
                ),
            },
            CollectFailure::UnknownRegions { requested, enabled, known_only } => {
                let named: Vec<String> = requested
                    .iter()
                    .map(|region| {
                        match guardline_model::partition::closest_region(
                            region,
                            enabled.iter().map(String::as_str),
                        ) {
                            Some(close) => format!("{region} (did you mean {close}?)"),
                            None => region.clone(),
                        }
                    })
                    .collect();
                if *known_only {
                    write!(
                        f,
                        "{} {} not an AWS region (the account's regions could not be read, so the names were \
                         checked against the regions AWS has announced: {})",
                        named.join(", "),
                        if named.len() == 1 { "is" } else { "are" },
                        enabled.join(", ")
                    )
                } else {
                    write!(
                        f,
                        "{} {} not enabled for this account; enabled: {}",
                        named.join(", "),
                        if named.len() == 1 { "is" } else { "are" },
                        enabled.join(", ")
                    )
                }
            }
        }
    }
}

impl std::error::Error for CollectFailure {}

/// The SDK configuration from the standard credential chain, with Guardline's retry and timeout settings.
/// `region` is the region for account-wide calls; default: the profile's, else `us-east-1`.
pub async fn sdk_config(profile: Option<&str>, region: Option<&str>, options: &CollectOptions) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(5))
                .operation_attempt_timeout(options.call_timeout)
                .operation_timeout(options.call_timeout.saturating_mul(options.max_attempts.max(1)))
                .build(),
        );
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return config.into_builder().region(Region::from_static("us-east-1")).build();
    }
    config
}

/// `error` with the endpoint it could not reach named, when it is a network failure.
pub fn at_endpoint(mut error: CollectError, config: &SdkConfig) -> CollectError {
    if error.kind == ErrorKind::Unreachable {
        let endpoint = match (config.endpoint_url(), config.region()) {
            (Some(url), _) => url.to_owned(),
            (None, Some(region)) => format!("https://sts.{region}.amazonaws.com"),
            (None, None) => "the STS endpoint".to_owned(),
        };
        error.message = format!("{} at {endpoint}", error.message);
        let known = guardline_model::partition::KNOWN_REGIONS;
        if let (None, Some(region)) = (config.endpoint_url(), config.region())
            && !known.contains(&region.as_ref())
        {
            let close = guardline_model::partition::closest_region(region.as_ref(), known.iter().copied());
            error.message.push_str(&format!(
                " ({region} is not a region AWS has announced{})",
                close.map(|close| format!("; did you mean {close}?")).unwrap_or_default()
            ));
        }
    }
    error
}

/// The partition a region belongs to.
pub(crate) fn partition_of(region: &str) -> &'static str {
    guardline_model::partition::of_region(region)
}

/// Collects a snapshot of the account the credentials in `config` belong to.
pub async fn collect(
    config: &SdkConfig,
    options: &CollectOptions,
    progress: &dyn Progress,
) -> Result<CollectOutput, CollectFailure> {
    let collected_at = jiff::Timestamp::now();
    let identity_cx = Cx::new("", "aws", options.concurrency);
    let identity = services::sts::caller_identity(&identity_cx, config)
        .await
        .map_err(|error| CollectFailure::Identity(at_endpoint(error, config)))?;
    let cx = Cx::new(&identity.id, &identity.partition, options.concurrency);

    let enabled = services::ec2::enabled_regions(&cx, config).await;
    let regions = choose_regions(config, options, &enabled, &identity.partition)?;

    let region_configs: Vec<SdkConfig> = regions
        .iter()
        .map(|region| config.to_builder().region(Region::new(region.clone())).build())
        .collect();
    let mut global_tasks: Vec<(&str, BoxFuture<'_, GlobalPart>)> = Vec::new();
    services::global_tasks(&cx, config, &mut global_tasks);
    let mut region_tasks: Vec<(String, usize, BoxFuture<'_, RegionPart>)> = Vec::new();
    for (index, region_config) in region_configs.iter().enumerate() {
        let mut tasks: Vec<(&str, BoxFuture<'_, RegionPart>)> = Vec::new();
        services::region_tasks(&cx, region_config, &regions[index], &regions, &mut tasks);
        region_tasks.extend(
            tasks.into_iter().map(|(name, task)| (format!("{name} {}", regions[index]), index, task)),
        );
    }
    progress.begin(global_tasks.len() + region_tasks.len());

    let global = join_all(global_tasks.into_iter().map(|(name, task)| async move {
        let part = task.await;
        progress.done(name);
        part
    }));
    let regional = join_all(region_tasks.into_iter().map(|(name, index, task)| async move {
        let part = task.await;
        progress.done(&name);
        (index, part)
    }));
    let (global_parts, region_parts) = futures::join!(global, regional);

    let mut snapshot = Snapshot::new(identity, collected_at);
    snapshot.global.enabled_regions = enabled;
    for part in global_parts {
        part(&mut snapshot.global);
    }
    let mut inventories: Vec<_> = regions.iter().map(|_| Default::default()).collect();
    for (index, part) in region_parts {
        part(&mut inventories[index]);
    }
    snapshot.regions = regions.into_iter().zip(inventories).collect();
    Ok(CollectOutput { snapshot, calls: cx.call_log() })
}

/// The regions to scan: the requested ones (which must be enabled, when the enabled list is known, and
/// regions AWS has announced in the caller's partition when it is not), or all enabled regions of the
/// caller's partition, or (when even that is unknown) the configured region alone.
fn choose_regions(
    config: &SdkConfig,
    options: &CollectOptions,
    enabled: &Collected<Vec<String>>,
    partition: &str,
) -> Result<Vec<String>, CollectFailure> {
    let enabled: Option<Vec<String>> = enabled
        .get()
        .ok()
        .map(|regions| regions.iter().filter(|region| partition_of(region) == partition).cloned().collect());
    match (&options.regions, enabled) {
        (Some(requested), Some(enabled)) => {
            let unknown: Vec<String> =
                requested.iter().filter(|region| !enabled.contains(region)).cloned().collect();
            if unknown.is_empty() {
                Ok(requested.clone())
            } else {
                Err(CollectFailure::UnknownRegions { requested: unknown, enabled, known_only: false })
            }
        }
        (Some(requested), None) => {
            let known: Vec<String> = guardline_model::partition::KNOWN_REGIONS
                .iter()
                .filter(|region| partition_of(region) == partition)
                .map(|region| (*region).to_owned())
                .collect();
            let unknown: Vec<String> =
                requested.iter().filter(|region| !known.contains(region)).cloned().collect();
            if unknown.is_empty() {
                Ok(requested.clone())
            } else {
                Err(CollectFailure::UnknownRegions { requested: unknown, enabled: known, known_only: true })
            }
        }
        (None, Some(enabled)) => Ok(enabled),
        (None, None) => Ok(config.region().map(|region| vec![region.to_string()]).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        assert_eq!(partition_of("ap-northeast-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition_of("us-east-1"), "aws");
    }
}
