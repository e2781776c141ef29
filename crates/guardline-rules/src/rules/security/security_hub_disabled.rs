//! HUB-001.

use guardline_model::inventory::RegionInventory;
use guardline_model::{Section, Severity, Text};

use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

/// What the AWS Foundational Security Best Practices standard's ARN contains, whatever its version.
const FSBP: &str = "aws-foundational-security-best-practices";

declare_rule! {
    /// ## What it checks
    /// In every scanned region, AWS Security Hub CSPM (the service called Security Hub until 2025) is enabled
    /// and the AWS Foundational Security Best Practices (FSBP) standard is enabled in it with status `READY`
    /// (`PENDING`, while Security Hub sets it up, passes and says so). Any other status of the standard
    /// (`INCOMPLETE`, `FAILED`, `DELETING`) fails.
    ///
    /// Each message also says whether the new AWS Security Hub (2025: OCSF findings, exposure analysis;
    /// `securityhub:DescribeSecurityHubV2`) is enabled. It does not replace CSPM here: the FSBP controls run
    /// in Security Hub CSPM, so a region with the new Security Hub alone fails. With both on, a Config.1
    /// control that passes through a service-linked recorder is no evidence that the account records its
    /// own resources (CONFIG-001 leaves service-linked recorders out).
    ///
    /// ## Why it matters
    /// Security Hub with FSBP audits hundreds of settings continuously (security groups open to
    /// 0.0.0.0/0, unused IAM users, public buckets, ...), in every region. It is the baseline HUB-002's
    /// review of failed controls works from.
    ///
    /// ## Guideline
    /// 2-5: use Security Hub to audit the account's resources against the standard rules, decide which rules
    /// are adopted, and explain every failure.
    ///
    /// ## How to fix
    /// Enable Security Hub with the default standards (FSBP and CIS) in each region:
    ///
    /// ```sh
    /// aws securityhub enable-security-hub --enable-default-standards --region ap-northeast-1
    /// ```
    ///
    /// Where Security Hub is already on, enable the standard:
    /// `aws securityhub batch-enable-standards --standards-subscription-requests StandardsArn=arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0`.
    ///
    /// ## Fix safety
    /// Safe: Security Hub only reads configuration (through AWS Config, CONFIG-001). Each control check is
    /// billed.
    ///
    /// ## References
    /// - CIS AWS Foundations 4.16 (AWS Security Hub is enabled)
    /// - AWS FSBP: no control (it is the standard itself)
    ///
    /// ## 確認内容
    /// スキャンした全リージョンで、AWS Security Hub CSPM(2025 年まで Security Hub と呼ばれていたサービス)が有効で、その中で
    /// AWS 基礎セキュリティのベストプラクティス(FSBP)標準がステータス `READY` で有効になっていること(Security Hub が準備中の
    /// `PENDING` は合格とし、その旨を伝えます)。標準のそれ以外のステータス(`INCOMPLETE`、`FAILED`、`DELETING`)は不合格です。
    ///
    /// 各メッセージでは、新しい AWS Security Hub(2025 年: OCSF 形式の検出結果、露出分析。
    /// `securityhub:DescribeSecurityHubV2`)が有効かどうかも伝えます。ここではそれは CSPM の代わりになりません。FSBP の
    /// コントロールは Security Hub CSPM で動くため、新しい Security Hub だけのリージョンは不合格です。両方が有効な場合、
    /// サービスリンクレコーダーによって合格している Config.1 コントロールは、アカウントが自身のリソースを記録している証拠には
    /// なりません(CONFIG-001 はサービスリンクレコーダーを除外します)。
    ///
    /// ## 重要な理由
    /// FSBP 付きの Security Hub は、数百の設定(0.0.0.0/0 に開いたセキュリティグループ、使われていない IAM ユーザー、公開
    /// バケットなど)を全リージョンで継続的に監査します。HUB-002 の不合格コントロールのレビューは、これを基準にしています。
    ///
    /// ## ガイドライン
    /// 2-5: Security Hub を利用してアカウントのリソースが標準ルールに従っているかを監査し、採用するルールを決め、失敗した
    /// 項目はすべて説明できるようにする。
    ///
    /// ## 修正方法
    /// 各リージョンで、既定の標準(FSBP と CIS)付きで Security Hub を有効化します。
    ///
    /// ```sh
    /// aws securityhub enable-security-hub --enable-default-standards --region ap-northeast-1
    /// ```
    ///
    /// Security Hub がすでに有効な場合は、標準を有効化します:
    /// `aws securityhub batch-enable-standards --standards-subscription-requests StandardsArn=arn:aws:securityhub:ap-northeast-1::standards/aws-foundational-security-best-practices/v/1.0.0`
    ///
    /// ## 修正の安全性
    /// 安全: Security Hub は(AWS Config を通じて。CONFIG-001)設定を読むだけです。コントロールのチェックごとに課金されます。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations 4.16(AWS Security Hub が有効である)
    /// - AWS FSBP: 該当コントロールなし(標準そのもの)
    pub static RULE = {
        id: "HUB-001",
        name: "security-hub-disabled",
        title: "Security Hub runs the FSBP standard",
        title_ja: "Security Hub で FSBP 標準が有効である",
        section: Section::Security,
        item: "2-5",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Enable Security Hub CSPM with the FSBP standard",
            ja: "Security Hub CSPM を FSBP 標準付きで有効にする",
            command: None,
        },
        data: &["securityhub:DescribeHub", "securityhub:GetEnabledStandards", "securityhub:DescribeSecurityHubV2"],
        check: check,
        plan: Some(plan),
    }
}

