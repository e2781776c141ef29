//! The starter `guardline.toml` that `guardline init` writes ([`starter_config`]).
//!
//! The text lives in `starter.toml` next to this file, so it can be read and edited as TOML. It records the
//! seed guideline's own choices (profiles production, development and sandbox; Tokyo as the home region;
//! GuardDuty alerts from severity 7.0; the off-hours tags) and cites the seed's item numbers. A test parses it
//! with [`crate::parse`], with and without its commented-out examples.

/// The commented starter configuration.
pub fn starter_config() -> &'static str {
    include_str!("starter.toml")
}
