//! The command line, declared with clap's derive API; `///` comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Guardline audits AWS accounts against a security guideline, control by control.
#[derive(Debug, Parser)]
#[command(name = "guardline", version, about, propagate_version = true, after_help = AFTER_HELP)]
pub struct Cli {
    /// More diagnostics on stderr (-v info, -vv debug); GUARDLINE_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Only warnings and errors on stderr: no progress bar, no informational lines ("wrote ...").
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit an account (or a snapshot, or the bundled demo) against the guideline.
    Scan(Box<ScanArgs>),
    /// Collect an account's inventory into a snapshot file, for `scan --snapshot`.
    Collect(CollectArgs),
    /// Explain a control (or list them all).
    Rule(RuleArgs),
    /// Write a commented starter guardline.toml, and guardline.schema.json beside it for editors.
    Init(InitArgs),
    /// Print the least-privilege IAM policy a command needs (default: the read-only one of `scan`).
    IamPolicy(IamPolicyArgs),
    /// List the scans recorded in the history database.
    History(HistoryArgs),
    /// Compare two recorded scans: new failures, resolved failures, failures still there.
    Diff(DiffArgs),
    /// List the config's exceptions that expired or expire soon, for their periodic review.
    Exceptions(ExceptionsArgs),
    /// Show the bill: spend by service this month and last, the forecast, budgets, cost anomalies.
    Cost(CostArgs),
    /// Plan the automated fixes of the failing controls; apply them with --apply on the pinned account.
    Fix(FixArgs),
    /// The off-hours scheduler of `[schedules]`: install it in AWS, run it from cron, show what it covers.
    Schedule(ScheduleArgs),
    /// Route alerts (GuardDuty, Security Hub, Inspector, Health, AWS status, vulnerability feeds) to Slack,
    /// Teams and mail, each once per channel, nothing lost across restarts.
    Watch(WatchArgs),
    /// Combine the outputs of `scan --org --shard I/N` runs into one organisation report.
    Merge(MergeArgs),
    /// The organisation's switch-role setup (guideline 3-2): CLI profiles and console links, and the roles.
    Org(OrgCommandArgs),
    /// Print a shell completion script on stdout (bash, zsh, fish, powershell, elvish).
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout, or write one page per command into --out-dir.
    Man(ManArgs),
    /// Print the JSON Schema of guardline.toml (the one `guardline init` writes beside the config).
    Schema,
}

/// The top-level help's closing section: exit codes and the environment variables every command reads.
const AFTER_HELP: &str = "\
Exit codes:
  0  success: every adopted control passes (scan, merge), or the command did what it was asked
  1  scan, merge: an adopted control at level fail fails, or is NOT EVALUATED (unless [scan] not-evaluated =
     \"warn\"); watch --once: a source could not be polled or a send failed (it stays queued)
  2  Guardline itself failed: a usage error, an invalid config, no credentials, a refused write, IO

Environment:
  NO_COLOR        set and not empty: no colour on stdout or stderr (wins over CLICOLOR_FORCE)
  CLICOLOR_FORCE  set and not 0: colour on stdout and stderr even when they are not terminals
  GUARDLINE_LOG   the log filter on stderr (e.g. debug, or guardline_collect=debug), over -v
  GUARDLINE_LANG  the reports' language (en, ja), like --lang";

/// How to reach AWS.
#[derive(Debug, Clone, Args)]
pub struct AwsArgs {
    /// AWS profile from the shared config (default: the standard credential chain).
    #[arg(long, env = "AWS_PROFILE", help_heading = "AWS")]
    pub profile: Option<String>,
    /// Scan only this region (repeatable); default: every enabled region, or `[scan] regions`.
    #[arg(long = "region", value_name = "REGION", help_heading = "AWS", value_parser = region_name)]
    pub region: Vec<String>,
    /// Scan only these regions, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "REGION,...", help_heading = "AWS", value_parser = region_name)]
    pub regions: Vec<String>,
    /// Concurrent API calls at most, 1 to 1024 (default: `[scan] concurrency`, 16).
    #[arg(long, help_heading = "AWS", value_parser = |text: &str| bounded(text, 1usize, MAX_CONCURRENCY))]
    pub concurrency: Option<usize>,
    /// Attempts per API call, 1 to 20; throttling and 5xx are retried with backoff (default 5).
    #[arg(long, help_heading = "AWS", value_parser = |text: &str| bounded(text, 1u32, MAX_ATTEMPTS))]
    pub max_attempts: Option<u32>,
    /// Seconds one API call attempt may take, 1 to 3600 (default 30).
    #[arg(
        long,
        value_name = "SECONDS",
        help_heading = "AWS",
        value_parser = |text: &str| bounded(text, 1u64, MAX_CALL_TIMEOUT_SECS)
    )]
    pub call_timeout: Option<u64>,
    /// Assume this IAM role first and work in its account, e.g. `arn:aws:iam::123456789012:role/Audit` (as
    /// Prowler's `-R`): the profile's credentials only call `sts:AssumeRole`.
    #[arg(long, value_name = "ARN", help_heading = "AWS")]
    pub role_arn: Option<String>,
    /// The environment variable that holds the external ID the assumed roles' trust policies require: the
    /// --role-arn role's, and with `scan --org` the member roles' (default there: `[org] external-id-env`).
    /// An external ID is a secret: never on the command line.
    #[arg(long, value_name = "VAR", help_heading = "AWS")]
    pub external_id_env: Option<String>,
    /// No progress bar on stderr.
    #[arg(long)]
    pub no_progress: bool,
}

