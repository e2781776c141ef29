//! `guardline watch`: the alert router (guideline 4). Loads `[watch]`, identifies the account when an AWS
//! source is enabled, builds the sources and opens the outbox, then runs one pass (`--once`, for cron) or
//! polls every `interval` until SIGTERM/SIGINT (the send in flight finishes and is recorded first).
//! `guardline watch test CHANNEL` sends a test message.
//!
//! `watch --org` runs in the security services' delegated administrator: the organisation's listing (with
//! each member's alias through its role) becomes the watcher's directory, refreshed every hour; every
//! enabled GuardDuty, Security Hub and Inspector region must be administered from this account (else the
//! watcher would see one account while claiming the organisation), and Health uses the organisational
//! view where it is enabled. Before polling, a route that chooses accounts and matches none of the watched
//! ones is a configuration error at its line.
//!
//! Test hooks (environment): `GUARDLINE_WATCH_TEST_PAUSE_AFTER_PERSIST` (milliseconds to sleep after
//! persisting, before sending: the window a crash test kills in) and `GUARDLINE_WATCH_RETRY_BASE_MS` (the
//! first retry delay).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use futures::StreamExt as _;
use guardline_watch::directory::{Directory, Member};
use guardline_watch::sources::{Account, Source, aws};
use guardline_watch::{Outbox, WatchOptions, Watcher};

use crate::args::{HistoryDbArgs, Lang, WatchAction, WatchArgs};
use crate::lang::tr;

pub fn run(args: WatchArgs) -> anyhow::Result<bool> {
    let path = super::config_path(args.config.as_deref());
    let config = super::load_config(path.as_deref())?;
    let lang = args.lang.code();
    let Some(watch) = config.watch.clone() else {
        let file = path
            .as_deref()
            .map_or_else(|| tr!(lang, "the configuration", "設定"), |path| path.display().to_string());
        bail!(tr!(
            lang,
            "no `[watch]` section in {file}: add channels, sources and routes (see README, \"Alerts\")",
            "{file} に `[watch]` セクションがありません: チャンネル、ソース、ルートを追加してください(README の「Alerts」を参照)"
        ));
    };
    if let Some(WatchAction::InstallChanges { write }) = &args.action {
        return install_changes(&args, &config, &watch, write);
    }
    let db = state_db(&args, watch.state_db.as_deref(), path.as_deref())?;
    let options = WatchOptions {
        lang: match args.lang {
            Lang::En => guardline_watch::Lang::En,
            Lang::Ja => guardline_watch::Lang::Ja,
        },
        pause_after_persist: env_millis("GUARDLINE_WATCH_TEST_PAUSE_AFTER_PERSIST"),
        retry_base: env_millis("GUARDLINE_WATCH_RETRY_BASE_MS").unwrap_or(WatchOptions::default().retry_base),
        ..WatchOptions::default()
    };
    // Security Hub's findings need a deep stack to decode in debug builds (see guardline-collect).
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(16 * 1024 * 1024)
        .build()
        .context("starting tokio")?;
    runtime.block_on(async move {
        // One watcher per outbox: two sending from the same database could deliver an event twice, and a
        // `watch test` dropping unconfigured channels' alerts under a running watcher would race it. Taken
        // before the database is opened, so a refused run writes nothing.
        let _lock = lock_outbox(&db, lang)?;
        let mut outbox = Outbox::open(&db).with_context(|| format!("opening {}", db.display()))?;
        let configured: Vec<&str> = watch.channels.keys().map(String::as_str).collect();
        let dropped =
            outbox.drop_unconfigured(&configured).with_context(|| format!("updating {}", db.display()))?;
        for (channel, count) in dropped {
            eprintln!(
                "{}",
                tr!(
                    lang,
                    "warning: channel {channel} is no longer in [watch.channels]: its {count} pending alert(s) \
                     were dropped",
                    "警告: チャンネル {channel} は [watch.channels] にもうありません: 送信待ちのアラート {count} 件を破棄しました"
                )
            );
        }
        if let Some(WatchAction::Test { channel }) = &args.action {
            let watcher = Watcher::new(watch, outbox, Vec::new(), Account::default(), options);
            return match watcher.send_test(channel).await {
                None => bail!(tr!(
                    lang,
                    "no channel `{channel}` in `[watch.channels]`",
                    "`[watch.channels]` にチャンネル `{channel}` がありません"
                )),
                Some(Err(error)) => bail!(tr!(lang, "channel `{channel}`: {error}", "チャンネル `{channel}`: {error}")),
                Some(Ok(())) => {
                    println!(
                        "{}",
                        tr!(lang, "sent a test message to `{channel}`", "`{channel}` にテストメッセージを送信しました")
                    );
                    Ok(true)
                }
            };
        }
        let (sources, account, directory) = sources(&args, &config, &watch).await?;
        check_routes(&watch, &directory, path.as_deref(), args.org.org, lang)?;
        let interval = watch.interval;
        let watcher = Arc::new(Watcher::new(watch, outbox, sources, account, options));
        watcher.set_directory(directory);
        if args.once {
            let report = watcher.run_once().await?;
            let pending = watcher.with_outbox(Outbox::pending)?;
            for (source, error) in &report.source_errors {
                eprintln!("{}", tr!(lang, "warning: source {source}: {error}", "警告: ソース {source}: {error}"));
            }
            let (events, delivered, failed) = (report.events, report.delivered, report.failed);
            let event_word = guardline_report::lead::plural(events, "event", "events");
            let send_word = guardline_report::lead::plural(failed, "send", "sends");
            println!(
                "{}",
                tr!(
                    lang,
                    "watch: {events} new {event_word}, {delivered} delivered, {failed} failed {send_word}, \
                     {pending} pending",
                    "watch: 新しいイベント {events} 件、配信 {delivered} 件、送信失敗 {failed} 件、送信待ち {pending} 件"
                )
            );
            // For cron: a source that could not be polled or a send that failed (still queued) is exit 1.
            return Ok(report.failed == 0 && report.source_errors.is_empty());
        }
        if args.org.org {
            // New accounts, moved accounts and changed tags reach the routes within the hour.
            let (refresher, aws_args, targets) = (Arc::clone(&watcher), args.aws.clone(), args.org.clone());
            let config = config.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(DIRECTORY_REFRESH).await;
                    match organisation_directory(&aws_args, &config, &targets).await {
                        Ok(directory) => refresher.set_directory(directory),
                        Err(error) => tracing::warn!(error = format!("{error:#}"), "cannot refresh the accounts"),
                    }
                }
            });
        }
        let stopper = Arc::clone(&watcher);
        tokio::spawn(async move {
            guardline_watch::watcher::wait_for_signal().await;
            tracing::info!("stopping: finishing the send in flight");
            stopper.shutdown();
        });
        tracing::info!(interval_s = interval.as_secs(), db = %db.display(), "watching");
        watcher.run().await?;
        Ok(true)
    })
}

