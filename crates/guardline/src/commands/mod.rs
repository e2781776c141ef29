//! One module per subcommand, plus what several share: loading the config and collecting a snapshot.

pub mod collect;
pub mod cost;
pub mod diff;
pub mod docs;
pub mod exceptions;
pub mod files;
pub mod fix;
pub mod fix_org;
pub mod history;
pub mod iam_policy;
pub mod init;
pub mod merge;
pub mod org;
pub mod org_scan;
pub mod org_store;
pub mod org_targets;
pub mod rule;
pub mod saved_plan;
pub mod scan;
pub mod schedule;
pub mod security_hub;
pub mod watch;
pub mod write_guard;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::ValueEnum as _;
use guardline_collect::{CollectOptions, CollectOutput};
use guardline_config::{Config, LiveAccount};
use guardline_report::terminal::TerminalOptions;

use crate::args::{AwsArgs, ColorChoice, ReportArgs, ReportFormat};
use crate::progress::Bar;

/// The config file to use: `--config`, else `./guardline.toml` when it exists.
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit.map(Path::to_path_buf).or_else(|| {
        let default = PathBuf::from("guardline.toml");
        default.exists().then_some(default)
    })
}

/// Loads and validates the config (or the built-in defaults when there is no file).
pub fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let known = known_controls();
    // The errors already name file:line:column.
    guardline_config::load(path, &known).map_err(|errors| anyhow::anyhow!("invalid config\n{errors}"))
}

/// Control IDs a config may name: every rule, and the guideline's controls this build does not check yet.
pub fn known_controls() -> Vec<&'static str> {
    guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .chain(guardline_rules::registry::PLANNED.iter().copied())
        .collect()
}

/// The error for a control ID no rule has, with the IDs it may have meant.
pub fn unknown_control(id: &str) -> anyhow::Error {
    let prefix = id.split('-').next().unwrap_or(id).to_ascii_uppercase();
    // "iam-1" or "IAM-01" for IAM-001: the same control with its number unpadded.
    let padded = id
        .rsplit_once('-')
        .and_then(|(_, number)| number.parse::<u16>().ok())
        .map(|number| format!("{prefix}-{number:03}"))
        .filter(|padded| guardline_rules::find_rule(padded).is_some());
    if let Some(padded) = padded {
        return anyhow::anyhow!("no control {id}; did you mean {padded}?");
    }

    let similar: Vec<&str> = guardline_rules::RULES
        .iter()
        .map(|rule| rule.id)
        .filter(|known| known.starts_with(&prefix))
        .collect();
    if similar.is_empty() {
        anyhow::anyhow!("no control {id}; `guardline rule` lists them all")
    } else {
        anyhow::anyhow!("no control {id}; did you mean {}?", similar.join(", "))
    }
}

/// The rules `select` keeps, in guideline order; an unknown ID, or a selection that keeps nothing, is an
/// error.
pub fn selected_rules(
    select: &crate::args::SelectArgs,
) -> anyhow::Result<Vec<&'static guardline_rules::Rule>> {
    let known = |id: &str| {
        guardline_rules::find_rule(&id.trim().to_ascii_uppercase()).ok_or_else(|| unknown_control(id.trim()))
    };
    let only: Vec<&str> =
        select.controls.iter().map(|id| known(id).map(|rule| rule.id)).collect::<anyhow::Result<_>>()?;
    let excluded: Vec<&str> = select
        .exclude_controls
        .iter()
        .map(|id| known(id).map(|rule| rule.id))
        .collect::<anyhow::Result<_>>()?;
    let severities: Vec<guardline_model::Severity> =
        select.severity.iter().map(|severity| severity.severity()).collect();
    let rules: Vec<&'static guardline_rules::Rule> = guardline_rules::RULES
        .iter()
        .copied()
        .filter(|rule| only.is_empty() || only.contains(&rule.id))
        .filter(|rule| !excluded.contains(&rule.id))
        .filter(|rule| select.section.is_empty() || select.section.contains(&rule.section.number()))
        .filter(|rule| severities.is_empty() || severities.contains(&rule.severity))
        .collect();
    anyhow::ensure!(
        !rules.is_empty(),
        "the selection (--controls, --exclude-controls, --section, --severity) leaves no control to evaluate"
    );
    Ok(rules)
}

