//! `[watch.sources.changes]`, the drift watcher: a change that breaks a control is an alert within seconds,
//! and putting it right is a "resolved" message, at the cost of a few API calls per change, never a rescan.
//!
//! An EventBridge rule in each watched region sends the CloudTrail management events ("AWS API Call via
//! CloudTrail") of the calls that can change a verdict ([`guardline_rules::drift::CHANGE_EVENTS`]), and
//! AWS Config's "Configuration Item Change" events, to an SQS queue. Each round ([`Changes::round`])
//! receives ten messages per queue (long polling; up to fifty from a backlog), maps each event to the
//! controls it can change and to what to read again ([`guardline_collect::recollect`]: security groups by
//! ID, a bucket by name, or one collector), coalesces the batch (fifty events on groups of one region are
//! one `DescribeSecurityGroups`), reads that into a copy
//! of the account's last known snapshot (the baseline, kept in the outbox database and collected in full at
//! the first start and once a day), and evaluates only the affected controls (those the events can change,
//! and those whose data the re-reads refreshed) before and after, with the account's profile and exceptions.
//!
//! - A finding that fails (or warns) after the change and did not before is an alert naming the control,
//!   the resource, and from the event who made the change (principal, session issuer), from where (source
//!   IP, user agent), when, and the CloudTrail console link.
//! - A finding that passes again (or whose resource is gone) is a "resolved" candidate: the outbox
//!   announces it only when the failure was reported, and forgets it in the same transaction.
//! - An excepted or not-adopted control never fails, so it stays quiet; NOT EVALUATED is neither.
//!
//! The verdict always comes from reading the resource now, never from the event's content: a duplicated
//! event reads the same state (and the outbox's `seen` drops the repeat), a late or out-of-order one reads
//! the current state, so neither gives a duplicate or a stale alert. Messages are deleted only after the
//! outbox holds their result ([`Changes::settle`], called by the watcher after persisting): a crash before
//! that redelivers them, and re-reading gives the same alerts, which the outbox has already seen. A message
//! whose re-read failed is left in the queue, to come back after its visibility timeout.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use guardline_collect::recollect::{self, Scope};
use guardline_config::Config;
use guardline_model::Snapshot;
use guardline_rules::engine::{EvaluatedFinding, Outcome, evaluate_only};
use serde_json::Value;

use super::{Candidate, sdk_error};
use crate::event::{Change, Event, EventKind, Severity};
use crate::outbox::now_ms;

/// The source's name, as routes name it.
pub const NAME: &str = "changes";

/// A baseline older than this is collected again in full (what no event reports, such as a user becoming
/// unused, and anything a lost event missed, is caught up then).
pub const REFRESH: Duration = Duration::from_secs(24 * 3600);

/// ReceiveMessage returns at most ten messages.
const BATCH: i32 = 10;

/// The `detail-type` of a CloudTrail management event on EventBridge.
pub const CLOUDTRAIL_DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// The `detail-type` of an AWS Config item change on EventBridge.
pub const CONFIG_DETAIL_TYPE: &str = "Config Configuration Item Change";

/// The last known snapshot of the account, and when its full collection was taken (Unix ms).
#[derive(Debug, Clone)]
pub struct Baseline {
    pub snapshot: Snapshot,
    pub taken_at: i64,
}

/// One region's queue.
struct Queue {
    region: String,
    name: String,
    client: aws_sdk_sqs::Client,
    url: tokio::sync::OnceCell<String>,
}

/// The drift source: its queues, what it re-reads with, and the baseline.
pub struct Changes {
    queues: Vec<Queue>,
    /// Credentials and settings for re-reading (the account-wide region; regional copies are made).
    sdk: SdkConfig,
    /// The profiles and exceptions the controls are judged with.
    config: Arc<Config>,
    /// How the full collection of the baseline runs (its regions, concurrency, timeouts).
    collect: guardline_collect::CollectOptions,
    baseline: Mutex<Option<Baseline>>,
    /// The history database each re-evaluation is recorded in (`None`: not recorded).
    history: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queues: Vec<String> =
            self.queues.iter().map(|queue| format!("{} in {}", queue.name, queue.region)).collect();
        f.debug_struct("Changes").field("queues", &queues).finish_non_exhaustive()
    }
}