impl AwsArgs {
    /// The regions named on the command line, if any.
    pub fn requested_regions(&self) -> Option<Vec<String>> {
        let regions: Vec<String> = self.region.iter().chain(&self.regions).cloned().collect();
        (!regions.is_empty()).then_some(regions)
    }
}

/// The safety switches of every command that writes to AWS.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Make the changes; without it, only the plan is shown.
    #[arg(long, help_heading = "Safety")]
    pub apply: bool,
    /// Do not ask for confirmation (needed with --apply when stdin is not a terminal).
    #[arg(long, requires = "apply", help_heading = "Safety")]
    pub yes: bool,
    /// The account ID you mean to change; required when the config pins no account by ID, and checked
    /// against the live account when given.
    #[arg(long, value_name = "ID", help_heading = "Safety")]
    pub account_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by guideline section, for people.
    Terminal,
    /// Everything, for tools.
    Json,
}

/// The formats of a scan report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Grouped by guideline section, for people.
    Terminal,
    /// Everything, for tools.
    Json,
    /// One self-contained page with section scores and filters, for people and managers.
    Html,
    /// One row per finding.
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// OCSF 1.5 Detection Findings.
    Ocsf,
    /// AWS Security Finding Format, as BatchImportFindings takes it.
    Asff,
    /// JUnit XML: one test case per control and resource, for CI dashboards.
    Junit,
}

impl ReportFormat {
    /// The file name a report of this format gets in `--output-dir`.
    /// The report's media type, for S3 (`--output s3://...`).
    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "text/plain; charset=utf-8",
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Junit => "application/xml",
            ReportFormat::Json | ReportFormat::Sarif | ReportFormat::Ocsf | ReportFormat::Asff => {
                "application/json"
            }
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Terminal => "guardline-report.txt",
            ReportFormat::Json => "guardline-report.json",
            ReportFormat::Html => "guardline-report.html",
            ReportFormat::Csv => "guardline-report.csv",
            ReportFormat::Sarif => "guardline-report.sarif",
            ReportFormat::Ocsf => "guardline-report.ocsf.json",
            ReportFormat::Asff => "guardline-report.asff.json",
            ReportFormat::Junit => "guardline-report.junit.xml",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    En,
    Ja,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which reports to write, where, and how (shared by `scan` and `merge`).
#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// Report format(s), comma-separated; several formats need --output-dir.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "terminal")]
    pub format: Vec<ReportFormat>,
    /// Write the report here instead of stdout (a file, or an S3 object `s3://bucket/key`).
    #[arg(long, short, value_name = "FILE", conflicts_with = "output_dir")]
    pub output: Option<PathBuf>,
    /// Write each format's report into this directory (or S3 prefix, `s3://bucket/prefix/`) as
    /// guardline-report.<ext>.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Language of messages and section titles (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
    /// List passing findings too, not just their count.
    #[arg(long)]
    pub show_pass: bool,
    /// Colour in the terminal report; auto: when stdout is a terminal (NO_COLOR, CLICOLOR_FORCE: see --help).
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Permissions of the report files written (octal): 0600 by default, since a report lists the account's
    /// weaknesses; 0644 to share them.
    #[arg(long, value_name = "MODE", default_value = "0600", value_parser = parse_mode)]
    pub report_mode: u32,
}