/// Collects a snapshot with the AWS settings from the command line over those from the config.
pub fn collect(aws: &AwsArgs, config: &Config) -> anyhow::Result<CollectOutput> {
    AwsSession::connect(aws, collect_options(aws, config))?.collect(aws)
}

/// One SDK config (one set of credentials, identified once) and the runtime it runs on, for a command that
/// reads and then writes: the write uses the very config the scan read with, pinned to the account the
/// scan identified ([`guardline_apply::target::pinned`]), never a second one loaded from the profile again.
pub struct AwsSession {
    pub runtime: tokio::runtime::Runtime,
    pub sdk: aws_config::SdkConfig,
    pub options: CollectOptions,
}

impl AwsSession {
    /// The session's stack per runtime thread: the SDK's (de)serialisers of a Security Hub finding (its
    /// `Resources` shape has hundreds of members) need frames of several MiB in unoptimised builds. Only the
    /// pages touched are used.
    const THREAD_STACK: usize = 64 * 1024 * 1024;

    /// The session for `aws`'s profile with `options` (from [`collect_options`], or a saved plan's regions).
    pub fn connect(aws: &AwsArgs, options: CollectOptions) -> anyhow::Result<AwsSession> {
        let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
        let runtime = Self::runtime()?;
        let sdk = runtime.block_on(aws_config(aws, base_region.as_deref(), &options))?;
        Ok(AwsSession { runtime, sdk, options })
    }

    /// A runtime whose threads have [`Self::THREAD_STACK`], for every command that collects and writes
    /// (the organisation-wide ones build theirs here too).
    pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_stack_size(Self::THREAD_STACK)
            .build()
            .context("starting tokio")
    }

    /// Collects a snapshot of the account the session's credentials reach.
    pub fn collect(&self, aws: &AwsArgs) -> anyhow::Result<CollectOutput> {
        let bar = Bar::new(!aws.no_progress && !crate::console::quiet());
        let result = self.runtime.block_on(guardline_collect::collect(&self.sdk, &self.options, &bar));
        bar.finish();
        let output = result?;
        tracing::info!(
            regions = output.snapshot.regions.len(),
            calls = output.calls.values().sum::<u32>(),
            "collected"
        );
        Ok(output)
    }

    /// The session's config pinned to `account_id`, identified again now: the identity that writes, and the
    /// account (ID and alias) it reaches. An error (credentials that now reach another account, or none)
    /// refuses the write before it starts.
    pub fn writer(&self, account_id: &str) -> anyhow::Result<(aws_config::SdkConfig, LiveAccount)> {
        self.runtime.block_on(write_guard::writer(&self.sdk, account_id))
    }

    /// The account the session's credentials reach now (ID and alias).
    pub fn identify(&self) -> anyhow::Result<LiveAccount> {
        self.runtime.block_on(write_guard::identify(&self.sdk))
    }
}

/// The SDK configuration `aws` asks for: the profile's credentials (the standard chain), then the
/// `--role-arn` role assumed from them when one is given, so every command reaches its account one way.
/// The external ID comes from the environment variable `--external-id-env` names, never the command line.
pub async fn aws_config(
    aws: &AwsArgs,
    region: Option<&str>,
    options: &CollectOptions,
) -> anyhow::Result<aws_config::SdkConfig> {
    let base = guardline_collect::sdk_config(aws.profile.as_deref(), region, options).await;
    let Some(role_arn) = &aws.role_arn else {
        if let Some(var) = &aws.external_id_env {
            anyhow::bail!(
                "--external-id-env {var} needs --role-arn (the role whose trust policy asks for the external ID), \
                 or --org (the member roles')"
            );
        }
        return Ok(base);
    };
    let valid = role_arn.split(':').collect::<Vec<_>>();
    let is_role = matches!(valid.as_slice(), ["arn", partition, "iam", "", account, resource]
        if !partition.is_empty()
            && account.len() == 12
            && account.bytes().all(|byte| byte.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|name| !name.is_empty()));
    anyhow::ensure!(
        is_role,
        "--role-arn {role_arn} is not an IAM role ARN (arn:aws:iam::<account ID>:role/<name>)"
    );
    let external_id = match &aws.external_id_env {
        Some(var) => match std::env::var(var) {
            Ok(value) if !value.is_empty() => Some(value),
            _ => anyhow::bail!(
                "--external-id-env {var}: the environment variable {var} is not set (it should hold the \
                 external ID the role's trust policy requires)"
            ),
        },
        None => None,
    };
    guardline_collect::org::assume_role(&base, role_arn, "guardline", external_id)
        .await
        .map_err(|error| anyhow::anyhow!("could not assume --role-arn {role_arn}: {error}"))
}