/// What one round found, and what to do once its candidates are persisted.
#[derive(Debug, Default)]
pub struct Round {
    pub candidates: Vec<Candidate>,
    /// Why (part of) the round failed: a queue that could not be read, a re-read that failed.
    pub error: Option<String>,
    /// Messages received.
    pub received: usize,
    /// API calls made to re-read (not counting SQS).
    pub calls: u32,
    pub settle: Settle,
}

/// Done after the round's candidates are in the outbox: the new baseline to store, the messages to delete.
#[derive(Debug, Default)]
pub struct Settle {
    pub baseline: Option<Baseline>,
    /// The account's whole evaluation after the round's changes, to record in the history.
    record: Option<Box<guardline_rules::Evaluation>>,
    /// Per queue (by index), the receipt handles of the messages that are done.
    done: BTreeMap<usize, Vec<String>>,
}

/// One change event, read from its message.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The account the change was made in.
    pub account: String,
    pub region: String,
    /// The controls it can change.
    pub controls: &'static [&'static str],
    /// What to read again.
    pub scopes: Vec<Scope>,
    /// Names in the request (a group ID, a bucket name, ...), to tell which change a finding follows.
    pub hints: Vec<String>,
    /// Who, from where, when: the alert's facts (without the control and the message).
    pub facts: Change,
    pub link: Option<String>,
}

/// Why a message is not a change to re-check (it is deleted: it never will be one).
#[derive(Debug, Clone, PartialEq)]
pub enum Skip {
    NotJson(String),
    /// Neither a CloudTrail event nor a Config item change.
    OtherEvent(String),
    /// The call failed (`errorCode`) or only read: nothing changed.
    NoChange(String),
    /// No control depends on it.
    Irrelevant(String),
}

/// The request keys whose values name the resource a call changed.
const HINT_KEYS: &[&str] = &[
    "groupId",
    "bucketName",
    "name",
    "trailName",
    "userName",
    "roleName",
    "groupName",
    "policyArn",
    "detectorId",
    "ruleName",
    "topicArn",
    "configurationRecorderName",
    "analyzerName",
    "budgetName",
];

