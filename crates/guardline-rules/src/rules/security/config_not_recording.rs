//! CONFIG-001.

use guardline_model::inventory::config::ConfigRecorder;
use guardline_model::{CollectError, Section, Severity};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// In every scanned region, AWS Config has a configuration recorder of the account's own that records all
    /// supported resource types (`allSupported`, or the `ALL_SUPPORTED_RESOURCE_TYPES` strategy), is running,
    /// and has a delivery channel. A failing region says which part is missing: a recorder with an exclusion
    /// strategy names the types it leaves out, one with an inclusion strategy how many it records. A
    /// service-linked recorder (`AWSConfigurationRecorderFor...`, with a `servicePrincipal`) records for its
    /// service alone and does not count. A recorder that records once a day (`DAILY`) still records every
    /// resource: it passes here, and CONFIG-002 reports the day's delay.
    ///
    /// Global resource types (IAM users, groups, roles, policies) need recording in one region only, so the
    /// rule does not fail a region without them; instead it reports one account-level (`global`) finding,
    /// which fails when no running recorder in any region includes them (`includeGlobalResourceTypes`, an
    /// exclusion strategy that does not leave them out, or an inclusion of all four).
    ///
    /// ## Why it matters
    /// Config is the account's change history: who changed a security group, when a bucket became public,
    /// what a resource looked like before an incident. Without a recorder in a region, changes there leave no
    /// trace, and the Config rules of CONFIG-003 evaluate nothing.
    ///
    /// ## Guideline
    /// 2-3: enable AWS Config, to look up the change history of resources, to restore earlier settings, and
    /// to be notified of unexpected changes.
    ///
    /// ## How to fix
    /// In each region, create (or fix) the recorder, give it a delivery channel, and start it (the console's
    /// one-click setup does the same):
    ///
    /// ```sh
    /// aws configservice put-configuration-recorder --configuration-recorder \
    ///   name=default,roleARN=arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig \
    ///   --recording-group allSupported=true,includeGlobalResourceTypes=true
    /// aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=config-bucket-123456789012
    /// aws configservice start-configuration-recorder --configuration-recorder-name default
    /// ```
    ///
    /// Set `includeGlobalResourceTypes=true` in one region only (e.g. the home region).
    ///
    /// ## Fix safety
    /// Safe: recording changes nothing in the workload. It does cost money per recorded configuration item.
    ///
    /// ## References
    /// - CIS AWS Foundations 3.3 (AWS Config is enabled in all regions)
    /// - AWS FSBP Config.1
    ///
    /// ## 確認内容
    /// スキャンした全リージョンで、AWS Config にアカウント自身の設定レコーダーがあり、サポートされるすべてのリソースタイプを
    /// 記録し(`allSupported`、または `ALL_SUPPORTED_RESOURCE_TYPES` 戦略)、実行中で、配信チャネルを持っていること。不合格の
    /// リージョンでは何が欠けているかを示します。除外戦略のレコーダーは除外しているタイプを、包含戦略のレコーダーはいくつの
    /// タイプを記録しているかを示します。サービスリンクレコーダー(`AWSConfigurationRecorderFor...`。`servicePrincipal` 付き)は
    /// そのサービスのためだけに記録するため数えません。1 日 1 回(`DAILY`)記録するレコーダーもすべてのリソースを記録するので
    /// ここでは合格とし、1 日の遅れは CONFIG-002 が報告します。
    ///
    /// グローバルリソースタイプ(IAM のユーザー、グループ、ロール、ポリシー)は 1 つのリージョンで記録すれば十分なので、それを
    /// 記録しないリージョンを不合格にはしません。代わりにアカウントレベル(`global`)の検出結果を 1 つ報告し、どのリージョンの
    /// 実行中のレコーダーもそれを含まない場合(`includeGlobalResourceTypes`、それを除外しない除外戦略、または 4 つすべての包含)
    /// に不合格とします。
    ///
    /// ## 重要な理由
    /// Config はアカウントの変更履歴です。誰がセキュリティグループを変更したか、バケットがいつ公開されたか、インシデントの
    /// 前にリソースがどうなっていたか。リージョンにレコーダーがなければそこでの変更は痕跡を残さず、CONFIG-003 の Config
    /// ルールも何も評価しません。
    ///
    /// ## ガイドライン
    /// 2-3: AWS Config を有効化し、リソースの変更履歴を調べ、変更前の設定に戻せるようにし、予期せぬ変更を通知できるように
    /// する。
    ///
    /// ## 修正方法
    /// 各リージョンでレコーダーを作成(または修正)し、配信チャネルを設定して開始します(コンソールのワンクリック
    /// セットアップも同じことをします)。
    ///
    /// ```sh
    /// aws configservice put-configuration-recorder --configuration-recorder \
    ///   name=default,roleARN=arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig \
    ///   --recording-group allSupported=true,includeGlobalResourceTypes=true
    /// aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=config-bucket-123456789012
    /// aws configservice start-configuration-recorder --configuration-recorder-name default
    /// ```
    ///
    /// `includeGlobalResourceTypes=true` は 1 つのリージョン(ホームリージョンなど)でだけ設定します。
    ///
    /// ## 修正の安全性
    /// 安全: 記録はワークロードに何の影響も与えません。ただし、記録した設定項目ごとに料金がかかります。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 3.3(AWS Config が全リージョンで有効である)
    /// - AWS FSBP Config.1
    pub static RULE = {
        id: "CONFIG-001",
        name: "config-not-recording",
        title: "AWS Config records every resource",
        title_ja: "AWS Config がすべてのリソースを記録している",
        section: Section::Security,
        item: "2-3",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Record every resource type with an AWS Config recorder and delivery channel",
            ja: "AWS Config のレコーダーと配信チャネルですべてのリソースタイプを記録する",
            command: None,
        },
        data: &[
            "config:DescribeConfigurationRecorders",
            "config:DescribeConfigurationRecorderStatus",
            "config:DescribeDeliveryChannels",
        ],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    // Regions whose running recorder includes global resource types, and the first region we could not read.
    let mut global_in = Vec::new();
    let mut global_unknown: Option<(&str, &CollectError)> = None;
    for (region, inventory) in cx.regions() {
        let resource = cx.arn("config", region, "configuration-recorder");
        let mut problems: Vec<(String, String)> = Vec::new();
        let mut unknown: Option<&CollectError> = None;
        let mut good: Option<&ConfigRecorder> = None;
        match inventory.config_recorders.get() {
            Ok(recorders) => {
                // A service-linked recorder records for its service only: never the account's own.
                let (own, linked): (Vec<&ConfigRecorder>, Vec<&ConfigRecorder>) =
                    recorders.iter().partition(|recorder| recorder.service_principal.is_none());
                if own
                    .iter()
                    .any(|recorder| recorder.recording == Some(true) && records_global_types(recorder))
                {
                    global_in.push(region);
                }
                good = own
                    .iter()
                    .copied()
                    .find(|recorder| recorder.all_supported && recorder.recording == Some(true));
                if own.is_empty() {
                    problems.push(match linked.first() {
                        None => {
                            ("no configuration recorder".to_owned(), "設定レコーダーがありません".to_owned())
                        }
                        Some(recorder) => {
                            let (name, service) =
                                (&recorder.name, recorder.service_principal.as_deref().unwrap_or_default());
                            (
                                format!(
                                    "no configuration recorder of the account's own (only the service-linked \
                                     recorder {name} of {service}, which records for that service alone)"
                                ),
                                format!(
                                    "アカウント自身の設定レコーダーがありません ({service} のサービスリンク\
                                     レコーダー {name} のみで、そのサービスのためだけに記録します)"
                                ),
                            )
                        }
                    });
                } else if good.is_none() {
                    problems.extend(own.iter().map(|recorder| recorder_problems(recorder)));
                }
            }
            Err(error) => {
                unknown = Some(error);
                global_unknown.get_or_insert((region, error));
            }
        }
        let mut channel = None;
        match inventory.delivery_channels.get() {
            Ok(channels) => match channels.first() {
                Some(first) => channel = Some(first),
                None => {
                    problems.push(("no delivery channel".to_owned(), "配信チャネルがありません".to_owned()))
                }
            },
            Err(error) => {
                unknown.get_or_insert(error);
            }
        }
        if !problems.is_empty() {
            let en: Vec<&str> = problems.iter().map(|(en, _)| en.as_str()).collect();
            let ja: Vec<&str> = problems.iter().map(|(_, ja)| ja.as_str()).collect();
            let (en, ja) = (en.join("; "), ja.join("、"));
            out.fail(
                region,
                resource,
                text!("AWS Config is not recording: {en}", "AWS Config が記録していません: {ja}"),
            );
        } else if let Some(error) = unknown {
            out.not_evaluated(region, resource, error);
        } else if let (Some(recorder), Some(channel)) = (good, channel) {
            let (name, channel_name) = (&recorder.name, &channel.name);
            let bucket = channel.s3_bucket.as_deref().unwrap_or("no S3 bucket");
            let (daily_en, daily_ja) = if recorder.frequency == "DAILY" {
                (" once a day (DAILY: see CONFIG-002)", " (1 日 1 回の DAILY 記録: CONFIG-002 を参照)")
            } else {
                ("", "")
            };
            out.pass(
                region,
                resource,
                text!(
                    "AWS Config recorder {name} records all resource types{daily_en} and is running; delivery \
                     channel {channel_name} delivers to {bucket}",
                    "AWS Config の設定レコーダー {name} はすべてのリソースタイプを記録中{daily_ja}で、配信チャネル \
                     {channel_name} の配信先は {bucket} です"
                ),
            );
        }
    }
    if cx.snapshot.regions.is_empty() {
        return;
    }
    let resource = cx.account_arn();
    if !global_in.is_empty() {
        let regions = global_in.join(", ");
        out.pass(
            GLOBAL,
            resource,
            text!(
                "global resource types (IAM) are recorded in {regions}",
                "グローバルリソース (IAM) は {regions} で記録されています"
            ),
        );
    } else if let Some((region, error)) = global_unknown {
        out.not_evaluated_because(
            GLOBAL,
            resource,
            text!(
                "could not be evaluated: no region records global resource types (IAM) so far, and the \
                 recorders of {region} could not be read: {error}",
                "評価できません: グローバルリソース (IAM) を記録しているリージョンは見つからず、{region} の\
                 設定レコーダーを取得できませんでした: {error}"
            ),
        );
    } else {
        out.fail(
            GLOBAL,
            resource,
            text!(
                "no region records global resource types (IAM users, groups, roles, policies): no running \
                 recorder includes them (includeGlobalResourceTypes, or an exclusion strategy that keeps them)",
                "グローバルリソース (IAM ユーザー、グループ、ロール、ポリシー) をどのリージョンでも記録していません \
                 (includeGlobalResourceTypes、またはそれらを除外しない除外戦略の稼働中の設定レコーダーがありません)"
            ),
        );
    }
}