use guardline_config::limits::{
    MAX_ACCOUNT_CONCURRENCY, MAX_ATTEMPTS, MAX_CALL_TIMEOUT_SECS, MAX_CONCURRENCY,
};

/// A number from `min` to `max`: out of range is a usage error, never an overflow later.
fn bounded<T>(text: &str, min: T, max: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    match text.trim().parse::<T>() {
        Ok(value) if value >= min && value <= max => Ok(value),
        _ => Err(format!("`{text}` is not a whole number from {min} to {max}")),
    }
}

/// A region name such as `ap-northeast-1`; a name of another shape (`ap-northeast1`, `Tokyo`) is refused,
/// with the region it looks like. Whether the account has the region is checked when the scan starts.
fn region_name(text: &str) -> Result<String, String> {
    use guardline_model::partition::{KNOWN_REGIONS, closest_region, is_region_name};
    let name = text.trim();
    if is_region_name(name) {
        return Ok(name.to_owned());
    }
    match closest_region(name, KNOWN_REGIONS.iter().copied()) {
        Some(close) => Err(format!("`{text}` is not a region name; did you mean {close}?")),
        None => Err(format!("`{text}` is not a region name (like ap-northeast-1 or us-east-1)")),
    }
}

/// An octal file mode such as `0600` or `644`: permission bits only.
fn parse_mode(text: &str) -> Result<u32, String> {
    let mode = u32::from_str_radix(text.trim(), 8)
        .map_err(|_| format!("`{text}` is not an octal mode such as 0600"))?;
    if mode > 0o777 {
        return Err(format!("`{text}`: only permission bits (0000 to 0777)"));
    }
    Ok(mode)
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Evaluate this snapshot (from `guardline collect`) offline instead of calling AWS.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "org"])]
    pub snapshot: Option<PathBuf>,
    /// Evaluate the bundled demo account: no AWS credentials needed (with -c, under your config).
    #[arg(long, conflicts_with = "org")]
    pub demo: bool,
    /// The guideline config (default: ./guardline.toml if present, else every control adopted).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use this config profile whatever the account mapping says.
    #[arg(long, value_name = "NAME")]
    pub guideline_profile: Option<String>,
    /// Also save the collected snapshot to this file.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["snapshot", "demo", "org"])]
    pub save_snapshot: Option<PathBuf>,
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Evaluate exceptions' expiry as of this date instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
    #[command(flatten)]
    pub history: HistoryDbArgs,
    /// Do not record this scan in the history database (`--demo` never records).
    #[arg(long)]
    pub no_history: bool,
    /// Also collect the account's spend (as `guardline cost` does) and add a cost section to the HTML report;
    /// needs the ce:/budgets: read permissions `guardline iam-policy` lists. `--demo` always has one.
    #[arg(long, conflicts_with_all = ["snapshot", "demo", "org"])]
    pub cost: bool,
    /// Also import the findings (as ASFF) into AWS Security Hub, each in its finding's region (account-wide
    /// ones in us-east-1). This WRITES to AWS and needs securityhub:BatchImportFindings, beyond the read-only
    /// scan policy; Security Hub must be enabled in those regions. Re-importing updates the same findings.
    ///
    /// It goes through the write guard: the account must be pinned by the config's [[accounts]] or
    /// --account-id, and the import confirmed (--yes without a terminal).
    #[arg(long, conflicts_with_all = ["demo", "org"], help_heading = "Security Hub import")]
    pub send_to_security_hub: bool,
    /// Import without asking (needed with --send-to-security-hub when stdin is not a terminal).
    #[arg(long, requires = "send_to_security_hub", help_heading = "Security Hub import")]
    pub yes: bool,
    /// The account ID you mean to import into; required when the config pins no account by ID.
    #[arg(long, value_name = "ID", requires = "send_to_security_hub", help_heading = "Security Hub import")]
    pub account_id: Option<String>,
    /// Import a --snapshot of another account than the credentials reach, or one older than 24 hours
    /// (refused without this flag).
    #[arg(long, requires_all = ["send_to_security_hub", "snapshot"], help_heading = "Security Hub import")]
    pub force_snapshot: bool,
    #[command(flatten)]
    pub org: OrgArgs,
}

