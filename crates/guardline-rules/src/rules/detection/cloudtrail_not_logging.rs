//! TRAIL-001.

use std::collections::BTreeMap;

use guardline_model::inventory::detection::{Trail, TrailDetails};
use guardline_model::{Section, Severity, Text};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That the account has a multi-region CloudTrail trail that is logging and records all management
    /// events, read and write (`cloudtrail:DescribeTrails`, `cloudtrail:GetTrailStatus`,
    /// `cloudtrail:GetEventSelectors`). One finding for the account; a failure names the trails that exist
    /// and why none of them counts.
    ///
    /// - Every scanned region lists its trails with the shadow trails (AWS's default): the multi-region
    ///   trails homed in other regions, and, in a member account, the organisation trail the management
    ///   account owns (the Control Tower default). Each is counted once, by ARN, and read by ARN. An
    ///   organisation trail of another account passes, and the message says whose it is.
    /// - Management events: basic event selectors with `IncludeManagementEvents` and `ReadWriteType` All, or
    ///   advanced selectors on `eventCategory` Management without a `readOnly` filter (or one of each
    ///   kind). A trail that logs only data events, only reads, only writes, or only some event sources does
    ///   not count; one that excludes a few sources (`ExcludeManagementEventSources`, e.g. AWS KMS) counts, and
    ///   the message names them.
    ///
    /// ## Why it matters
    /// CloudTrail's record of API calls is what an incident investigation starts from: who created that
    /// user, from where, with which key. The console's event history keeps only 90 days, region by region; a
    /// trail that covers every region and is logging keeps the record for as long as its bucket does,
    /// including for regions nobody uses, which is where attackers like to start instances. GuardDuty (4-3)
    /// and AWS Config (2-3) do not replace it.
    ///
    /// ## Guideline
    /// Not an item of the guideline: a CIS AWS Foundations baseline that the guideline's detection (section
    /// 4) relies on.
    ///
    /// ## How to fix
    /// Create a multi-region trail (the bucket needs the CloudTrail bucket policy), or start logging on the
    /// one that is stopped, and make it log all management events (in the trail's home region):
    ///
    /// ```sh
    /// aws cloudtrail create-trail --name management-events --s3-bucket-name example-cloudtrail-logs \
    ///   --is-multi-region-trail --enable-log-file-validation
    /// aws cloudtrail start-logging --name management-events
    /// aws cloudtrail put-event-selectors --trail-name management-events \
    ///   --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
    /// ```
    ///
    /// An organisation trail is the management account's to fix.
    ///
    /// ## Fix safety
    /// Safe: a trail only records. The first copy of management events is free; S3 storage is billed. An
    /// existing trail's selectors are only added to (a selector for all management events), never narrowed.
    ///
    /// ## References
    /// - CIS AWS Foundations 3.1 (ensure CloudTrail is enabled in all regions)
    /// - AWS FSBP CloudTrail.1
    ///
    /// ## 確認内容
    /// アカウントに、ログ記録中で、読み取り・書き込みの全管理イベントを記録するマルチリージョンの CloudTrail 証跡があること
    /// (`cloudtrail:DescribeTrails`、`cloudtrail:GetTrailStatus`、`cloudtrail:GetEventSelectors`)。検出結果はアカウントに
    /// 1 つで、不合格のときは存在する証跡と、どれも数えない理由を示します。
    ///
    /// - スキャンした各リージョンは、シャドウ証跡付きで証跡を一覧します(AWS の既定)。他のリージョンをホームとするマルチ
    ///   リージョン証跡と、メンバーアカウントでは管理アカウントが所有する組織の証跡(Control Tower の既定)です。それぞれ
    ///   ARN で 1 回だけ数え、ARN で読みます。他のアカウントの組織の証跡は合格とし、メッセージで誰のものかを示します。
    /// - 管理イベント: `IncludeManagementEvents` と `ReadWriteType` All を持つ基本イベントセレクター、または `readOnly` の
    ///   絞り込みのない `eventCategory` Management の高度なセレクター(または両方の種類を 1 つずつ)。データイベントのみ、
    ///   読み取りのみ、書き込みのみ、または一部のイベントソースのみを記録する証跡は数えません。少数のソースを除外する
    ///   (`ExcludeManagementEventSources`。例: AWS KMS)証跡は数え、メッセージでそれらを示します。
    ///
    /// ## 重要な理由
    /// CloudTrail による API 呼び出しの記録は、インシデント調査の出発点です。誰がそのユーザーを作ったか、どこから、どの
    /// キーで。コンソールのイベント履歴はリージョンごとに 90 日分しか保持しません。全リージョンを対象にログ記録中の証跡は、
    /// バケットが保持する限り記録を残し、誰も使わないリージョン(攻撃者がインスタンスを起動したがる場所)の分も残します。
    /// GuardDuty(4-3)と AWS Config(2-3)はその代わりにはなりません。
    ///
    /// ## ガイドライン
    /// ガイドラインの項目ではありません。ガイドラインの検知(セクション 4)が前提とする CIS AWS Foundations の基本設定です。
    ///
    /// ## 修正方法
    /// マルチリージョン証跡を作成する(バケットには CloudTrail 用のバケットポリシーが必要です)か、停止している証跡のログ
    /// 記録を開始し、全管理イベントを記録するようにします(証跡のホームリージョンで実行します)。
    ///
    /// ```sh
    /// aws cloudtrail create-trail --name management-events --s3-bucket-name example-cloudtrail-logs \
    ///   --is-multi-region-trail --enable-log-file-validation
    /// aws cloudtrail start-logging --name management-events
    /// aws cloudtrail put-event-selectors --trail-name management-events \
    ///   --event-selectors '[{"ReadWriteType":"All","IncludeManagementEvents":true}]'
    /// ```
    ///
    /// 組織の証跡の修正は管理アカウントが行います。
    ///
    /// ## 修正の安全性
    /// 安全: 証跡は記録するだけです。管理イベントの最初のコピーは無料で、S3 のストレージは課金されます。既存の証跡の
    /// セレクターには追加するだけで(全管理イベントのセレクター)、決して絞り込みません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 3.1(CloudTrail が全リージョンで有効である)
    /// - AWS FSBP CloudTrail.1
    pub static RULE = {
        id: "TRAIL-001",
        name: "cloudtrail-not-logging",
        title: "A multi-region CloudTrail trail is logging",
        title_ja: "マルチリージョンの CloudTrail 証跡が記録している",
        section: Section::Detection,
        item: "CIS",
        severity: Severity::High,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Create a multi-region CloudTrail trail and start its logging",
            ja: "マルチリージョンの CloudTrail 証跡を作成し、ログ記録を開始する",
            command: None,
        },
        data: &["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetEventSelectors"],
        check: check,
        plan: Some(plan),
    }
}

