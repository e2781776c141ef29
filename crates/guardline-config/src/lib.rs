//! The guideline configuration (`guardline.toml`): profiles, account mapping, exceptions, parameters.
//!
//! - [`params`]: per-control parameters with the seed's defaults ([`Params`]).
//! - [`model`]: the validated configuration ([`Config`]) that the rest of Guardline reads, including the
//!   off-hours schedules ([`ScheduleConfig`], windows parsed by `guardline-schedule`).
//! - [`load()`] / [`parse()`]: read a file into a [`Config`], or report every problem in it ([`ConfigErrors`],
//!   see [`error`]); the serde shapes of the file live in `raw`, inheritance in `resolve`.
//! - [`org`]: `[org]` and the account selectors and OU/tag matchers of `scan --org`.
//! - [`production`]: the fail-safe production match ([`ProductionTag`]) every production guard uses.
//! - [`pin`]: the account pin every write action checks ([`check_write_target`]).
//! - [`starter_config`]: the commented file `guardline init` writes.
//! - [`watch`]: `[watch]`, the alert router's channels (secrets only by reference), sources, feeds and routes
//!   ([`WatchConfig`]); validated in `load/watch.rs`.
//!
//! Architecture Invariant: this crate does no IO beyond reading the one file it is given, and knows nothing of
//! AWS SDK types. Every error it reports names the file and line. It does not depend on the rules crate: the
//! caller passes the known control IDs.

pub mod error;
pub mod fix;
pub mod hold;
mod load;
pub mod model;
pub mod org;
pub mod params;
pub mod pin;
pub mod production;
mod raw;
mod resolve;
pub mod schema;
mod starter;
pub mod watch;

/// The ranges of the numeric settings the config and the command line share.
pub mod limits {
    /// Concurrent API calls (`[scan] concurrency`, `--concurrency`).
    pub const MAX_CONCURRENCY: usize = 1024;
    /// Attempts per API call (`[scan] max-attempts`, `--max-attempts`).
    pub const MAX_ATTEMPTS: u32 = 20;
    /// Seconds per API call attempt (`[scan] call-timeout-secs`, `--call-timeout`).
    pub const MAX_CALL_TIMEOUT_SECS: u64 = 3600;
    /// Accounts scanned at once (`[org] account-concurrency`, `--account-concurrency`).
    pub const MAX_ACCOUNT_CONCURRENCY: usize = 256;
}

pub use error::{ConfigError, ConfigErrors, ConfigReport};
pub use fix::{FixSettings, SecurityContact};
pub use load::{BUILTIN_PROFILE, load, parse};
pub use model::{
    AccountEntry, Config, ControlSetting, Exception, InstallMethod, Level, NotEvaluatedPolicy, Profile,
    ResourcePattern, ScanSettings, ScheduleConfig,
};
pub use org::{AccountFacts, AccountSelector, OrgSettings, OuMatch};
pub use params::{Params, PasswordMinimums, RegionScope, TagMatch};
pub use pin::{LiveAccount, PinError, PinMatch, check_member_target, check_write_target, pinned_alias};
pub use production::ProductionTag;
pub use starter::starter_config;
pub use watch::WatchConfig;