/// The AWS settings from the command line over those from the config.
pub fn collect_options(aws: &AwsArgs, config: &Config) -> CollectOptions {
    let settings = &config.scan;
    CollectOptions {
        regions: aws.requested_regions().or_else(|| settings.regions.clone()),
        concurrency: aws.concurrency.unwrap_or(settings.concurrency),
        call_timeout: Duration::from_secs(aws.call_timeout.unwrap_or(settings.call_timeout_secs)),
        max_attempts: aws.max_attempts.unwrap_or(settings.max_attempts),
    }
}

/// Writes `text` to `path` (a snapshot, a shard output), created 0600, saying which file failed.
pub fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    files::write(path, text, files::PRIVATE)
}

/// What a report is of, beyond its findings: for the terminal report's next commands, and the line that says
/// which file got which verdict.
#[derive(Debug, Clone, Default)]
pub struct ReportContext {
    /// The config file, to locate exceptions as `path:line`.
    pub config_name: Option<String>,
    /// See [`TerminalOptions::target_args`].
    pub target_args: String,
    /// The verdict in a few words ("adopted controls fail: 25 fail · 8 pass"), for the line on stderr when a
    /// report goes to a file.
    pub verdict: String,
    /// The AWS profile of the caller, whose own bucket an `s3://` output is (`--profile`).
    pub s3_profile: Option<String>,
}

/// The arguments that make a next command reach the same account, profile and config.
pub fn target_args(demo: bool, profile: Option<&str>, config: Option<&Path>) -> String {
    let mut args = Vec::new();
    if demo {
        args.push("--demo".to_owned());
    }
    if let Some(profile) = profile {
        args.push(format!("--profile {}", shell_word(profile)));
    }
    if let Some(config) = config {
        args.push(format!("-c {}", shell_word(&config.display().to_string())));
    }
    args.join(" ")
}

/// `word` quoted for a POSIX shell when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '+' | '='));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Writes one report per requested format (`render` makes each, given the terminal options) to stdout,
/// `--output` or `--output-dir`: the output handling `scan` and the organisation reports share. Each file
/// written gets a line on stderr: the format, the path and the verdict.
pub fn emit_reports(
    report: &ReportArgs,
    context: ReportContext,
    render: impl Fn(ReportFormat, &TerminalOptions, &mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut formats = report.format.clone();
    formats.dedup();
    if formats.len() > 1 && report.output_dir.is_none() {
        anyhow::bail!("several formats ({} of them) need --output-dir DIR", formats.len());
    }
    if let Some(dir) = &report.output_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let to_stdout = report.output.is_none() && report.output_dir.is_none();
    let terminal = TerminalOptions {
        lang: report.lang.code().to_owned(),
        color: match report.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            // A report file never gets colour unless asked for; stdout as `console` decides.
            ColorChoice::Auto => to_stdout && crate::console::stdout_color(),
        },
        show_pass: report.show_pass,
        config_path: context.config_name,
        target_args: context.target_args,
    };
    let in_s3 = |path: &Option<PathBuf>| {
        path.as_deref().is_some_and(|path| path.to_string_lossy().starts_with("s3://"))
    };
    if in_s3(&report.output_dir) || in_s3(&report.output) {
        return emit_to_s3(
            report,
            &formats,
            &terminal,
            (&context.verdict, context.s3_profile.as_deref()),
            render,
        );
    }
    for format in formats {
        let render = |out: &mut dyn Write| render(format, &terminal, out);
        match (&report.output_dir, &report.output) {
            (Some(dir), _) => {
                // The file name is Guardline's, not the user's: a symlink there (planted, or left over) is
                // refused rather than followed, and the file is replaced, never written through.
                let path = dir.join(format.file_name());
                if std::fs::symlink_metadata(&path).is_ok_and(|meta| meta.file_type().is_symlink()) {
                    anyhow::bail!(
                        "{} is a symlink: --output-dir never writes through one; remove it, or name the file with \
                         --output to write there",
                        path.display()
                    );
                }
                files::replace(&path, report.report_mode, render)?;
                wrote(format, &path, &context.verdict, report.lang.code());
            }
            (None, Some(path)) => {
                write_streamed(path, report.report_mode, render)?;
                wrote(format, path, &context.verdict, report.lang.code());
            }
            (None, None) => {
                let mut out = BufWriter::new(std::io::stdout().lock());
                render(&mut out).and_then(|()| out.flush()).context("writing the report")?
            }
        }
    }
    Ok(())
}

