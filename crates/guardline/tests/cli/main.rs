//! End-to-end tests of the `guardline` binary (one integration test binary, ripgrep-style).

/// Running the binary and redacting volatile values.
mod support;

/// IAM permission checks on: denied services become NOT EVALUATED, the rest is evaluated.
mod access_denied;
/// `cost` against moto: seeded spend by service and a budget; what moto lacks is "not available".
mod cost;
/// `scan --demo`: the bundled demo report in every format and language.
mod demo;
/// A fault-injecting proxy between the binary and moto (test-only).
mod fault_proxy;
/// The scan under injected faults (throttling, 5xx, dropped connections, a failing or hung service).
mod faults;
/// `fix` against moto: plan, apply, rescan passes; idempotent; pin checks; a failing step stops the plan.
mod fix;
/// Scan history: `scan` records, `history` lists, `diff` compares; `exceptions` reviews expiries.
mod history;
/// `scan` and `collect` against a seeded account on moto server.
mod moto_scan;
/// Commands that need no AWS: rule, init, iam-policy, bad snapshots and configs.
mod offline;
/// `schedule plan|apply|run|status`: the off-hours scheduler installed on moto, run at fixed times, and checked
/// by the scan (SCHED-001); the pin and the production guard refuse before any write.
mod schedule;
/// `scan --send-to-security-hub`: findings imported per region on moto, updated (not duplicated) on re-import.
mod security_hub;
/// `watch`: alerts from feeds to Slack, Teams and mail through local servers; crash, restart and SIGTERM.
mod watch;
/// The local HTTP and SMTP servers of guardline-watch's tests, shared with `watch`.
#[path = "../../../guardline-watch/tests/watch/servers.rs"]
mod watch_servers;