/// Which controls a scan evaluates (default: every one), as Prowler's `--checks`, `--excluded-checks` and
/// `--severity` select checks. The selections combine: a control must pass each one given.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectArgs {
    /// Evaluate only these controls, comma-separated (e.g. IAM-001,S3-002). A scan of some controls is not
    /// recorded in the history: the others would read as resolved.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", help_heading = "Selection")]
    pub controls: Vec<String>,
    /// Evaluate every control but these, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "ID,...", help_heading = "Selection")]
    pub exclude_controls: Vec<String>,
    /// Only the controls of these guideline sections: 1 cost, 2 security hardening, 3 preventing mistakes,
    /// 4 detection and response (comma-separated).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "N,...",
        value_parser = clap::value_parser!(u8).range(1..=4),
        help_heading = "Selection"
    )]
    pub section: Vec<u8>,
    /// Only the controls of these severities, comma-separated (e.g. high,critical).
    #[arg(long, value_delimiter = ',', value_enum, value_name = "SEVERITY,...", help_heading = "Selection")]
    pub severity: Vec<SeverityArg>,
}

impl SelectArgs {
    /// Whether any selection was given.
    pub fn is_partial(&self) -> bool {
        !(self.controls.is_empty()
            && self.exclude_controls.is_empty()
            && self.section.is_empty()
            && self.severity.is_empty())
    }
}

/// A control's severity, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl SeverityArg {
    pub fn severity(self) -> guardline_model::Severity {
        use guardline_model::Severity;
        match self {
            SeverityArg::Critical => Severity::Critical,
            SeverityArg::High => Severity::High,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::Low => Severity::Low,
            SeverityArg::Info => Severity::Info,
        }
    }
}

/// `scan --org`: every account of an AWS Organization in one report, or one shard of them.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    #[command(flatten)]
    pub targets: OrgTargetArgs,
    /// Scan only shard INDEX (0-based) of COUNT, and write its accounts' snapshots to --output-dir for
    /// `guardline merge` instead of a report. An account's shard is a hash of its ID modulo COUNT.
    #[arg(
        long,
        value_name = "INDEX/COUNT",
        value_parser = parse_shard,
        requires_all = ["org", "output_dir"],
        conflicts_with_all = ["controls", "exclude_controls", "section", "severity"],
        help_heading = "Organisation"
    )]
    pub shard: Option<Shard>,
}

/// `--org` and the accounts it reaches, shared by every organisation-wide command (`scan`, `fix`,
/// `org plan-roles`): the same listing, selectors and member role everywhere.
#[derive(Debug, Clone, Args)]
pub struct OrgTargetArgs {
    /// Act on the accounts of the AWS Organization (run from the management or a delegated administrator
    /// account): assume a role in each, work on them concurrently, one report or plan grouped by account.
    #[arg(long, help_heading = "Organisation")]
    pub org: bool,
    /// The role assumed in each member account (default: `[org] role-name`, OrganizationAccountAccessRole).
    #[arg(long, value_name = "NAME", requires = "org", help_heading = "Organisation")]
    pub role_name: Option<String>,
    /// The role session name (default: `[org] session-name`, guardline).
    #[arg(long, value_name = "NAME", requires = "org", help_heading = "Organisation")]
    pub session_name: Option<String>,
    /// Assume this audit role first and the member roles from it (role chaining).
    #[arg(long, value_name = "ARN", requires = "org", help_heading = "Organisation")]
    pub via_role: Option<String>,
    /// Accounts worked on at the same time at most, 1 to 256 (default: `[org] account-concurrency`, 4); each
    /// account makes at most --concurrency API calls at a time.
    #[arg(
        long,
        value_name = "N",
        requires = "org",
        help_heading = "Organisation",
        value_parser = |text: &str| bounded(text, 1usize, MAX_ACCOUNT_CONCURRENCY)
    )]
    pub account_concurrency: Option<usize>,
    /// Only the accounts matching one of these selectors (repeatable; replaces `[org] include`):
    /// `123456789012`, `ou:ou-xxxx-xxxxxxxx`, `ou:Root/Prod/*`, `tag:env=prod`, `name:acme-*`.
    #[arg(long = "include", value_name = "SELECTOR", requires = "org", help_heading = "Organisation")]
    pub include: Vec<String>,
    /// Never the accounts matching this selector (repeatable; added to `[org] exclude`).
    #[arg(long = "exclude", value_name = "SELECTOR", requires = "org", help_heading = "Organisation")]
    pub exclude: Vec<String>,
}