/// Reads one EventBridge event (an SQS message body) as a change. `scanned` is every region of the
/// baseline.
pub fn observe(body: &str, scanned: &[String]) -> Result<Observed, Skip> {
    let event: Value = serde_json::from_str(body).map_err(|error| Skip::NotJson(error.to_string()))?;
    let detail_type = event.get("detail-type").and_then(Value::as_str).unwrap_or_default();
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    let text = |value: &Value, key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    let envelope_account = text(&event, "account").unwrap_or_default();
    let envelope_region = text(&event, "region").unwrap_or_default();
    match detail_type {
        CLOUDTRAIL_DETAIL_TYPE => {
            let source = text(&detail, "eventSource").unwrap_or_default();
            let name = text(&detail, "eventName").unwrap_or_default();
            let what = format!("{source} {name}");
            if let Some(code) = text(&detail, "errorCode") {
                return Err(Skip::NoChange(format!("{what} failed ({code})")));
            }
            if detail.get("readOnly").and_then(Value::as_bool) == Some(true) {
                return Err(Skip::NoChange(format!("{what} only reads")));
            }
            let controls = guardline_rules::drift::controls_for(&source, &name);
            if controls.is_empty() {
                return Err(Skip::Irrelevant(what));
            }
            let region = text(&detail, "awsRegion").unwrap_or(envelope_region);
            let request = detail.get("requestParameters").cloned().unwrap_or(Value::Null);
            let scopes = recollect::scopes_for(&source, &name, &region, &request, scanned);
            let identity = detail.get("userIdentity").cloned().unwrap_or(Value::Null);
            let issuer = identity.pointer("/sessionContext/sessionIssuer/arn").and_then(Value::as_str);
            let event_id = text(&detail, "eventID");
            let link = event_id.as_ref().map(|id| {
                format!(
                    "https://{region}.console.aws.amazon.com/cloudtrailv2/home?region={region}#/events/{id}"
                )
            });
            Ok(Observed {
                account: text(&detail, "recipientAccountId").unwrap_or(envelope_account),
                controls,
                scopes,
                hints: hints(&request),
                facts: Change {
                    event_name: Some(name),
                    principal: text(&identity, "arn"),
                    session_issuer: issuer.map(str::to_owned),
                    source_ip: text(&detail, "sourceIPAddress"),
                    user_agent: text(&detail, "userAgent"),
                    event_time: text(&detail, "eventTime").or_else(|| text(&event, "time")),
                    ..Change::default()
                },
                link,
                region,
            })
        }
        CONFIG_DETAIL_TYPE => {
            let item = detail.get("configurationItem").cloned().unwrap_or(Value::Null);
            let kind = text(&item, "resourceType").unwrap_or_default();
            let id = text(&item, "resourceId").unwrap_or_default();
            let controls = guardline_rules::drift::controls_for_config_item(&kind);
            if controls.is_empty() {
                return Err(Skip::Irrelevant(format!("Config item {kind}")));
            }
            let region = text(&item, "awsRegion").unwrap_or(envelope_region);
            let scopes = recollect::scopes_for_config_item(&kind, &id, &region, scanned);
            let link = format!(
                "https://{region}.console.aws.amazon.com/config/home?region={region}#/resources/details?resourceId={id}&resourceType={kind}"
            );
            Ok(Observed {
                account: text(&item, "awsAccountId").unwrap_or(envelope_account),
                controls,
                scopes,
                hints: vec![id],
                facts: Change {
                    event_name: Some(format!("AWS Config: {kind} changed")),
                    event_time: text(&item, "configurationItemCaptureTime").or_else(|| text(&event, "time")),
                    ..Change::default()
                },
                link: Some(link),
                region,
            })
        }
        other => Err(Skip::OtherEvent(other.to_owned())),
    }
}

/// The string values of the request keys that name a resource, at any depth.
fn hints(request: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![request];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match value {
                        Value::String(text) if HINT_KEYS.contains(&key.as_str()) && !text.is_empty() => {
                            found.push(text.clone());
                        }
                        Value::Object(_) | Value::Array(_) => stack.push(value),
                        _ => {}
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    found
}

/// A finding's identity across evaluations: control, region, resource, subject.
type FindingKey = (String, String, String, Option<String>);

fn key_of(finding: &EvaluatedFinding) -> FindingKey {
    let f = &finding.finding;
    (f.control.clone(), f.region.clone(), f.resource.clone(), f.subject.clone())
}

/// The outbox item of a finding: `drift:ACCOUNT:CONTROL:REGION:RESOURCE[:SUBJECT]`.
fn item_of(account: &str, key: &FindingKey) -> String {
    let (control, region, resource, subject) = key;
    match subject {
        Some(subject) => format!("drift:{account}:{control}:{region}:{resource}:{subject}"),
        None => format!("drift:{account}:{control}:{region}:{resource}"),
    }
}

fn failing(outcome: Outcome) -> bool {
    matches!(outcome, Outcome::Fail | Outcome::Warn)
}

/// The change a finding follows: of those that can change its control, the last one whose request names
/// the resource, else the last one.
fn cause<'a>(changes: &'a [Observed], control: &str, resource: &str) -> Option<&'a Observed> {
    let relevant: Vec<&Observed> =
        changes.iter().filter(|change| change.controls.contains(&control)).collect();
    relevant
        .iter()
        .rev()
        .find(|change| change.hints.iter().any(|hint| resource.contains(hint.as_str())))
        .or_else(|| relevant.last())
        .copied()
}