/// `watch install-changes`: the `changes` source's queue and rules in each of its regions, planned from
/// what is there, through the write guard.
fn install_changes(
    args: &WatchArgs,
    config: &guardline_config::Config,
    watch: &guardline_config::WatchConfig,
    write: &crate::args::WriteArgs,
) -> anyhow::Result<bool> {
    use guardline_apply::drift_queue;

    use super::write_guard;
    let lang = args.lang.code();
    if args.once {
        bail!(tr!(
            lang,
            "--once does not apply to `watch install-changes`, which plans (and with --apply makes) the queue and rules once",
            "--once は `watch install-changes` には使えません"
        ));
    }
    if args.org.org {
        bail!(tr!(
            lang,
            "`watch install-changes --org` is not available yet: the changes source watches one account; run it with each account's credentials",
            "`watch install-changes --org` はまだ使えません: changes ソースは 1 アカウントを監視します。各アカウントの認証情報で実行してください"
        ));
    }
    let Some(changes) = &watch.sources.changes else {
        bail!(tr!(
            lang,
            "no [watch.sources.changes] in the configuration: add it (its `regions` and `queue` say what to install)",
            "設定に [watch.sources.changes] がありません: 追加してください(`regions` と `queue` が設置先を決めます)"
        ));
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        let options = super::collect_options(&args.aws, config);
        let base_region = changes.regions.as_ref().and_then(|regions| regions.first().cloned());
        let sdk = super::aws_config(&args.aws, base_region.as_deref(), &options).await?;
        let live = write_guard::identify(&sdk).await?;
        println!("{}", write_guard::target_line(&live, lang));
        let pin = write_guard::check_pin(config, &live, write, None);
        println!("{}", write_guard::pin_or_refusal(&pin, lang));
        if write.apply {
            pin?;
        }
        let regions = match &changes.regions {
            Some(regions) => regions.clone(),
            None => aws::enabled_regions(&sdk)
                .await
                .map_err(|error| anyhow::anyhow!("listing the enabled regions: {error}"))?,
        };
        let partition = guardline_model::partition::of_region(&regions[0]);
        let desired: Vec<drift_queue::Desired> = regions
            .iter()
            .map(|region| drift_queue::desired(partition, &live.id, region, &changes.queue))
            .collect();
        let mut steps = Vec::new();
        for want in &desired {
            let current = drift_queue::read(&sdk, want).await.map_err(|error| {
                anyhow::anyhow!("reading the queue and rules in {}: {error}", want.region)
            })?;
            steps.extend(drift_queue::steps(want, &current));
        }
        if steps.is_empty() {
            println!(
                "{}",
                tr!(
                    lang,
                    "Nothing to do: the queue {} and its rules are in place in {} region(s).",
                    "変更はありません: キュー {} とルールは {} リージョンで設定済みです。",
                    changes.queue,
                    regions.len()
                )
            );
            return Ok(true);
        }
        println!("{}", tr!(lang, "Plan ({} call(s)):", "プラン({} 件の呼び出し):", steps.len()));
        for step in &steps {
            println!("  [{live}] {}", step.describe());
        }
        if !write.apply {
            println!(
                "{}",
                tr!(
                    lang,
                    "Run again with --apply to make these changes.",
                    "変更するには --apply を付けて再実行してください。"
                )
            );
            return Ok(true);
        }
        let count = steps.len();
        write_guard::confirm(
            write,
            &live,
            &tr!(lang, "Make these {count} call(s)", "これら {count} 件の呼び出しを実行します"),
            lang,
        )?;
        let (writer, _) = write_guard::writer(&sdk, &live.id).await?;
        let (done, failed) = drift_queue::apply(&writer, &desired, &steps).await;
        for step in &steps[..done] {
            let step = step.describe();
            println!("{}", tr!(lang, "  done: [{live}] {step}", "  完了: [{live}] {step}"));
        }
        if let Some(error) = failed {
            let left = steps.len() - done - 1;
            bail!("failed: {}: {error} ({left} later call(s) not attempted)", steps[done].describe());
        }
        println!("{}", tr!(lang, "Applied {count} call(s).", "{count} 件の呼び出しを実行しました。"));
        Ok(true)
    })
}

