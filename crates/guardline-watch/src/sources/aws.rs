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
        built.push(Source::Health { client: aws_sdk_health::Client::new(&global), organisation: false });
    }
    built
}

/// Whether any enabled source needs AWS.
pub fn needs_aws(sources: &WatchSources) -> bool {
    sources.guardduty.is_some()
        || sources.security_hub.is_some()
        || sources.inspector.is_some()
        || sources.health.is_some()
        || sources.changes.is_some()
}

/// What keeps the enabled AWS sources from covering the organisation: each region where this account is
/// not GuardDuty's, Amazon Inspector's or Security Hub's delegated administrator (or the call that says
/// so fails). A member's sources see its own findings only, so `watch --org` anywhere else would watch one
/// account while claiming the organisation.
pub async fn administrator_gaps(sources: &[Source]) -> Vec<String> {
    let mut gaps = Vec::new();
    let region_of = |config: Option<&aws_config::Region>| config.map(ToString::to_string).unwrap_or_default();
    for source in sources {
        match source {
            Source::GuardDuty { clients, .. } => {
                for client in clients {
                    let region = region_of(client.config().region());
                    let detectors = match client.list_detectors().send().await {
                        Ok(output) => output.detector_ids().to_vec(),
                        Err(error) => {
                            gaps.push(format!("guardduty {region}: {}", sdk_error(&error)));
                            continue;
                        }
                    };
                    let Some(detector) = detectors.first() else {
                        gaps.push(format!("guardduty {region}: this account has no detector"));
                        continue;
                    };
                    let check =
                        client.describe_organization_configuration().detector_id(detector).send().await;
                    if let Err(error) = check {
                        gaps.push(format!(
                            "guardduty {region}: not GuardDuty's delegated administrator ({})",
                            sdk_error(&error)
                        ));
                    }
                }
            }
            Source::SecurityHub { clients, .. } => {
                for client in clients {
                    let region = region_of(client.config().region());
                    if let Err(error) = client.describe_organization_configuration().send().await {
                        gaps.push(format!(
                            "security-hub {region}: not Security Hub's delegated administrator ({})",
                            sdk_error(&error)
                        ));
                    }
                }
            }
            Source::Inspector { clients, .. } => {
                for client in clients {
                    let region = region_of(client.config().region());
                    if let Err(error) = client.describe_organization_configuration().send().await {
                        gaps.push(format!(
                            "inspector {region}: not Amazon Inspector's delegated administrator ({})",
                            sdk_error(&error)
                        ));
                    }
                }
            }
            Source::Health { .. } | Source::Feed { .. } | Source::Changes(_) => {}
        }
    }
    gaps
}

/// Under `watch --org`, switches the health source to the organisational view where it is enabled; says
/// why not otherwise (the source then polls this account's events only).
pub async fn use_health_organisation_view(sources: &mut [Source]) -> Option<String> {
    for source in sources {
        if let Source::Health { client, organisation } = source {
            return match super::health::organisation_view_enabled(client).await {
                Ok(true) => {
                    *organisation = true;
                    None
                }
                Ok(false) => Some(
                    "AWS Health's organizational view is not enabled (EnableHealthServiceAccessForOrganization \
                     in the management account): the health source reports this account's events only"
                        .to_owned(),
                ),
                Err(error) => Some(format!(
                    "AWS Health's organizational view could not be read ({error}): the health source reports \
                     this account's events only"
                )),
            };
        }
    }
    None
}
