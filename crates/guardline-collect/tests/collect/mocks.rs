//! Helpers for the aws-smithy-mocks tests: the operations moto lacks are tested against mocked clients,
//! through each collector's `collect_with`.

use std::time::Duration;

use aws_smithy_types::retry::RetryConfig;
use guardline_collect::cx::Cx;
use guardline_collect::services::RegionPart;
use guardline_model::inventory::RegionInventory;

/// The account the mocked calls belong to.
pub const ACCOUNT: &str = "123456789012";
/// Attempts per call in mocked clients.
pub const ATTEMPTS: u32 = 3;

/// A fresh collection context for one mocked account.
pub fn cx() -> Cx {
    Cx::new(ACCOUNT, "aws", 4)
}

/// Standard retries, [`ATTEMPTS`] attempts, with a tiny backoff so that the throttling tests stay fast.
pub fn retries() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(ATTEMPTS).with_initial_backoff(Duration::from_millis(1))
}

/// The inventory a collector's part fills in.
pub fn apply(part: RegionPart) -> RegionInventory {
    let mut inventory = RegionInventory::default();
    part(&mut inventory);
    inventory
}

/// A JSON-protocol error body (awsJson and restJson both read `__type`).
pub fn error_body(code: &str, message: &str) -> Option<String> {
    Some(format!(r#"{{"__type":"{code}","message":"{message}"}}"#))
}