/// Reports to S3: `--output-dir s3://bucket/prefix/` (each format as `prefix/guardline-report.<ext>`) or
/// `--output s3://bucket/key`, in the caller's own bucket (`ExpectedBucketOwner`, see [`org_store`]), each
/// object with its media type. Every report is rendered before the first upload.
fn emit_to_s3(
    report: &ReportArgs,
    formats: &[ReportFormat],
    terminal: &TerminalOptions,
    (verdict, s3_profile): (&str, Option<&str>),
    render: impl Fn(ReportFormat, &TerminalOptions, &mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    use org_store::{Location, Store};
    let mut uploads = Vec::new();
    for format in formats {
        let (location, name) = match (&report.output_dir, &report.output) {
            (Some(dir), _) => (Location::parse(dir)?, format.file_name().to_owned()),
            (None, Some(path)) => match Location::parse(path)? {
                Location::S3 { bucket, prefix } => {
                    let (dir, name) = prefix.rsplit_once('/').unwrap_or(("", prefix.as_str()));
                    anyhow::ensure!(
                        !name.is_empty(),
                        "`{}`: name the object after the bucket",
                        path.display()
                    );
                    (Location::S3 { bucket, prefix: dir.to_owned() }, name.to_owned())
                }
                Location::Local(_) => unreachable!("only s3:// outputs come here"),
            },
            (None, None) => unreachable!("only s3:// outputs come here"),
        };
        let mut bytes = Vec::new();
        render(*format, terminal, &mut bytes).context("rendering the report")?;
        let text = String::from_utf8(bytes).context("the report is UTF-8")?;
        uploads.push((*format, location, name, text));
    }
    // Its own runtime on its own thread: the caller may already be inside one.
    std::thread::scope(|scope| {
        scope
            .spawn(|| -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .context("starting tokio")?;
                runtime.block_on(async {
                    let locations: Vec<Location> =
                        uploads.iter().map(|(_, location, _, _)| location.clone()).collect();
                    let store = Store::new(&locations, s3_profile).await?;
                    for (format, location, name, text) in &uploads {
                        store.put_as(location, name, text, format.content_type()).await?;
                        wrote(*format, Path::new(&location.url(name)), verdict, report.lang.code());
                    }
                    Ok(())
                })
            })
            .join()
            .map_err(|_| anyhow::anyhow!("the S3 upload thread panicked"))?
    })
}

/// The line on stderr for a report written to a file.
fn wrote(format: ReportFormat, path: &Path, verdict: &str, lang: &str) {
    let format = format.to_possible_value().map(|value| value.get_name().to_owned()).unwrap_or_default();
    let path = path.display();
    let line = if verdict.is_empty() {
        crate::lang::tr!(
            lang,
            "wrote the {format} report to {path}",
            "{format} レポートを {path} に書き込みました"
        )
    } else {
        crate::lang::tr!(
            lang,
            "wrote the {format} report to {path}: {verdict}",
            "{format} レポートを {path} に書き込みました: {verdict}"
        )
    };
    crate::console::note!("{line}");
}

/// Creates `path` (the file `--output` names, followed if it is a symlink) with `mode` and lets `write`
/// stream into it: a report is never held whole in memory on its way out.
fn write_streamed(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let file = files::create(path, mode).with_context(|| format!("writing {}", path.display()))?;
    let mut out = BufWriter::new(file);
    write(&mut out).and_then(|()| out.flush()).with_context(|| format!("writing {}", path.display()))
}
