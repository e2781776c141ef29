//! The EC2 side of the scheduler: which instances of a region a selector matches now ([`matching`]), whether
//! one carries the production tag, the tags it carries at the moment of a call ([`current_tags`]), and the
//! stop/start calls `schedule run` makes, one instance per call ([`stop`], [`start`]).

use std::collections::BTreeMap;

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::Filter;
use guardline_config::{ProductionTag, TagMatch};
use guardline_model::CollectError;

use crate::call::call;

/// An instance a schedule's selector matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selected {
    pub id: String,
    /// `pending`, `running`, `stopping`, `stopped`.
    pub state: String,
    pub tags: BTreeMap<String, String>,
}

impl Selected {
    /// `i-0123 (web-dev)`, or the ID alone without a Name tag.
    pub fn label(&self) -> String {
        match self.tags.get("Name") {
            Some(name) => format!("{} ({name})", self.id),
            None => self.id.clone(),
        }
    }

    /// `Tier=prod` when the instance carries the production tag (as written on the instance).
    pub fn production_tag(&self, production: &ProductionTag) -> Option<String> {
        production.describe_match(&self.tags)
    }
}

/// The live instances (not terminated or shutting down) whose tags match `select`, compared as [`TagMatch`]
/// does (case-insensitively), sorted by ID.
pub async fn matching(ec2: &Client, select: &TagMatch) -> Result<Vec<Selected>, CollectError> {
    let pages = call(
        "ec2:DescribeInstances",
        ec2.describe_instances()
            .filters(Filter::builder().name("tag-key").values(&select.key).build())
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    let mut selected: Vec<Selected> = pages
        .iter()
        .flat_map(|page| page.reservations())
        .flat_map(|reservation| reservation.instances())
        .filter_map(|instance| {
            let state =
                instance.state().and_then(|state| state.name()).map(|name| name.as_str().to_owned())?;
            let tags: BTreeMap<String, String> = instance
                .tags()
                .iter()
                .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned())))
                .collect();
            let live = !matches!(state.as_str(), "terminated" | "shutting-down");
            (live && select.matches(&tags)).then(|| Selected {
                id: instance.instance_id().unwrap_or_default().to_owned(),
                state,
                tags,
            })
        })
        .collect();
    selected.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(selected)
}

/// The tags `id` carries now (`ec2:DescribeTags` filtered on the instance, every page): what `schedule run`
/// checks immediately before it stops or starts the instance, since the listing may be older than a tag.
pub async fn current_tags(ec2: &Client, id: &str) -> Result<BTreeMap<String, String>, CollectError> {
    let tags = call(
        "ec2:DescribeTags",
        ec2.describe_tags()
            .filters(Filter::builder().name("resource-id").values(id).build())
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )
    .await?;
    Ok(tags
        .iter()
        .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value().unwrap_or_default().to_owned())))
        .collect())
}

/// Stops one instance; the state it is now in.
pub async fn stop(ec2: &Client, id: &str) -> Result<String, CollectError> {
    let output = call("ec2:StopInstances", ec2.stop_instances().instance_ids(id).send()).await?;
    Ok(now_in(output.stopping_instances(), id))
}

/// Starts one instance; the state it is now in.
pub async fn start(ec2: &Client, id: &str) -> Result<String, CollectError> {
    let output = call("ec2:StartInstances", ec2.start_instances().instance_ids(id).send()).await?;
    Ok(now_in(output.starting_instances(), id))
}

/// The current state `changes` report for `id`, `requested` when they do not name it.
fn now_in(changes: &[aws_sdk_ec2::types::InstanceStateChange], id: &str) -> String {
    changes
        .iter()
        .find(|change| change.instance_id() == Some(id))
        .and_then(|change| change.current_state()?.name())
        .map_or("requested".to_owned(), |name| name.as_str().to_owned())
}
