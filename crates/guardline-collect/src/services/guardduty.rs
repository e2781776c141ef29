//! GuardDuty, per region: the detectors and whether each is enabled (GUARDDUTY-001).
//!
//! `guardduty:ListDetectors` (every page), then `guardduty:GetDetector` per detector for its status. No
//! detector is an empty list (GuardDuty off in the region), not an error. A failing `GetDetector` fails the
//! whole field. AWS allows one detector per region; moto 5.2.5 allows several, and they are all listed.

use aws_config::SdkConfig;
use aws_sdk_guardduty::Client;
use futures::future::try_join_all;
use guardline_model::inventory::detection::Detector;
use guardline_model::{CollectError, Collected};

use super::RegionPart;
use crate::cx::Cx;

/// The GuardDuty detectors of one region.
pub async fn collect(cx: &Cx, config: &SdkConfig, _region: &str) -> RegionPart {
    let client = Client::new(config);
    let detectors: Collected<_> = detectors(cx, &client).await.into();
    Box::new(move |inventory| inventory.guardduty_detectors = detectors)
}

async fn detectors(cx: &Cx, client: &Client) -> Result<Vec<Detector>, CollectError> {
    let ids = cx
        .call(
            "guardduty:ListDetectors",
            client.list_detectors().into_paginator().items().send().collect::<Result<Vec<_>, _>>(),
        )
        .await?;
    try_join_all(ids.into_iter().map(|id| async move {
        let detector =
            cx.call("guardduty:GetDetector", client.get_detector().detector_id(&id).send()).await?;
        Ok(Detector {
            id,
            status: detector.status().map(|status| status.as_str().to_owned()).unwrap_or_default(),
        })
    }))
    .await
}
