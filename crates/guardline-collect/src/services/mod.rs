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

/// The names of the account-wide collectors, in the order they run.
pub const GLOBAL_COLLECTORS: &[&str] = &["iam", "iam-access", "organizations", "account", "s3", "cost"];

/// The names of the per-region collectors, in the order they run.
pub const REGION_COLLECTORS: &[&str] = &[
    "ec2",
    "ssm",
    "scheduler",
    "config",
    "events",
    "guardduty",
    "securityhub",
    "inspector",
    "access-analyzer",
    "cloudtrail",
];

/// The account-wide collector called `name` (one of [`GLOBAL_COLLECTORS`]).
pub(crate) fn global_task<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    name: &str,
) -> Option<BoxFuture<'a, GlobalPart>> {
    Some(match name {
        "iam" => Box::pin(iam::collect(cx, config)),
        "iam-access" => Box::pin(iam_access::collect(cx, config)),
        "organizations" => Box::pin(organizations::collect(cx, config)),
        "account" => Box::pin(account::collect(cx, config)),
        "s3" => Box::pin(s3::collect(cx, config)),
        "cost" => Box::pin(cost::collect(cx, config)),
        _ => return None,
    })
}

/// The collector of one region called `name` (one of [`REGION_COLLECTORS`]); `config` is set to that
/// region, `scanned` is every region of the scan.
pub(crate) fn region_task<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    region: &'a str,
    scanned: &'a [String],
    name: &str,
) -> Option<BoxFuture<'a, RegionPart>> {
    Some(match name {
        "ec2" => Box::pin(ec2::collect(cx, config, region)),
        "ssm" => Box::pin(ssm::collect(cx, config, region)),
        "scheduler" => Box::pin(scheduler::collect(cx, config, region)),
        "config" => Box::pin(config::collect(cx, config, region)),
        "events" => Box::pin(events::collect(cx, config, region)),
        "guardduty" => Box::pin(guardduty::collect(cx, config, region)),
        "securityhub" => Box::pin(securityhub::collect(cx, config, region)),
        "inspector" => Box::pin(inspector::collect(cx, config, region)),
        "access-analyzer" => Box::pin(analyzer::collect(cx, config, region)),
        "cloudtrail" => Box::pin(cloudtrail::collect(cx, config, region, scanned)),
        _ => return None,
    })
}

/// The account-wide collectors.
pub(crate) fn global_tasks<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    tasks: &mut Vec<(&'static str, BoxFuture<'a, GlobalPart>)>,
) {
    for name in GLOBAL_COLLECTORS {
        tasks.push((name, global_task(cx, config, name).expect("every listed collector exists")));
    }
}

/// The collectors of one region; `config` is set to that region, `scanned` is every region of the scan.
pub(crate) fn region_tasks<'a>(
    cx: &'a Cx,
    config: &'a SdkConfig,
    region: &'a str,
    scanned: &'a [String],
    tasks: &mut Vec<(&'static str, BoxFuture<'a, RegionPart>)>,
) {
    for name in REGION_COLLECTORS {
        tasks.push((
            name,
            region_task(cx, config, region, scanned, name).expect("every listed collector exists"),
        ));
    }
}
