//! End-to-end tests of the `guardline` binary (one integration test binary, ripgrep-style).

/// Running the binary and redacting volatile values.
mod support;

/// IAM permission checks on: denied services become NOT EVALUATED, the rest is evaluated.
mod access_denied;
/// `cost` against moto: seeded spend by service and a budget; what moto lacks is "not available".
mod cost;
/// `scan --demo`: the bundled demo report in every format and language.
mod demo;
/// Scan history: `scan` records, `history` lists, `diff` compares; `exceptions` reviews expiries.
mod history;
/// `scan` and `collect` against a seeded account on moto server.
mod moto_scan;
/// Commands that need no AWS: rule, init, iam-policy, bad snapshots and configs.
mod offline;
/// `scan --send-to-security-hub`: findings imported per region on moto, updated (not duplicated) on re-import.
mod security_hub;
