//! One module per AWS service. Each exposes `collect` returning a part that fills its fields of the
//! inventory; [`global_tasks`] and [`region_tasks`] list them.
//!
//! Conventions for every collector:
//! - every SDK call goes through [`Cx::call`] with the IAM action it needs (listed in [`crate::api::ACTIONS`]);
//! - every list is paginated to the end;
//! - an answer that means "not configured" (e.g. `NoSuchEntity` for the password policy) is data, not an
//!   error; anything else that fails becomes the field's [`guardline_model::CollectError`].

use aws_config::SdkConfig;
use futures::future::BoxFuture;
use guardline_model::inventory::{GlobalInventory, RegionInventory};

use crate::cx::Cx;

pub mod account;
pub mod analyzer;
pub mod cloudtrail;
pub mod config;
pub mod cost;
pub mod ec2;
pub mod events;
pub mod guardduty;
pub mod iam;
pub mod iam_access;
pub mod inspector;
pub mod organizations;
pub mod s3;
pub mod scheduler;
pub mod securityhub;
pub mod spend;
pub mod ssm;
pub mod sts;

/// Fills account-wide fields.
pub type GlobalPart = Box<dyn FnOnce(&mut GlobalInventory) + Send>;
/// Fills one region's fields.
pub type RegionPart = Box<dyn FnOnce(&mut RegionInventory) + Send>;

/// The account-wide collectors.
pub(crate) fn global_tasks<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    tasks: &mut Vec<(&'static str, BoxFuture<'a, GlobalPart>)>,
) {
    tasks.push(("iam", Box::pin(iam::collect(cx, config))));
    tasks.push(("iam-access", Box::pin(iam_access::collect(cx, config))));
    tasks.push(("organizations", Box::pin(organizations::collect(cx, config))));
    tasks.push(("account", Box::pin(account::collect(cx, config))));
    tasks.push(("s3", Box::pin(s3::collect(cx, config))));
    tasks.push(("cost", Box::pin(cost::collect(cx, config))));
}

/// The collectors of one region; `config` is set to that region, `scanned` is every region of the scan.
pub(crate) fn region_tasks<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    region: &'a str,
    scanned: &'a [String],
    tasks: &mut Vec<(&'static str, BoxFuture<'a, RegionPart>)>,
) {
    tasks.push(("ec2", Box::pin(ec2::collect(cx, config, region))));
    tasks.push(("ssm", Box::pin(ssm::collect(cx, config, region))));
    tasks.push(("scheduler", Box::pin(scheduler::collect(cx, config, region))));
    tasks.push(("config", Box::pin(config::collect(cx, config, region))));
    tasks.push(("events", Box::pin(events::collect(cx, config, region))));
    tasks.push(("guardduty", Box::pin(guardduty::collect(cx, config, region))));
    tasks.push(("securityhub", Box::pin(securityhub::collect(cx, config, region))));
    tasks.push(("inspector", Box::pin(inspector::collect(cx, config, region))));
    tasks.push(("access-analyzer", Box::pin(analyzer::collect(cx, config, region))));
    tasks.push(("cloudtrail", Box::pin(cloudtrail::collect(cx, config, region, scanned))));
}
