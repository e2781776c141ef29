//! The guideline configuration (`guardline.toml`): profiles, account mapping, exceptions, parameters.
//!
//! - [`params`]: per-control parameters with the seed's defaults ([`Params`]).
//! - [`model`]: the validated configuration ([`Config`]) that the rest of Guardline reads.
//!
//! Architecture Invariant: this crate does no IO beyond reading the one file it is given, and knows nothing of
//! AWS SDK types. Every error it reports names the file and line.

pub mod model;
pub mod params;

pub use model::{
    AccountEntry, Config, ControlSetting, Exception, Level, NotEvaluatedPolicy, Profile, ResourcePattern,
    ScanSettings,
};
pub use params::{Params, PasswordMinimums, RegionScope, TagMatch};
