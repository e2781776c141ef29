//! [`OrgAccount`]: one member account of an AWS Organization as `guardline scan --org` lists it (name, OU
//! placement, tags), and [`ShardRecord`], what a shard of an organisation scan writes per account for
//! `guardline merge`.
//!
//! Not part of a [`crate::Snapshot`]: the snapshot stays the inventory of one account, read from inside it;
//! where the account sits in the organisation is read from the management (or delegated administrator)
//! account and travels beside it.
//!
//! [`OrgServices`]: the organisation-wide setup of the security services (delegated administrators and
//! their auto-enable settings), read from the management account and the delegated administrator by
//! `fix --org`, which plans the AWS-native organisation setup from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Snapshot;

/// The `format` tag of a shard's per-account file.
pub const SHARD_RECORD_FORMAT: &str = "guardline-org-account";
/// The version of [`ShardRecord`] this build reads and writes.
pub const SHARD_RECORD_VERSION: u32 = 1;

/// A member account of the organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgAccount {
    /// The 12-digit account ID.
    pub id: String,
    /// The account's name in Organizations.
    pub name: String,
    pub email: String,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, ...
    pub status: String,
    /// The OU path by names, root first, e.g. `Root/Workloads/Prod` (just `Root` for an account at the root).
    pub ou_path: String,
    /// The IDs along the path, root first, e.g. `["r-ab12", "ou-ab12-11111111", "ou-ab12-22222222"]`.
    pub ou_ids: Vec<String>,
    /// The account's tags in Organizations.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// What one shard of `scan --org --shard I/N` writes for one account: its place in the organisation, the
/// role used, and its snapshot or the reason it could not be collected. `guardline merge` evaluates these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardRecord {
    /// Always [`SHARD_RECORD_FORMAT`].
    pub format: String,
    /// [`SHARD_RECORD_VERSION`].
    pub version: u32,
    pub account: OrgAccount,
    /// The snapshot, or why there is none (the account is then NOT EVALUATED).
    pub outcome: ShardOutcome,
}

/// A collected snapshot, or the reason the account could not be scanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShardOutcome {
    Snapshot(Box<Snapshot>),
    NotEvaluated {
        reason: String,
        /// When the attempt was made.
        at: jiff::Timestamp,
    },
}

impl ShardRecord {
    pub fn new(account: OrgAccount, outcome: ShardOutcome) -> ShardRecord {
        ShardRecord {
            format: SHARD_RECORD_FORMAT.to_owned(),
            version: SHARD_RECORD_VERSION,
            account,
            outcome,
        }
    }

    /// Reads a record, refusing other formats and versions.
    pub fn from_json(text: &str) -> Result<ShardRecord, String> {
        let record: ShardRecord =
            serde_json::from_str(text).map_err(|error| format!("not a Guardline shard record: {error}"))?;
        if record.format != SHARD_RECORD_FORMAT || record.version != SHARD_RECORD_VERSION {
            return Err(format!(
                "a {} version {} record; this build reads {SHARD_RECORD_FORMAT} version {SHARD_RECORD_VERSION}",
                record.format, record.version
            ));
        }
        if let ShardOutcome::Snapshot(snapshot) = &record.outcome
            && snapshot.version != crate::SNAPSHOT_VERSION
        {
            return Err(format!(
                "its snapshot is version {}; this build reads version {}",
                snapshot.version,
                crate::SNAPSHOT_VERSION
            ));
        }
        Ok(record)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a shard record always serialises") + "\n"
    }
}

/// The organisation-wide setup of the security services, per region, as the management account and the
/// delegated administrator see it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OrgServices {
    /// Per scanned region.
    pub regions: BTreeMap<String, OrgRegionServices>,
    /// Security Hub's delegated administrators (status `ENABLED`) in the home region
    /// (`securityhub:ListOrganizationAdminAccounts`, read in the management account).
    pub security_hub_admins: crate::Collected<Vec<String>>,
    /// The organisation's Security Hub configuration type as the administrator reads it in the home region
    /// (`securityhub:DescribeOrganizationConfiguration`): `CENTRAL` or `LOCAL`; `None` when there is no
    /// administrator yet.
    pub security_hub_configuration: crate::Collected<Option<String>>,
    /// The service principals with trusted access in Organizations
    /// (`organizations:ListAWSServiceAccessForOrganization`).
    pub trusted_access: crate::Collected<Vec<String>>,
    /// IAM Access Analyzer's delegated administrators
    /// (`organizations:ListDelegatedAdministrators --service-principal access-analyzer.amazonaws.com`).
    pub analyzer_admins: crate::Collected<Vec<String>>,
    /// AWS Config's delegated administrators for aggregators
    /// (`organizations:ListDelegatedAdministrators --service-principal config.amazonaws.com`).
    pub config_admins: crate::Collected<Vec<String>>,
    /// The organisation aggregator (one with an `OrganizationAggregationSource`) of the account that would hold
    /// it (Config's delegated administrator, else `[org] delegated-admin`, else the management account), in
    /// the home region (`config:DescribeConfigurationAggregators`); `None` when it has none.
    pub config_aggregator: crate::Collected<Option<String>>,
}

/// One region's organisation-wide security services.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct OrgRegionServices {
    /// GuardDuty's delegated administrators in the region whose status is `ENABLED`
    /// (`guardduty:ListOrganizationAdminAccounts`, read in the management account).
    pub guardduty_admins: crate::Collected<Vec<String>>,
    /// `AutoEnableOrganizationMembers` as the delegated administrator's detector reports it
    /// (`guardduty:DescribeOrganizationConfiguration`): `ALL`, `NEW` or `NONE`; `None` when there is no
    /// administrator yet, or the administrator has no detector in the region.
    pub guardduty_auto_enable: crate::Collected<Option<String>>,
    /// Amazon Inspector's delegated administrators in the region whose status is `ENABLED`
    /// (`inspector2:ListDelegatedAdminAccounts`, read in the management account).
    pub inspector_admins: crate::Collected<Vec<String>>,
    /// Whether EC2 scanning is auto-enabled for new members, as the administrator reads it
    /// (`inspector2:DescribeOrganizationConfiguration`); `None` when there is no administrator yet.
    pub inspector_auto_enable_ec2: crate::Collected<Option<bool>>,
}