/// The global IAM resource types.
const GLOBAL_TYPES: [&str; 4] = ["AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"];

/// Whether a recorder records the global IAM resource types: all supported types with
/// `includeGlobalResourceTypes`, an exclusion strategy that does not leave them out, or an inclusion that
/// lists every one of them.
fn records_global_types(recorder: &ConfigRecorder) -> bool {
    let listed = |kind: &&str| recorder.resource_types.iter().any(|listed| listed == kind);
    match recorder.strategy.as_str() {
        "EXCLUSION_BY_RESOURCE_TYPES" => !GLOBAL_TYPES.iter().any(listed),
        "INCLUSION_BY_RESOURCE_TYPES" => GLOBAL_TYPES.iter().all(listed),
        _ => recorder.include_global_resource_types,
    }
}

/// Why `recorder` does not count.
fn recorder_problems(recorder: &ConfigRecorder) -> (String, String) {
    let name = &recorder.name;
    let mut en = Vec::new();
    let mut ja = Vec::new();
    if !recorder.all_supported {
        let count = recorder.resource_types.len();
        let shown = recorder.resource_types.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        let more = if count > 5 { format!(" and {} more", count - 5) } else { String::new() };
        let more_ja = if count > 5 { format!(" ほか {} 件", count - 5) } else { String::new() };
        if recorder.strategy == "EXCLUSION_BY_RESOURCE_TYPES" {
            en.push(format!("leaves out {count} resource type(s) ({shown}{more})"));
            ja.push(format!("{count} 種類のリソースタイプを除外 ({shown}{more_ja})"));
        } else {
            en.push(format!("records only {count} selected resource type(s)"));
            ja.push(format!("選択した {count} 種類のリソースタイプのみ記録"));
        }
    }
    match recorder.recording {
        Some(true) => {}
        Some(false) => {
            let status =
                recorder.last_status.as_deref().map(|s| format!(" (last status {s})")).unwrap_or_default();
            let status_ja =
                recorder.last_status.as_deref().map(|s| format!(" (最終ステータス {s})")).unwrap_or_default();
            en.push(format!("is stopped{status}"));
            ja.push(format!("停止中{status_ja}"));
        }
        None => {
            en.push("has never been started".to_owned());
            ja.push("一度も開始されていない".to_owned());
        }
    }
    (format!("recorder {name} {}", en.join(" and ")), format!("設定レコーダー {name}: {}", ja.join("、")))
}

/// A recorder per failing region; global resource types are recorded in the home region only (recording
/// them in every region duplicates IAM items), so a failing account-wide finding plans the home region.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    let home = fix.cx.params.home_region.as_str();
    let mut planned = Vec::new();
    for finding in failing {
        let region = if finding.region == crate::context::GLOBAL { home } else { finding.region.as_str() };
        let change = Planned::Change {
            region: region.to_owned(),
            action: FixAction::RecordConfig {
                include_global_resource_types: region == home,
                bucket: fix.log_bucket(),
            },
        };
        if !planned.contains(&change) {
            planned.push(change);
        }
    }
    planned
}