/// Whether the new AWS Security Hub is on in the region, as a message suffix ("" when unknown).
fn v2_note(inventory: &RegionInventory) -> Text {
    match inventory.security_hub_v2.get() {
        Ok(true) => {
            text!("; the new AWS Security Hub is enabled too", "。新しい AWS Security Hub も有効です")
        }
        Ok(false) => {
            text!("; the new AWS Security Hub is not enabled", "。新しい AWS Security Hub は無効です")
        }
        Err(_) => Text::new("", ""),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    for (region, inventory) in cx.regions() {
        let note = v2_note(inventory);
        let (v2_en, v2_ja) = (&note.en, &note.ja);
        let hub = match inventory.security_hub.get() {
            Ok(Some(hub)) => hub,
            Ok(None) if inventory.security_hub_v2.get() == Ok(&true) => {
                out.fail(
                    region,
                    cx.arn("securityhub", region, "hub/default"),
                    text!(
                        "AWS Security Hub CSPM is not enabled (the new AWS Security Hub is, but the FSBP controls \
                         run in Security Hub CSPM)",
                        "AWS Security Hub CSPM が有効になっていません (新しい AWS Security Hub は有効ですが、FSBP の\
                         コントロールは Security Hub CSPM で実行されます)"
                    ),
                );
                continue;
            }
            Ok(None) => {
                out.fail(
                    region,
                    cx.arn("securityhub", region, "hub/default"),
                    text!(
                        "AWS Security Hub CSPM is not enabled{v2_en}",
                        "AWS Security Hub CSPM が有効になっていません{v2_ja}"
                    ),
                );
                continue;
            }
            Err(error) => {
                out.not_evaluated(region, cx.arn("securityhub", region, "hub/default"), error);
                continue;
            }
        };
        let resource = hub.hub_arn.as_str();
        let standards = match hub.standards.get() {
            Ok(standards) => standards,
            Err(error) => {
                out.not_evaluated(region, resource, error);
                continue;
            }
        };
        let fsbp: Vec<_> =
            standards.iter().filter(|standard| standard.standards_arn.contains(FSBP)).collect();
        if let Some(ready) = fsbp.iter().find(|standard| standard.status == "READY") {
            let arn = &ready.standards_arn;
            out.pass(
                region,
                resource,
                text!(
                    "AWS Security Hub CSPM is enabled with the FSBP standard ({arn}){v2_en}",
                    "AWS Security Hub CSPM が有効で、FSBP 標準 ({arn}) が有効です{v2_ja}"
                ),
            );
        } else if let Some(pending) = fsbp.iter().find(|standard| standard.status == "PENDING") {
            let arn = &pending.standards_arn;
            out.pass(
                region,
                resource,
                text!(
                    "AWS Security Hub CSPM is enabled and the FSBP standard ({arn}) is still being set up \
                     (PENDING){v2_en}",
                    "AWS Security Hub CSPM が有効で、FSBP 標準 ({arn}) は\
                     セットアップ中 (PENDING) です{v2_ja}"
                ),
            );
        } else if let Some(broken) = fsbp.first() {
            let (arn, status) = (&broken.standards_arn, &broken.status);
            out.fail(
                region,
                resource,
                text!(
                    "AWS Security Hub CSPM is enabled but its FSBP standard ({arn}) is {status}{v2_en}",
                    "AWS Security Hub CSPM は有効ですが、FSBP 標準 ({arn}) が \
                     {status} です{v2_ja}"
                ),
            );
        } else {
            let (others, others_ja) = if standards.is_empty() {
                ("no standard is enabled".to_owned(), "有効な標準はありません".to_owned())
            } else {
                let list: Vec<&str> =
                    standards.iter().map(|standard| standard.standards_arn.as_str()).collect();
                let list = list.join(", ");
                (format!("enabled standards: {list}"), format!("有効な標準: {list}"))
            };
            out.fail(
                region,
                resource,
                text!(
                    "AWS Security Hub CSPM is enabled without the FSBP standard ({others}){v2_en}",
                    "AWS Security Hub CSPM は有効ですが、FSBP 標準が有効になっていません \
                     ({others_ja}){v2_ja}"
                ),
            );
        }
    }
}

/// Security Hub (if off) and the FSBP standard in each failing region.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| {
            let region = finding.region.as_str();
            let hub_enabled = fix
                .cx
                .snapshot
                .regions
                .get(region)
                .is_some_and(|inventory| matches!(inventory.security_hub.get(), Ok(Some(_))));
            let partition = fix.cx.partition();
            let standard_arn = format!("arn:{partition}:securityhub:{region}::standards/{FSBP}/v/1.0.0");
            Planned::Change {
                region: region.to_owned(),
                action: FixAction::EnableSecurityHub { hub_enabled, standard_arn },
            }
        })
        .collect()
}