/// `--shard INDEX/COUNT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    let (index, count) = text.split_once('/').ok_or("expected INDEX/COUNT, e.g. 0/3")?;
    let index: usize = index.trim().parse().map_err(|_| format!("`{index}` is not a shard index"))?;
    let count: usize = count.trim().parse().map_err(|_| format!("`{count}` is not a shard count"))?;
    if count == 0 || index >= count {
        return Err(format!("shard index {index} is not in 0..{count} (indexes start at 0)"));
    }
    Ok(Shard { index, count })
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Directories holding `scan --org --shard` outputs (all shards of one run, in any of them).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// The guideline config (default: ./guardline.toml if present).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use this config profile for every account whatever the account mapping says.
    #[arg(long, value_name = "NAME")]
    pub guideline_profile: Option<String>,
    #[command(flatten)]
    pub report: ReportArgs,
    /// Evaluate exceptions' expiry as of this date instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
    #[command(flatten)]
    pub history: HistoryDbArgs,
    /// Do not record the accounts' scans in the history database.
    #[arg(long)]
    pub no_history: bool,
}

/// Where the scan history is kept.
#[derive(Debug, Clone, Args)]
pub struct HistoryDbArgs {
    /// The history database (default: $XDG_DATA_HOME/guardline/history.sqlite3, else
    /// ~/.local/share/guardline/history.sqlite3).
    #[arg(long, value_name = "FILE", env = "GUARDLINE_HISTORY_DB")]
    pub history_db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only the scans of this account ID.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    #[command(flatten)]
    pub history: HistoryDbArgs,
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Language of the list (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older scan's ID (see `guardline history`); default: the account's second-latest scan.
    #[arg(requires = "new")]
    pub old: Option<i64>,
    /// The newer scan's ID; default: the account's latest scan.
    pub new: Option<i64>,
    /// The account whose last two scans to compare (needed when the database holds several accounts).
    #[arg(long, value_name = "ID", conflicts_with = "old")]
    pub account: Option<String>,
    #[command(flatten)]
    pub history: HistoryDbArgs,
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Language of messages and headings (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct ExceptionsArgs {
    /// The guideline config (default: ./guardline.toml).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List exceptions that expire within this many days (and every expired one).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub within: u32,
    /// Review as of this date instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
    /// Language of the review (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
}

/// The formats of `guardline cost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    /// Tables, for people.
    Terminal,
    /// The whole report, for tools.
    Json,
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(subcommand)]
    pub action: Option<WatchAction>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// `--org`: one watcher for the organisation, run with the security services' delegated
    /// administrator's credentials; each message names the member account (ID, name, alias, OU) and routes
    /// may choose accounts (`accounts`, `owners`).
    #[command(flatten)]
    pub org: OrgTargetArgs,
    /// The guideline config with the `[watch]` section (default: ./guardline.toml if present).
    #[arg(long, short, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
    /// One polling pass, send what is due, and exit (for cron): exit 1 if a source could not be polled or a
    /// send failed (it stays queued for the next pass).
    #[arg(long)]
    pub once: bool,
    /// The outbox database. Default: `[watch] state-db` (relative to the config file), else one per config
    /// file beside the history database: `watch-<config name>-<hash of its canonical path>.sqlite3`, e.g.
    /// ~/.local/share/guardline/watch-guardline-1a2b3c4d5e6f7a8b.sqlite3, so two configs never share an outbox.
    #[arg(long, value_name = "FILE", env = "GUARDLINE_WATCH_DB", global = true)]
    pub state_db: Option<PathBuf>,
    /// Language of the messages (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG", global = true)]
    pub lang: Lang,
    /// Where the `changes` source records each re-evaluation (the scans' history database).
    #[command(flatten)]
    pub history: HistoryDbArgs,
}

#[derive(Debug, Subcommand)]
pub enum WatchAction {
    /// Send a test message to one channel of `[watch.channels]`.
    Test {
        /// The channel's name.
        channel: String,
    },
    /// Plan (and with --apply make) what the `changes` source reads from, in each of its regions: the SQS
    /// queue, whose policy admits only this account's EventBridge rules, and the rules sending it the
    /// CloudTrail and AWS Config change events.
    InstallChanges {
        #[command(flatten)]
        write: WriteArgs,
    },
}

#[derive(Debug, Args)]
pub struct CostArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: CostFormat,
    /// Language of the headings (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
    /// Report as of this date (UTC) instead of today (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub today: Option<jiff::civil::Date>,
}

