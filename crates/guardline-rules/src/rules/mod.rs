//! One module per guideline section, one file per control.

pub mod cost;
pub mod detection;
pub mod mistakes;
pub mod org;
pub mod security;