/// How often `watch --org` lists the organisation again.
const DIRECTORY_REFRESH: Duration = Duration::from_secs(3600);

/// The enabled sources, the account when an AWS source needs it, and the accounts the events are about
/// (this one, or under `--org` the organisation's selected accounts).
async fn sources(
    args: &WatchArgs,
    config: &guardline_config::Config,
    watch: &guardline_config::WatchConfig,
) -> anyhow::Result<(Vec<Source>, Account, Directory)> {
    let lang = args.lang.code();
    let mut sources = Vec::new();
    let mut account = Account::default();
    if args.org.org && !aws::needs_aws(&watch.sources) {
        bail!(tr!(
            lang,
            "watch --org watches the organisation's AWS sources, and none is enabled: enable guardduty,              security-hub, inspector or health in [watch.sources]",
            "watch --org は組織の AWS ソースを監視しますが、有効なものがありません: [watch.sources] で guardduty、security-hub、inspector、health のいずれかを有効にしてください"
        ));
    }
    if args.org.org && watch.sources.changes.is_some() {
        bail!(tr!(
            lang,
            "the changes source watches the account the credentials reach, not yet the organisation: run              `guardline watch` with [watch.sources.changes] in each account, or disable it for `watch --org`",
            "changes ソースは認証情報のアカウントを監視し、組織全体にはまだ対応していません: 各アカウントで [watch.sources.changes] を有効にして `guardline watch` を実行するか、`watch --org` では無効にしてください"
        ));
    }
    if aws::needs_aws(&watch.sources) {
        let options = super::collect_options(&args.aws, config);
        let base_region = options.regions.as_ref().and_then(|regions| regions.first().cloned());
        let sdk = super::aws_config(&args.aws, base_region.as_deref(), &options).await?;
        account = aws::identify(&sdk).await.map_err(|error| {
            anyhow::anyhow!(tr!(
                args.lang.code(),
                "identifying the account: {error}",
                "アカウントを特定できません: {error}"
            ))
        })?;
        let regions = match options.regions.clone() {
            Some(regions) => regions,
            None => aws::enabled_regions(&sdk).await.map_err(|error| {
                anyhow::anyhow!(tr!(
                    args.lang.code(),
                    "listing the enabled regions: {error}",
                    "有効なリージョンを一覧できません: {error}"
                ))
            })?,
        };
        let profile = config.profile_for(account.id.as_deref().unwrap_or_default(), account.alias.as_deref());
        let today = jiff::ZonedDateTime::now().date();
        sources.extend(aws::build(
            &sdk,
            &watch.sources,
            &regions,
            &profile.params,
            &config.exceptions,
            today,
        ));
        if let Some(changes) = &watch.sources.changes {
            // The baseline covers the regions watched: a change elsewhere has no queue to arrive by.
            let queues = changes.regions.clone().unwrap_or_else(|| regions.clone());
            let baseline =
                guardline_collect::CollectOptions { regions: Some(queues.clone()), ..options.clone() };
            sources.push(Source::Changes(Arc::new(guardline_watch::sources::changes::Changes::new(
                &sdk,
                &changes.queue,
                &queues,
                Arc::new(config.clone()),
                baseline,
                Some(super::history::db_path(&args.history)?),
            ))));
        }
        if args.org.org {
            let gaps = aws::administrator_gaps(&sources).await;
            if !gaps.is_empty() {
                let id = account.id.clone().unwrap_or_default();
                let gaps = gaps.join("\n  ");
                bail!(tr!(
                    lang,
                    "watch --org reads the members' findings where this account ({id}) administers the service,                      and it does not here:\n  {gaps}\nrun it with the delegated administrator's credentials                      (`guardline fix --org` designates `[org] delegated-admin`), or limit the source's `regions`",
                    "watch --org はこのアカウント ({id}) がサービスを管理するリージョンでメンバーの検出結果を読みますが、次では管理していません:\n  {gaps}\n委任管理者の認証情報で実行するか(`guardline fix --org` が `[org] delegated-admin` を指定します)、ソースの `regions` を絞ってください"
                ));
            }
            if let Some(warning) = aws::use_health_organisation_view(&mut sources).await {
                eprintln!("{}", tr!(lang, "warning: {warning}", "警告: {warning}"));
            }
        }
    }
    if let Some(status) = &watch.sources.aws_status {
        sources.push(Source::Feed {
            name: "aws-status".to_owned(),
            url: status.url.clone(),
            keywords: status.keywords.clone(),
        });
    }
    for feed in &watch.feeds {
        sources.push(Source::Feed {
            name: feed.name.clone(),
            url: feed.url.clone(),
            keywords: feed.keywords.clone(),
        });
    }
    let directory = if args.org.org {
        organisation_directory(&args.aws, config, &args.org).await?
    } else {
        Directory::single(&account)
    };
    Ok((sources, account, directory))
}