/// The commands `iam-policy` can write a policy for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyFor {
    /// `scan` and `collect`: read-only.
    Scan,
    /// `fix`: the scan's reads plus every write a fix step may make.
    Fix,
    /// `watch`: what its AWS sources read (findings, Health events).
    Watch,
    /// `scan --org`, for the management (or audit) account: the scan's reads (its own account is scanned too),
    /// listing the organisation, and assuming the member role of `[org] role-name`.
    Org,
    /// The role the installed off-hours schedules run as (`schedule apply --task-role-arn`): stopping and starting
    /// instances, running Guardline's stop runbook, and an explicit Deny on stopping any instance carrying a
    /// production tag of ./guardline.toml's profiles (`schedule apply --task-role-arn` puts it on the role).
    Schedule,
    /// `org plan-roles`: reading back and creating the switch roles or groups (IAM only).
    OrgRoles,
    /// `scan --send-to-security-hub`: the scan's reads plus securityhub:BatchImportFindings.
    SecurityHub,
}

#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    #[arg(long = "for", value_enum, default_value = "scan")]
    pub command: PolicyFor,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The guideline config (default: ./guardline.toml if present): its profile, pins and `[fix]` values.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Fix only these controls, comma-separated (e.g. GUARDDUTY-001,S3-001).
    #[arg(long, value_delimiter = ',', value_name = "CONTROL,...")]
    pub only: Vec<String>,
    /// Show the plan for the bundled demo account (no AWS credentials needed; never applies).
    #[arg(long, conflicts_with_all = ["apply", "config", "plan_out", "apply_plan", "role_arn", "org"])]
    pub demo: bool,
    /// `--org`: one plan for every selected account of the organisation, grouped by account, each account
    /// pinned by the organisation's listing; `--account-id` confirms the management account.
    #[command(flatten)]
    pub org: OrgTargetArgs,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Also write the plan to this file (account, regions, steps with their API calls and causes, version,
    /// time, content hash) for review; apply exactly it later with --apply-plan FILE --apply.
    #[arg(long, value_name = "FILE", conflicts_with = "apply_plan", help_heading = "Safety")]
    pub plan_out: Option<PathBuf>,
    /// Re-read the live account and apply exactly the steps of this reviewed plan (from --plan-out) with
    /// --apply; without --apply, only check that it still applies. Refused for another account, an altered
    /// or expired plan, or a step the live state no longer calls for as planned.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["only", "region", "regions"], help_heading = "Safety")]
    pub apply_plan: Option<PathBuf>,
    /// The oldest plan --apply-plan accepts, e.g. 24h, 90m, 2d.
    #[arg(
        long,
        value_name = "AGE",
        default_value = "24h",
        value_parser = crate::commands::saved_plan::parse_max_age,
        requires = "apply_plan",
        help_heading = "Safety"
    )]
    pub max_plan_age: jiff::SignedDuration,
    /// The plan as text, or as JSON for review tools.
    #[arg(long, value_enum, default_value = "terminal")]
    pub format: Format,
    /// Language of the plan (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub aws: AwsArgs,
    /// Where to write the snapshot.
    #[arg(long, short, value_name = "FILE")]
    pub output: PathBuf,
    /// The guideline config, for its `[scan]` settings (default: ./guardline.toml if present).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A control ID, e.g. EC2-001; without it, every control is listed.
    pub id: Option<String>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: RuleFormat,
    /// Language of the documentation (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG")]
    pub lang: Lang,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the config.
    #[arg(default_value = "guardline.toml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(subcommand)]
    pub command: ScheduleCommand,
    /// Language of the plans, runs and status (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG", global = true)]
    pub lang: Lang,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Show the API calls `schedule apply` would make to install the schedules (changes nothing).
    Plan(SchedulePlanArgs),
    /// Install the schedules as maintenance windows or Scheduler schedules; only with --apply.
    Apply(ScheduleApplyArgs),
    /// Stop or start the selected instances when a schedule says so now (run it from cron).
    Run(ScheduleRunArgs),
    /// Which instances each schedule covers, when they next stop and start, and SCHED-001/002.
    Status(ScheduleStatusArgs),
}

