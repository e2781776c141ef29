//! End-to-end tests of the `guardline` binary (one integration test binary, ripgrep-style).

/// Running the binary and redacting volatile values.
mod support;

/// IAM permission checks on: denied services become NOT EVALUATED, the rest is evaluated.
mod access_denied;
/// `--help`'s exit codes and environment, colour (NO_COLOR, CLICOLOR_FORCE), `--quiet`, completions, man, schema.
mod conventions;
/// `cost` against moto: seeded spend by service and a budget; what moto lacks is "not available".
mod cost;
/// The independent cross-check of verdicts against the AWS documentation (`tests/crosscheck/`).
mod crosscheck;
/// `scan --demo`: the bundled demo report in every format and language.
mod demo;
/// The deploy/ manifests: validated (Kubernetes schemas, botocore) and their scripts run end to end.
mod deploy;
/// A fault-injecting proxy between the binary and moto (test-only).
mod fault_proxy;
/// The scan under injected faults (throttling, 5xx, dropped connections, a failing or hung service).
mod faults;
/// The files Guardline writes: reports 0600 unless `--report-mode`, `--output-dir` never through a symlink.
mod files;
/// `fix` against moto: plan, apply, rescan passes; idempotent; pin checks; a failing step stops the plan.
mod fix;
/// `fix --org` and `org plan-roles --org` on an emulated organisation: one plan grouped by account, members
/// pinned by the listing, applied from the management account, then `scan --org` passes in every member.
mod fix_org;
/// Scan history: `scan` records, `history` lists, `diff` compares; `exceptions` reviews expiries.
mod history;
/// `--lang ja` (and the locale's default) on the commands that print for people: rule, fix, exceptions,
/// history, the HTML report.
mod japanese;
/// Reports that lead the reader: fix first, next commands, the report-written line; selecting controls.
mod lead;
/// `scan` and `collect` against a seeded account on moto server.
mod moto_scan;
/// NOT APPLICABLE: a standalone account and the organisation controls, with and without `require-organization`.
mod not_applicable;
/// Commands that need no AWS: rule, init, iam-policy, bad snapshots and configs.
mod offline;
/// `org switch-roles` and `org plan-roles` on moto: profiles, links, the config merge, the roles created once.
mod org_roles;
/// `scan --org` on an emulated organisation: profiles by OU and tag, selection, shards and merge, a member
/// whose role cannot be assumed.
mod org_scan;
/// `schedule plan|apply|run|status`: the off-hours scheduler installed on moto, run at fixed times, and checked
/// by the scan (SCHED-001); the pin and the production guard refuse before any write.
mod schedule;
/// `schedule run|status --org`: schedules by OU in member accounts, production never stopped, pins refuse all.
mod schedule_org;
/// No secret (webhook URL, token, SMTP password) in any report, log line, watch output or database.
mod secrets;
/// `scan --send-to-security-hub`: findings imported per region on moto, updated (not duplicated) on re-import.
mod security_hub;
/// Reaching the account: `--role-arn`, region names checked first, unreachable endpoints and missing
/// credentials in words.
mod targeting;
/// `fix --apply` confirmed at a pseudo-terminal's prompt: a wrong account ID refused, the right one applied.
mod tty;
/// `watch`: alerts from feeds to Slack, Teams and mail through local servers; crash, restart and SIGTERM.
mod watch;
/// `watch` with GuardDuty findings from moto (test extension) to Slack, Teams and mail: the bar.
mod watch_aws;
/// `watch`'s `changes` source on moto: a port opened to the world alerts naming who opened it, closing it
/// resolves, a duplicate alerts once, a SIGKILL before the messages are deleted loses and doubles nothing.
mod watch_changes;
/// `watch --org` from GuardDuty's delegated administrator: a member's finding reaches its OU's channel.
mod watch_org;
/// The local HTTP and SMTP servers of guardline-watch's tests, shared with `watch`.
#[path = "../../../guardline-watch/tests/watch/servers.rs"]
mod watch_servers;
/// The write guard: one identity reads and writes, saved plans, dependent steps, fixes that never weaken.
mod write_guard;