/// The candidates of one re-evaluation: an alert for each finding that fails after and did not before, a
/// resolved candidate for each finding that passes after (announced only if its failure was reported)
/// and each failure before whose resource is gone after.
pub fn transitions(
    before: &[EvaluatedFinding],
    after: &[EvaluatedFinding],
    changes: &[Observed],
    account_id: &str,
    account_alias: Option<&str>,
) -> Vec<Candidate> {
    let before_by_key: BTreeMap<FindingKey, &EvaluatedFinding> =
        before.iter().map(|finding| (key_of(finding), finding)).collect();
    let after_keys: BTreeSet<FindingKey> = after.iter().map(key_of).collect();
    let mut candidates = Vec::new();
    for finding in after {
        let key = key_of(finding);
        let was_failing = before_by_key.get(&key).is_some_and(|before| failing(before.outcome));
        if failing(finding.outcome) && !was_failing {
            candidates.push(candidate(finding, EventKind::Alert, changes, account_id, account_alias, None));
        } else if finding.outcome == Outcome::Pass {
            candidates.push(candidate(
                finding,
                EventKind::Resolved,
                changes,
                account_id,
                account_alias,
                None,
            ));
        }
    }
    for (key, finding) in &before_by_key {
        if failing(finding.outcome) && !after_keys.contains(key) {
            let gone = (
                format!("{} no longer exists", finding.finding.resource),
                format!("{} は存在しなくなりました", finding.finding.resource),
            );
            candidates.push(candidate(
                finding,
                EventKind::Resolved,
                changes,
                account_id,
                account_alias,
                Some(gone),
            ));
        }
    }
    candidates
}

fn candidate(
    finding: &EvaluatedFinding,
    kind: EventKind,
    changes: &[Observed],
    account_id: &str,
    account_alias: Option<&str>,
    message: Option<(String, String)>,
) -> Candidate {
    let f = &finding.finding;
    let item = item_of(account_id, &key_of(finding));
    let cause = cause(changes, &f.control, &f.resource);
    let (message_en, message_ja) = message.unwrap_or_else(|| (f.message.en.clone(), f.message.ja.clone()));
    let mut facts = cause.map(|change| change.facts.clone()).unwrap_or_default();
    facts.control.clone_from(&f.control);
    facts.resource = match &f.subject {
        Some(subject) => format!("{} ({subject})", f.resource),
        None => f.resource.clone(),
    };
    facts.message_en = message_en;
    facts.message_ja = message_ja;
    let resolved = kind == EventKind::Resolved;
    let mut title = if resolved {
        format!("{} resolved: {}", f.control, facts.message_en)
    } else {
        format!("{} failed: {}", f.control, facts.message_en)
    };
    if let Some(principal) = &facts.principal {
        title.push_str(&format!(" by {principal}"));
    }
    let mut event = Event::alert(item.clone(), NAME, title);
    event.kind = kind;
    event.account_id = Some(account_id.to_owned());
    event.account_alias = account_alias.map(str::to_owned);
    event.region = Some(if f.region == "global" {
        cause.map_or_else(|| f.region.clone(), |change| change.region.clone())
    } else {
        f.region.clone()
    });
    if !resolved {
        event.severity = Some(Severity::label(&finding.severity.label().to_ascii_uppercase()));
    }
    event.link = cause.and_then(|change| change.link.clone());
    event.time = facts.event_time.clone();
    event.change = Some(Box::new(facts));
    Candidate { item, level: 0.0, event, resolved }
}

impl Changes {
    /// The source over `queue` in each of `regions`, re-reading with `sdk` and judging with `config`; the
    /// baseline is collected with `collect`; each re-evaluation is recorded in `history`.
    pub fn new(
        sdk: &SdkConfig,
        queue: &str,
        regions: &[String],
        config: Arc<Config>,
        collect: guardline_collect::CollectOptions,
        history: Option<std::path::PathBuf>,
    ) -> Changes {
        let queues = regions
            .iter()
            .map(|region| {
                let regional = sdk.to_builder().region(aws_config::Region::new(region.clone())).build();
                Queue {
                    region: region.clone(),
                    name: queue.to_owned(),
                    client: aws_sdk_sqs::Client::new(&regional),
                    url: tokio::sync::OnceCell::new(),
                }
            })
            .collect();
        Changes { queues, sdk: sdk.clone(), config, collect, baseline: Mutex::new(None), history }
    }