/// A trail with what it records, joined over the regions that list it (by ARN).
struct Seen<'a> {
    trail: &'a Trail,
    details: Option<&'a TrailDetails>,
}

/// Every trail the scanned regions list, once per ARN, with the copy that carries its details; and the
/// regions whose trails could not be listed.
fn trails<'a>(cx: &Context<'a>) -> (Vec<Seen<'a>>, Vec<Text>) {
    let mut seen: BTreeMap<&str, Seen<'a>> = BTreeMap::new();
    let mut not_collected = Vec::new();
    for (region, inventory) in cx.regions() {
        match inventory.trails.get() {
            Ok(trails) => {
                for trail in trails {
                    let entry = seen.entry(trail.arn.as_str()).or_insert(Seen { trail, details: None });
                    if entry.details.is_none() {
                        entry.details = trail.details.as_ref();
                    }
                }
            }
            Err(error) => {
                not_collected.push(text!("the trails of {region} ({error})", "{region} の証跡 ({error})"))
            }
        }
    }
    (seen.into_values().collect(), not_collected)
}

/// The account that owns a trail: the account field of its ARN.
fn owner(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// What a trail lacks to satisfy the control, if anything; `Err` when it lacks nothing that was collected
/// but part of what it records was not collected (a single-region trail fails whatever its status).
fn gaps(seen: &Seen<'_>) -> Result<Vec<Text>, Text> {
    let trail = seen.trail;
    let (name, home) = (&trail.name, &trail.home_region);
    let mut gaps = Vec::new();
    if !trail.multi_region {
        gaps.push(text!("it is single-region", "シングルリージョンです"));
    }
    let Some(details) = seen.details else {
        return if gaps.is_empty() {
            Err(text!(
                "the status of trail {name} ({home}), read in a region whose trails were not collected",
                "証跡 {name} ({home}) のステータス (読み取るリージョンの証跡を取得できませんでした)"
            ))
        } else {
            Ok(gaps)
        };
    };
    let mut unknown = None;
    match details.is_logging.get() {
        Ok(true) => {}
        Ok(false) => gaps.push(text!("it is not logging", "ログを記録していません")),
        Err(error) => {
            unknown = Some(text!(
                "the status of trail {name} ({home}) ({error})",
                "証跡 {name} ({home}) のステータス ({error})"
            ))
        }
    }
    match details.management_events.get() {
        Ok(events) if events.read && events.write => {}
        Ok(events) => gaps.push(match (events.read, events.write) {
            (false, false) if events.only_some_sources => text!(
                "it logs management events of some event sources only",
                "一部のイベントソースの管理イベントしか記録していません"
            ),
            (false, false) => text!("it logs no management events", "管理イベントを記録していません"),
            (true, false) => text!(
                "it logs only read-only management events (write calls are not recorded)",
                "読み取りの管理イベントしか記録していません (書き込みの API 呼び出しが記録されません)"
            ),
            _ => text!(
                "it logs only write management events (read calls such as GetSecretValue are not recorded)",
                "書き込みの管理イベントしか記録していません (GetSecretValue などの読み取りが記録されません)"
            ),
        }),
        Err(error) => {
            unknown.get_or_insert(text!(
                "the event selectors of trail {name} ({home}) ({error})",
                "証跡 {name} ({home}) のイベントセレクタ ({error})"
            ));
        }
    }
    match unknown {
        Some(unknown) if gaps.is_empty() => Err(unknown),
        _ => Ok(gaps),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    if !out.require_regions(cx, &account) {
        return;
    }
    let (trails, mut not_collected) = trails(cx);
    let mut problems: Vec<Text> = Vec::new();
    for seen in &trails {
        let trail = seen.trail;
        let (name, home) = (&trail.name, &trail.home_region);
        match gaps(seen) {
            Ok(gaps) if gaps.is_empty() => {
                let excluded = match seen.details.and_then(|details| details.management_events.get().ok()) {
                    Some(events) if !events.excluded_sources.is_empty() => {
                        let sources = events.excluded_sources.join(", ");
                        text!(", except the events of {sources}", " (ただし {sources} のイベントは除外)")
                    }
                    _ => Text::new("", ""),
                };
                let (excluded_en, excluded_ja) = (&excluded.en, &excluded.ja);
                let trail_owner = owner(&trail.arn);
                let message = if trail.organization && trail_owner != cx.account_id() {
                    text!(
                        "organization trail {name} of account {trail_owner} (home region {home}) logs this \
                         account's management events in every region{excluded_en}",
                        "アカウント {trail_owner} の組織の証跡 {name} (ホームリージョン {home}) が、このアカウントの\
                         管理イベントを全リージョンで記録しています{excluded_ja}"
                    )
                } else {
                    text!(
                        "multi-region trail {name} (home region {home}) is logging all management \
                         events{excluded_en}",
                        "マルチリージョンの証跡 {name} (ホームリージョン {home}) がすべての管理イベントを記録しています\
                         {excluded_ja}"
                    )
                };
                out.pass(GLOBAL, account, message);
                return;
            }
            Ok(gaps) => {
                let gaps = join_with(&gaps, ", ", "、");
                let (gaps_en, gaps_ja) = (&gaps.en, &gaps.ja);
                problems.push(text!("trail {name} ({home}): {gaps_en}", "証跡 {name} ({home}): {gaps_ja}"));
            }
            Err(missing) => not_collected.push(missing),
        }
    }
    if !not_collected.is_empty() {
        let missing = join(&not_collected);
        let (missing_en, missing_ja) = (&missing.en, &missing.ja);
        out.not_evaluated_because(
            GLOBAL,
            account,
            text!(
                "could not be evaluated: no trail collected is a logging multi-region trail, but these were not \
                 collected: {missing_en}",
                "評価できません: 取得できた範囲にはログを記録しているマルチリージョンの証跡がありませんが、\
                 次のデータを取得できませんでした: {missing_ja}"
            ),
        );
        return;
    }
    if problems.is_empty() {
        out.fail(
            GLOBAL,
            account,
            text!(
                "no CloudTrail trail exists in the scanned regions: API activity is not recorded",
                "スキャンしたリージョンに CloudTrail の証跡がなく、API の操作が記録されていません"
            ),
        );
        return;
    }
    let problems = join_with(&problems, "; ", "。");
    let (problems_en, problems_ja) = (&problems.en, &problems.ja);
    out.fail(
        GLOBAL,
        account,
        text!(
            "no multi-region CloudTrail trail logs all management events: {problems_en}",
            "すべての管理イベントを記録しているマルチリージョンの CloudTrail 証跡がありません: {problems_ja}"
        ),
    );
}

/// Joins texts, `; ` in English and `、` in Japanese.
fn join(items: &[Text]) -> Text {
    join_with(items, "; ", "、")
}

fn join_with(items: &[Text], en: &str, ja: &str) -> Text {
    Text::new(
        items.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join(en),
        items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join(ja),
    )
}

/// Start (and make log all management events) this account's multi-region trail that exists but falls short,
/// or create one in the home region. An organisation trail of another account is its owner's to fix.
fn plan(fix: &FixContext<'_>, _failing: &[&Finding]) -> Vec<Planned> {
    let (trails, _) = trails(&fix.cx);
    let own = trails.iter().find(|seen| {
        seen.trail.multi_region
            && owner(&seen.trail.arn) == fix.cx.account_id()
            && gaps(seen).is_ok_and(|gaps| !gaps.is_empty())
    });
    match own {
        Some(seen) => vec![Planned::Change {
            region: seen.trail.home_region.clone(),
            action: FixAction::EnableCloudTrail {
                existing_trail: Some(seen.trail.name.clone()),
                bucket: fix.log_bucket(),
            },
        }],
        None => vec![Planned::Change {
            region: fix.cx.params.home_region.clone(),
            action: FixAction::EnableCloudTrail { existing_trail: None, bucket: fix.log_bucket() },
        }],
    }
}
