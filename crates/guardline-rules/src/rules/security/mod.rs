//! Section 2: security hardening.

pub mod security_group_open_to_world;