    fn current(&self) -> Option<Baseline> {
        self.baseline.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Whether the baseline is in memory (else the watcher passes the stored one to [`Changes::round`]).
    pub fn has_baseline(&self) -> bool {
        self.baseline.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).is_some()
    }

    /// One round: the baseline made current (`stored`: the outbox's, when none is in memory), then up to
    /// ten messages from each queue, waiting up to `wait_seconds` for the first, re-checked.
    pub async fn round(&self, wait_seconds: i32, stored: Option<(i64, String)>) -> Round {
        let mut round = Round::default();
        let mut errors = Vec::new();
        let mut base = self.current();
        if base.is_none()
            && let Some((taken_at, body)) = stored
        {
            match Snapshot::from_json(&body) {
                Ok(snapshot) => base = Some(Baseline { snapshot, taken_at }),
                Err(error) => {
                    tracing::warn!(%error, "the stored drift baseline is unusable; collecting anew")
                }
            }
        }
        if base.is_none() {
            match self.collect_baseline(&mut round).await {
                Ok(fresh) => {
                    round.settle.baseline = Some(fresh.clone());
                    base = Some(fresh);
                }
                Err(error) => {
                    round.error = Some(error);
                    return round;
                }
            }
        }
        let Some(base) = base else { return round };
        let scanned: Vec<String> = base.snapshot.regions.keys().cloned().collect();
        let receives = self.queues.iter().map(|queue| receive(queue, wait_seconds));
        let mut observed: Vec<(usize, String, Observed)> = Vec::new();
        for (index, received) in futures::future::join_all(receives).await.into_iter().enumerate() {
            let queue = &self.queues[index];
            let messages = match received {
                Ok(messages) => messages,
                Err(error) => {
                    errors.push(format!("queue {} in {}: {error}", queue.name, queue.region));
                    continue;
                }
            };
            round.received += messages.len();
            for (receipt, body) in messages {
                match observe(&body, &scanned) {
                    Ok(change) if change.account != base.snapshot.account.id => {
                        tracing::warn!(
                            account = change.account,
                            watched = base.snapshot.account.id,
                            "a change of another account reached the queue: skipped"
                        );
                        round.settle.done.entry(index).or_default().push(receipt);
                    }
                    Ok(change) => observed.push((index, receipt, change)),
                    Err(skip) => {
                        tracing::debug!(?skip, queue = queue.name, "not a change to re-check");
                        round.settle.done.entry(index).or_default().push(receipt);
                    }
                }
            }
        }
        if !observed.is_empty() {
            let scopes: Vec<Scope> =
                observed.iter().flat_map(|(_, _, change)| change.scopes.iter().cloned()).collect();
            let mut after = base.snapshot.clone();
            let reread = recollect::recollect(&self.sdk, self.collect.concurrency, &mut after, &scopes).await;
            round.calls += reread.calls.values().sum::<u32>();
            let failed: BTreeSet<&Scope> = reread.failed.iter().map(|(scope, _)| scope).collect();
            for (scope, error) in &reread.failed {
                errors.push(format!("re-reading {}: {error}", scope.label()));
            }
            // The controls the events can change, and every control whose data the re-reads refreshed: a
            // collector re-run for one event also reads what another change (its event still on the way)
            // did, and that must be judged now, not absorbed into the baseline unseen.
            let mut controls: BTreeSet<&str> =
                observed.iter().flat_map(|(_, _, change)| change.controls.iter().copied()).collect();
            let touched: BTreeSet<&str> = reread.calls.keys().copied().collect();
            controls.extend(
                guardline_rules::RULES
                    .iter()
                    .filter(|rule| rule.data.iter().any(|action| touched.contains(action)))
                    .map(|rule| rule.id),
            );
            let rules: Vec<&'static guardline_rules::Rule> =
                controls.iter().filter_map(|id| guardline_rules::find_rule(id)).collect();
            let today = jiff::ZonedDateTime::now().date();
            let before = evaluate_only(&base.snapshot, &self.config, today, &rules);
            let now_evaluated = evaluate_only(&after, &self.config, today, &rules);
            let changes: Vec<Observed> = observed.iter().map(|(_, _, change)| change.clone()).collect();
            let alias = now_evaluated.account_alias.clone();
            round.candidates.extend(transitions(
                &before.findings,
                &now_evaluated.findings,
                &changes,
                &base.snapshot.account.id,
                alias.as_deref(),
            ));
            for (index, receipt, change) in observed {
                if change.scopes.iter().any(|scope| failed.contains(scope)) {
                    continue;
                }
                round.settle.done.entry(index).or_default().push(receipt);
            }
            let verdicts_moved = before.findings.len() != now_evaluated.findings.len()
                || before.findings.iter().zip(&now_evaluated.findings).any(|(was, is)| {
                    key_of(was) != key_of(is)
                        || was.outcome != is.outcome
                        || was.finding.message != is.finding.message
                });
            if self.history.is_some() && verdicts_moved {
                // The whole account as now known, for `history`, `diff` and the HTML trend; recorded at the
                // time of the change (its ages still measured against the baseline's collection).
                let mut recorded = guardline_rules::evaluate(&after, &self.config, today);
                recorded.collected_at = jiff::Timestamp::now();
                round.settle.record = Some(Box::new(recorded));
            }
            round.settle.baseline = Some(Baseline { snapshot: after, taken_at: base.taken_at });
        }
        // Once a day, after this round's changes were judged against the old baseline: a full collection,
        // which resolves what put itself right without an event.
        if now_ms() - base.taken_at > REFRESH.as_millis() as i64 {
            let latest = round.settle.baseline.take().unwrap_or(base);
            match self.collect_baseline(&mut round).await {
                Ok(fresh) => {
                    round.candidates.extend(caught_up(&self.config, &latest.snapshot, &fresh.snapshot));
                    round.settle.baseline = Some(fresh);
                }
                Err(error) => {
                    errors.push(error);
                    round.settle.baseline = Some(latest);
                }
            }
        }
        if !errors.is_empty() {
            round.error = Some(errors.join("; "));
        }
        round
    }

