//! The AWS side of the sources: who the account is (STS, IAM alias), which regions to poll (EC2
//! DescribeRegions unless configured), and one client per region for each enabled AWS source.

use aws_config::SdkConfig;
use guardline_config::watch::WatchSources;

use super::{Account, Source, sdk_error};

/// The account's ID (STS) and alias (IAM; `None` when it has none or the call is denied).
pub async fn identify(sdk: &SdkConfig) -> Result<Account, String> {
    let identity = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| sdk_error(&error))?;
    let alias = match aws_sdk_iam::Client::new(sdk).list_account_aliases().send().await {
        Ok(output) => output.account_aliases().first().cloned(),
        Err(error) => {
            tracing::warn!(error = sdk_error(&error), "cannot read the account alias");
            None
        }
    };
    Ok(Account { id: identity.account().map(str::to_owned), alias })
}

/// The regions enabled for the account.
pub async fn enabled_regions(sdk: &SdkConfig) -> Result<Vec<String>, String> {
    let output =
        aws_sdk_ec2::Client::new(sdk).describe_regions().send().await.map_err(|error| sdk_error(&error))?;
    let mut regions: Vec<String> =
        output.regions().iter().filter_map(|region| region.region_name().map(str::to_owned)).collect();
    regions.sort();
    Ok(regions)
}

/// The AWS sources the config enables. `regions` are the account's enabled regions (used where a source
/// lists none); `params` the account profile's parameters (the GuardDuty threshold, the Security Hub
/// controls not adopted); `exceptions` the config's exceptions, of which those for HUB-002 that have not
/// expired by `today` silence the Security Hub findings they accept.
pub fn build(
    sdk: &SdkConfig,
    sources: &WatchSources,
    regions: &[String],
    params: &guardline_config::Params,
    exceptions: &[guardline_config::Exception],
    today: jiff::civil::Date,
) -> Vec<Source> {
    let regional = |own: &Option<Vec<String>>| -> Vec<SdkConfig> {
        own.as_deref()
            .unwrap_or(regions)
            .iter()
            .map(|region| sdk.to_builder().region(aws_config::Region::new(region.clone())).build())
            .collect()
    };
    let mut built = Vec::new();
    if let Some(guardduty) = &sources.guardduty {
        built.push(Source::GuardDuty {
            clients: regional(&guardduty.regions).iter().map(aws_sdk_guardduty::Client::new).collect(),
            min_severity: guardduty.min_severity.unwrap_or(params.guardduty_severity_threshold),
        });
    }
    if let Some(hub) = &sources.security_hub {
        built.push(Source::SecurityHub {
            clients: regional(&hub.regions).iter().map(aws_sdk_securityhub::Client::new).collect(),
            filter: super::security_hub::Filter {
                min_severity: hub.min_severity,
                not_adopted: params.security_hub_not_adopted.keys().cloned().collect(),
                exceptions: exceptions
                    .iter()
                    .filter(|exception| exception.control == "HUB-002" && exception.expires >= today)
                    .cloned()
                    .collect(),
            },
        });
    }
    if let Some(inspector) = &sources.inspector {
        built.push(Source::Inspector {
            clients: regional(&inspector.regions).iter().map(aws_sdk_inspector2::Client::new).collect(),
            min_severity: inspector.min_severity,
        });
    }
    if sources.health.is_some() {
        // The Health API answers in the partition's Health region (us-east-1 for the standard partition).
        let partition =
            guardline_model::partition::of_region(sdk.region().map_or("us-east-1", |region| region.as_ref()));
        let region = guardline_model::partition::health_region(partition);
        let global = sdk.to_builder().region(aws_config::Region::new(region)).build();
        built.push(Source::Health { client: aws_sdk_health::Client::new(&global) });
    }
    built
}

/// Whether any enabled source needs AWS.
pub fn needs_aws(sources: &WatchSources) -> bool {
    sources.guardduty.is_some()
        || sources.security_hub.is_some()
        || sources.inspector.is_some()
        || sources.health.is_some()
}
