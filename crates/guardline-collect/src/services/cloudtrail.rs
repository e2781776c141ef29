//! CloudTrail, per region: the trails whose home is this region, and whether each is logging (TRAIL-001).
//!
//! `cloudtrail:DescribeTrails` with `includeShadowTrails=false` lists only the trails created in this
//! region (a multi-region trail is reported once, in its home region, not once per region); trails with
//! another home region are dropped client-side too. `cloudtrail:GetTrailStatus` per trail (by ARN) fills
//! `is_logging`, its own field per trail. moto 5.2.5 implements both calls and honours the shadow flag.

use aws_config::SdkConfig;
use aws_sdk_cloudtrail::Client;
use futures::future::join_all;
use guardline_model::Collected;
use guardline_model::inventory::detection::Trail;

use super::RegionPart;
use crate::cx::Cx;

/// The trails of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str) -> RegionPart {
    let client = Client::new(config);
    let trails: Collected<Vec<Trail>> = match cx
        .call("cloudtrail:DescribeTrails", client.describe_trails().include_shadow_trails(false).send())
        .await
    {
        Err(error) => Collected::error(error),
        Ok(answer) => {
            let home = answer
                .trail_list()
                .iter()
                .filter(|trail| trail.home_region().is_none_or(|home| home == region));
            Collected::ok(
                join_all(home.map(|trail| {
                    let client = &client;
                    async move {
                        let arn = trail.trail_arn().unwrap_or_default();
                        let name = trail.name().unwrap_or_default();
                        let status = cx
                            .call(
                                "cloudtrail:GetTrailStatus",
                                client
                                    .get_trail_status()
                                    .name(if arn.is_empty() { name } else { arn })
                                    .send(),
                            )
                            .await;
                        Trail {
                            name: name.to_owned(),
                            arn: arn.to_owned(),
                            home_region: trail.home_region().unwrap_or(region).to_owned(),
                            multi_region: trail.is_multi_region_trail().unwrap_or(false),
                            is_logging: status.map(|status| status.is_logging().unwrap_or(false)).into(),
                        }
                    }
                }))
                .await,
            )
        }
    };
    Box::new(move |inventory| inventory.trails = trails)
}