    /// A full collection of the account, as a scan makes it.
    async fn collect_baseline(&self, round: &mut Round) -> Result<Baseline, String> {
        let taken_at = now_ms();
        let output = guardline_collect::collect(&self.sdk, &self.collect, &guardline_collect::NoProgress)
            .await
            .map_err(|error| format!("cannot collect the drift baseline: {error}"))?;
        round.calls += output.calls.values().sum::<u32>();
        tracing::info!(account = output.snapshot.account.id, "drift baseline collected");
        Ok(Baseline { snapshot: output.snapshot, taken_at })
    }

    /// After the round's candidates are persisted (and its baseline stored): makes its baseline current,
    /// records the re-evaluation in the history and deletes its finished messages. Returns how many were deleted; a failed delete only means the
    /// message comes back, and re-checking it sends nothing twice.
    pub async fn settle(&self, settle: Settle) -> Result<usize, String> {
        if let Some(baseline) = settle.baseline {
            *self.baseline.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(baseline);
        }
        let mut deleted = 0;
        let mut errors = Vec::new();
        if let (Some(path), Some(evaluation)) = (&self.history, settle.record) {
            let recorded = guardline_history::History::open(path)
                .and_then(|mut history| history.record_as(&evaluation, guardline_history::Origin::Drift));
            match recorded {
                Ok(id) => tracing::info!(id, "drift re-evaluation recorded in the history"),
                Err(error) => errors.push(format!("recording the re-evaluation in the history: {error}")),
            }
        }
        for (index, receipts) in settle.done {
            let queue = &self.queues[index];
            let url = match queue_url(queue).await {
                Ok(url) => url,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            for chunk in receipts.chunks(BATCH as usize) {
                let entries: Vec<DeleteMessageBatchRequestEntry> = chunk
                    .iter()
                    .enumerate()
                    .filter_map(|(number, receipt)| {
                        DeleteMessageBatchRequestEntry::builder()
                            .id(format!("m{number}"))
                            .receipt_handle(receipt)
                            .build()
                            .ok()
                    })
                    .collect();
                match queue
                    .client
                    .delete_message_batch()
                    .queue_url(&url)
                    .set_entries(Some(entries))
                    .send()
                    .await
                {
                    Ok(output) => {
                        deleted += output.successful().len();
                        for failure in output.failed() {
                            errors.push(format!(
                                "queue {} in {}: a message was not deleted ({}: {})",
                                queue.name,
                                queue.region,
                                failure.code(),
                                failure.message().unwrap_or_default()
                            ));
                        }
                    }
                    Err(error) => errors.push(format!(
                        "queue {} in {}: cannot delete messages: {}",
                        queue.name,
                        queue.region,
                        sdk_error(&error)
                    )),
                }
            }
        }
        if errors.is_empty() { Ok(deleted) } else { Err(errors.join("; ")) }
    }
}

/// The resolved candidates of a full re-collection: failures the old baseline had that pass now (a
/// change no event reported, or an event lost): announced where they were reported, so that an alert
/// never stays open for good.
fn caught_up(config: &Config, old: &Snapshot, fresh: &Snapshot) -> Vec<Candidate> {
    let controls: BTreeSet<&str> = guardline_rules::drift::CHANGE_EVENTS
        .iter()
        .flat_map(|event| event.controls.iter().copied())
        .collect();
    let rules: Vec<&'static guardline_rules::Rule> =
        controls.iter().filter_map(|id| guardline_rules::find_rule(id)).collect();
    let today = jiff::ZonedDateTime::now().date();
    let before = evaluate_only(old, config, today, &rules);
    let after = evaluate_only(fresh, config, today, &rules);
    transitions(&before.findings, &after.findings, &[], &fresh.account.id, after.account_alias.as_deref())
        .into_iter()
        .filter(|candidate| candidate.resolved)
        .collect()
}

async fn queue_url(queue: &Queue) -> Result<String, String> {
    queue
        .url
        .get_or_try_init(|| async {
            let output =
                queue.client.get_queue_url().queue_name(&queue.name).send().await.map_err(|error| {
                    format!("queue {} in {}: {}", queue.name, queue.region, sdk_error(&error))
                })?;
            output.queue_url().map(str::to_owned).ok_or_else(|| format!("queue {} has no URL", queue.name))
        })
        .await
        .cloned()
}

/// One round reads at most this many receives of ten per queue: a backlog is taken in larger batches,
/// which coalesce better (every group of a region in one call).
const RECEIVES_PER_ROUND: usize = 5;

/// The messages of `queue` for one round: (receipt handle, body). The first receive waits up to
/// `wait_seconds` for a message; while receives come back full, up to [`RECEIVES_PER_ROUND`] follow
/// without waiting.
async fn receive(queue: &Queue, wait_seconds: i32) -> Result<Vec<(String, String)>, String> {
    let url = queue_url(queue).await?;
    let mut messages = Vec::new();
    for attempt in 0..RECEIVES_PER_ROUND {
        let wait = if attempt == 0 { wait_seconds } else { 0 };
        let output = queue
            .client
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(BATCH)
            .wait_time_seconds(wait)
            .send()
            .await
            .map_err(|error| sdk_error(&error))?;
        let received = output.messages().len();
        messages.extend(
            output.messages().iter().filter_map(|message| {
                Some((message.receipt_handle()?.to_owned(), message.body()?.to_owned()))
            }),
        );
        if received < BATCH as usize {
            break;
        }
    }
    Ok(messages)
}

#[cfg(test)]
mod tests;