/// What every `schedule` subcommand takes.
#[derive(Debug, Args)]
pub struct ScheduleCommon {
    /// Only this schedule (a `[schedules.<name>]` of the config); default: every one.
    #[arg(long, value_name = "NAME")]
    pub schedule: Option<String>,
    /// The guideline config (default: ./guardline.toml).
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct SchedulePlanArgs {
    #[command(flatten)]
    pub common: ScheduleCommon,
    /// The IAM role the installed schedules run as: the maintenance window task's service role (and the
    /// Automation's AutomationAssumeRole), or the Scheduler schedule's target role (required for Scheduler).
    /// With --org, --task-role-name instead.
    #[arg(long, value_name = "ARN", conflicts_with = "org")]
    pub task_role_arn: Option<String>,
    /// The account ID you mean to change, checked against the live account (see `schedule apply`).
    #[arg(long, value_name = "ID", help_heading = "Safety")]
    pub account_id: Option<String>,
    /// Also write the plan to this file for review (account, regions, every call, the selected instances,
    /// version, time, content hash; with --org, each account's); `schedule apply --apply-plan FILE --apply`
    /// makes exactly those calls.
    #[arg(long, value_name = "FILE", help_heading = "Safety")]
    pub plan_out: Option<PathBuf>,
    /// `--org`: plan (with `schedule apply --apply`, install) every schedule in each selected account it
    /// names (`accounts = [...]`), through the member role; each member pinned by the organisation's listing.
    #[command(flatten)]
    pub org: OrgTargetArgs,
    /// With --org: the name of the role the installed schedules run as in each account (its ARN is that
    /// account's); --task-role-arn names one account's role.
    #[arg(long, value_name = "NAME", requires = "org", conflicts_with = "task_role_arn")]
    pub task_role_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScheduleApplyArgs {
    #[command(flatten)]
    pub common: ScheduleCommon,
    /// The IAM role the installed schedules run as: the maintenance window task's service role (and the
    /// Automation's AutomationAssumeRole), or the Scheduler schedule's target role (required for Scheduler).
    /// With --org, --task-role-name instead.
    #[arg(long, value_name = "ARN", conflicts_with = "org")]
    pub task_role_arn: Option<String>,
    #[command(flatten)]
    pub write: WriteArgs,
    /// Re-read the account and make exactly the calls of this reviewed plan (from `schedule plan
    /// --plan-out`); without --apply, only check that it still applies. Its schedule, role and regions are
    /// the plan's. Refused for another account, an altered or expired plan, or calls the live state no longer
    /// calls for as planned. With --org, a plan made with --org: every account's calls, from the same
    /// management account.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with_all = ["schedule", "task_role_arn", "task_role_name", "region", "regions"],
        help_heading = "Safety"
    )]
    pub apply_plan: Option<PathBuf>,
    /// The oldest plan --apply-plan accepts, e.g. 24h, 90m, 2d.
    #[arg(
        long,
        value_name = "AGE",
        default_value = "24h",
        value_parser = crate::commands::saved_plan::parse_max_age,
        requires = "apply_plan",
        help_heading = "Safety"
    )]
    pub max_plan_age: jiff::SignedDuration,
    /// `--org`: plan (with `schedule apply --apply`, install) every schedule in each selected account it
    /// names (`accounts = [...]`), through the member role; each member pinned by the organisation's listing.
    #[command(flatten)]
    pub org: OrgTargetArgs,
    /// With --org: the name of the role the installed schedules run as in each account (its ARN is that
    /// account's); --task-role-arn names one account's role.
    #[arg(long, value_name = "NAME", requires = "org", conflicts_with = "task_role_arn")]
    pub task_role_name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ScheduleRunArgs {
    #[command(flatten)]
    pub common: ScheduleCommon,
    /// Show what a run at this time would do instead of now: RFC 3339 (2026-12-01T19:00:00+09:00) or
    /// YYYY-MM-DDTHH:MM, read in each schedule's own time zone. Only with --dry-run: a real run acts now.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// How often cron runs this command, in minutes (1 to 1440): a stop or start in the last INTERVAL
    /// minutes is due.
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = |text: &str| bounded(text, 1u32, 1440))]
    pub interval: u32,
    /// Only show what would be stopped or started.
    #[arg(long)]
    pub dry_run: bool,
    /// The account ID you mean to change; required when the config pins no account by ID (with --org: the
    /// management account's).
    #[arg(long, value_name = "ID", help_heading = "Safety")]
    pub account_id: Option<String>,
    /// `--org`: run every schedule in each selected account it names (`accounts = [...]`), through the
    /// member role; each member pinned by the organisation's listing.
    #[command(flatten)]
    pub org: OrgTargetArgs,
}

