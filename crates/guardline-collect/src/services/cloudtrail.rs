//! CloudTrail, per region: the trails the region lists, and what each records (TRAIL-001).
//!
//! `cloudtrail:DescribeTrails` with `includeShadowTrails` (AWS's default) lists the region's own trails, the
//! multi-region trails homed in other regions, and, in a member account, the organisation trail of the
//! management account ("If you do not include shadow trails, organization trails in a member account and
//! region replication trails will not be returned",
//! https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html). So a member
//! account covered by the organisation trail, or a scan that leaves out a trail's home region, still sees
//! the trail.
//!
//! Each trail is read once, by ARN (the only way a member may name the organisation trail, and the way to
//! name a shadow trail): `cloudtrail:GetTrailStatus` and `cloudtrail:GetEventSelectors` (which management
//! events its basic or advanced selectors log), in the trail's home region, or in the first scanned region
//! when its home region is not scanned. The other regions list it without `details`; TRAIL-001 joins the
//! copies by ARN.

use aws_config::SdkConfig;
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
use aws_sdk_cloudtrail::types::{AdvancedEventSelector, ReadWriteType};
use futures::future::join_all;
use guardline_model::Collected;
use guardline_model::inventory::detection::{ManagementEvents, Trail, TrailDetails};

use super::RegionPart;
use crate::cx::Cx;

/// The trails of one region; `scanned` is every region of the scan, in order.
pub async fn collect(cx: &Cx, config: &SdkConfig, region: &str, scanned: &[String]) -> RegionPart {
    let client = Client::new(config);
    let trails: Collected<Vec<Trail>> = match cx
        .call("cloudtrail:DescribeTrails", client.describe_trails().include_shadow_trails(true).send())
        .await
    {
        Err(error) => Collected::error(error),
        Ok(answer) => Collected::ok(
            join_all(answer.trail_list().iter().map(|trail| {
                let client = &client;
                async move {
                    let arn = trail.trail_arn().unwrap_or_default();
                    let home = trail.home_region().unwrap_or(region);
                    let reads_here = home == region
                        || (!scanned.iter().any(|scanned| scanned == home)
                            && scanned.first().is_some_and(|first| first == region));
                    let details = match reads_here {
                        true => Some(
                            details(
                                cx,
                                client,
                                if arn.is_empty() { trail.name().unwrap_or_default() } else { arn },
                            )
                            .await,
                        ),
                        false => None,
                    };
                    Trail {
                        name: trail.name().unwrap_or_default().to_owned(),
                        arn: arn.to_owned(),
                        home_region: home.to_owned(),
                        multi_region: trail.is_multi_region_trail().unwrap_or(false),
                        organization: trail.is_organization_trail().unwrap_or(false),
                        details,
                    }
                }
            }))
            .await,
        ),
    };
    Box::new(move |inventory| inventory.trails = trails)
}

/// `cloudtrail:GetTrailStatus` and `cloudtrail:GetEventSelectors` of the trail named by `arn`.
async fn details(cx: &Cx, client: &Client, arn: &str) -> TrailDetails {
    let (status, selectors) = futures::join!(
        cx.call("cloudtrail:GetTrailStatus", client.get_trail_status().name(arn).send()),
        cx.call("cloudtrail:GetEventSelectors", client.get_event_selectors().trail_name(arn).send()),
    );
    TrailDetails {
        is_logging: status.map(|status| status.is_logging().unwrap_or(false)).into(),
        management_events: selectors.map(|selectors| management_events(&selectors)).into(),
    }
}

/// The management events a trail's selectors log. Basic selectors: those with `IncludeManagementEvents`
/// (default true) log reads, writes or both by `ReadWriteType` (default All), less their
/// `ExcludeManagementEventSources`. Advanced selectors: those whose `eventCategory` equals `Management` log
/// the reads and writes their `readOnly` field admits (both without it); an `eventSource` NotEquals
/// excludes sources, and any other `eventSource` filter makes the selector log only some sources, which is
/// not counted (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html,
/// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
pub fn management_events(answer: &GetEventSelectorsOutput) -> ManagementEvents {
    let mut events = ManagementEvents::default();
    for selector in answer.event_selectors() {
        if !selector.include_management_events().unwrap_or(true) {
            continue;
        }
        let kind = selector.read_write_type().unwrap_or(&ReadWriteType::All);
        events.read |= matches!(kind, ReadWriteType::All | ReadWriteType::ReadOnly);
        events.write |= matches!(kind, ReadWriteType::All | ReadWriteType::WriteOnly);
        events.excluded_sources.extend(selector.exclude_management_event_sources().iter().cloned());
    }
    for selector in answer.advanced_event_selectors() {
        advanced(selector, &mut events);
    }
    events.excluded_sources.sort();
    events.excluded_sources.dedup();
    events
}

fn advanced(selector: &AdvancedEventSelector, events: &mut ManagementEvents) {
    let fields = selector.field_selectors();
    let field = |name: &str| fields.iter().find(|field| field.field() == name);
    let management =
        field("eventCategory").is_some_and(|category| category.equals().iter().any(|v| v == "Management"));
    if !management {
        return;
    }
    if let Some(source) = field("eventSource") {
        if !source.equals().is_empty() || !source.starts_with().is_empty() || !source.ends_with().is_empty() {
            events.only_some_sources = true;
            return;
        }
        events.excluded_sources.extend(source.not_equals().iter().cloned());
        events.excluded_sources.extend(source.not_starts_with().iter().map(|prefix| format!("{prefix}*")));
        events.excluded_sources.extend(source.not_ends_with().iter().map(|suffix| format!("*{suffix}")));
    }
    let read_only = field("readOnly").map(|read_only| read_only.equals());
    match read_only {
        None => {
            events.read = true;
            events.write = true;
        }
        Some(values) => {
            events.read |= values.iter().any(|value| value.eq_ignore_ascii_case("true"));
            events.write |= values.iter().any(|value| value.eq_ignore_ascii_case("false"));
        }
    }
}