/// The organisation's selected accounts as the watcher names and routes them: name, OU path and tags from
/// the listing, the alias through each member's role (where it cannot be assumed, the messages name the
/// account by ID and name, and a warning says so).
async fn organisation_directory(
    aws_args: &crate::args::AwsArgs,
    config: &guardline_config::Config,
    targets: &crate::args::OrgTargetArgs,
) -> anyhow::Result<Directory> {
    let options = super::collect_options(aws_args, config);
    let organisation =
        super::org_targets::Organisation::connect_reading_tags(aws_args, config, targets, &options).await?;
    let organisation = &organisation;
    let concurrency = organisation.settings.account_concurrency.max(1);
    let members: Vec<(Member, Option<String>)> = futures::stream::iter(organisation.selected.clone())
        .map(|account| async move {
            let (alias, problem) = if account.id == organisation.hub_account {
                match super::write_guard::identify(&organisation.hub).await {
                    Ok(live) => (live.alias, None),
                    Err(error) => (None, Some(format!("{error:#}"))),
                }
            } else {
                match organisation.reach(&account).await {
                    Ok((_, live)) => (live.alias, None),
                    Err(error) => (None, Some(error)),
                }
            };
            let member = Member {
                id: account.id,
                alias,
                name: Some(account.name),
                ou_path: Some(account.ou_path),
                ou_ids: account.ou_ids,
                tags: account.tags,
            };
            (member, problem)
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let unreachable: Vec<&str> = members
        .iter()
        .filter(|(_, problem)| problem.is_some())
        .map(|(member, _)| member.id.as_str())
        .collect();
    if !unreachable.is_empty() {
        let (count, role) = (unreachable.len(), &organisation.access.role_name);
        tracing::warn!(accounts = unreachable.join(", "), "cannot read these accounts' aliases");
        eprintln!(
            "warning: the alias of {count} account(s) could not be read through role {role} ({}): their \
             messages name them by ID and name",
            unreachable.join(", ")
        );
    }
    let unwatched = organisation.listed.iter().map(|account| account.id.clone());
    Ok(Directory::organisation(members.into_iter().map(|(member, _)| member).collect(), unwatched))
}

/// A route that chooses accounts (`accounts`, `owners`) and matches none of the watched ones would never
/// send anything: an error naming the route's line, before anything is polled.
fn check_routes(
    watch: &guardline_config::WatchConfig,
    directory: &Directory,
    config: Option<&Path>,
    org: bool,
    lang: &str,
) -> anyhow::Result<()> {
    let facts: Vec<_> = directory.members().map(Member::facts).collect();
    let unmatched = watch.routes_matching_none(&facts);
    if unmatched.is_empty() {
        return Ok(());
    }
    let file = config.map_or_else(|| "the configuration".to_owned(), |path| path.display().to_string());
    let watched = directory.len();
    let lines: Vec<String> = unmatched
        .iter()
        .map(|route| format!("{file}:{}: [[watch.routes]] {}", route.line, route.selection_text()))
        .collect();
    let lines = lines.join("\n  ");
    if org {
        bail!(tr!(
            lang,
            "these routes match none of the {watched} watched accounts, so they would never send:\n  {lines}\n\
             fix the selectors (an OU path is written from Root, e.g. \"ou:Root/Prod/**\"; owners come from the \
             account tag `[watch] owner-tag`), or remove the routes",
            "次のルートは監視対象 {watched} アカウントのどれにも一致せず、送信されることがありません:\n  {lines}\nセレクタを直すか(OU パスは Root から、例 \"ou:Root/Prod/**\"。オーナーはアカウントタグ `[watch] owner-tag` から)、ルートを削除してください"
        ))
    }
    bail!(tr!(
        lang,
        "these routes choose accounts, and this watcher watches only its own account, which none matches:\n  \
         {lines}\nrun `guardline watch --org` from the delegated administrator to watch the organisation's \
         accounts, or remove the selection",
        "次のルートはアカウントを選びますが、この watch は自アカウントだけを監視し、どれにも一致しません:\n  {lines}\n組織のアカウントを監視するには委任管理者から `guardline watch --org` を実行するか、選択を削除してください"
    ))
}

/// `--state-db`, else `[watch] state-db` (relative to the config file), else `watch-<config>-<hash>.sqlite3`
/// beside the history database, the hash of the config file's canonical path: each config its own outbox, so
/// one config never drops or shadows another's pending alerts.
fn state_db(args: &WatchArgs, configured: Option<&Path>, config: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(path) = &args.state_db {
        return Ok(path.clone());
    }
    if let Some(path) = configured {
        let base = config.and_then(Path::parent).filter(|dir| !dir.as_os_str().is_empty());
        return Ok(match base {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        });
    }
    let history = super::history::db_path(&HistoryDbArgs { history_db: None })?;
    let config = config.context("no config file: `[watch]` needs one")?;
    let canonical =
        std::fs::canonicalize(config).with_context(|| format!("resolving {}", config.display()))?;
    Ok(history.with_file_name(default_state_db_name(&canonical)))
}

/// `watch-<file stem>-<first 16 hex digits of SHA-256(canonical path)>.sqlite3`.
fn default_state_db_name(canonical: &Path) -> String {
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(canonical.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    let stem: String = canonical
        .file_stem()
        .map(|stem| stem.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("watch-{stem}-{hash}.sqlite3")
}

fn env_millis(name: &str) -> Option<Duration> {
    std::env::var(name).ok()?.trim().parse().ok().map(Duration::from_millis)
}

/// Takes the outbox's lock file (`<db>.lock`), held until the returned file is dropped; the operating
/// system releases it when the process dies, so a crash never leaves it stale.
fn lock_outbox(db: &std::path::Path, lang: &str) -> anyhow::Result<std::fs::File> {
    let mut path = db.as_os_str().to_owned();
    path.push(".lock");
    let path = std::path::PathBuf::from(path);
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    let file = super::files::create(&path, super::files::PRIVATE)
        .with_context(|| format!("creating {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            let (db, lock) = (db.display(), path.display());
            bail!(tr!(
                lang,
                "another `guardline watch` is using {db} (lock {lock}); run one watcher per outbox",
                "別の `guardline watch` が {db} を使用中です(ロック {lock}): 送信キュー 1 つにつき watch は 1 つだけ実行してください"
            ))
        }
        Err(std::fs::TryLockError::Error(error)) => {
            Err(error).with_context(|| format!("locking {}", path.display()))
        }
    }
}