#[derive(Debug, Args)]
pub struct ScheduleStatusArgs {
    #[command(flatten)]
    pub common: ScheduleCommon,
    /// Show the next stop and start after this time instead of now (as `schedule run --at`).
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// `--org`: coverage per account (SCHED-001/002) in every selected account.
    #[command(flatten)]
    pub org: OrgTargetArgs,
}

/// `guardline org`.
#[derive(Debug, Args)]
pub struct OrgCommandArgs {
    #[command(subcommand)]
    pub command: OrgCommand,
    /// Language of the plan and the status lines (default: the locale's, LC_ALL/LC_MESSAGES/LANG ja* → ja, else en).
    #[arg(long, value_enum, default_value = crate::lang::locale_default(), env = "GUARDLINE_LANG", global = true)]
    pub lang: Lang,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// AWS CLI profiles (`[profile <alias>-<role>]`) and console switch-role links for every member account
    /// and switch role; run with the management account's credentials (organizations:ListAccounts).
    SwitchRoles(SwitchRolesArgs),
    /// Plan the switch roles of this account (in the management account: the groups allowed to assume them),
    /// policies shown; create them with --apply on the pinned account.
    PlanRoles(PlanRolesArgs),
}

#[derive(Debug, Args)]
pub struct SwitchRolesArgs {
    /// The guideline config (default: ./guardline.toml): switch-roles, home-region and pinned aliases.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The profile of the management-account user the generated profiles start from (default: --profile,
    /// else "default").
    #[arg(long, value_name = "NAME")]
    pub source_profile: Option<String>,
    /// The MFA device to use (default: the caller's own MFA device, from iam:ListMFADevices).
    #[arg(long, value_name = "ARN")]
    pub mfa_serial: Option<String>,
    /// These role names instead of the profile's `switch-roles`, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "ROLE,...")]
    pub roles: Vec<String>,
    /// Merge the profiles into this AWS config file (e.g. ~/.aws/config): only Guardline's marked block is
    /// replaced, everything else is kept byte for byte, and the file is backed up first (FILE.bak-<time>).
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,
    #[command(flatten)]
    pub aws: AwsArgs,
}

#[derive(Debug, Args)]
pub struct PlanRolesArgs {
    /// The guideline config (default: ./guardline.toml): switch-roles, switch-role-policies and the pin.
    #[arg(long, short, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The management account the roles trust (default: from organizations:DescribeOrganization).
    #[arg(long, value_name = "ID", conflicts_with = "org")]
    pub management_account: Option<String>,
    #[command(flatten)]
    pub aws: AwsArgs,
    /// `--org`: the switch roles in every selected member and the groups in the management account, in one
    /// plan grouped by account; `--account-id` confirms the management account.
    #[command(flatten)]
    pub org: OrgTargetArgs,
    #[command(flatten)]
    pub write: WriteArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell the script is for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write guardline.1 and one page per subcommand (guardline-scan.1, ...) into this directory instead.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}
