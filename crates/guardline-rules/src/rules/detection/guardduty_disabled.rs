//! GUARDDUTY-001.

use guardline_config::RegionScope;
use guardline_model::{Section, Severity};

use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That GuardDuty has an enabled detector in every scanned region (`guardduty:ListDetectors`,
    /// `guardduty:GetDetector`), one finding per region. A profile may relax this to the home region only
    /// (`guardduty-regions = "home"`); the home region (`home-region`, by default `ap-northeast-1`, Tokyo) is
    /// mandatory either way, and when it was not among the scanned regions the control reports it NOT
    /// EVALUATED rather than passing without it.
    ///
    /// ## Why it matters
    /// GuardDuty reads CloudTrail, VPC flow logs and DNS logs with machine learning and threat intelligence,
    /// and reports suspicious activity: credentials used from unusual places, instances talking to known
    /// malicious hosts, cryptocurrency mining. It works per region: an attacker who starts instances in a
    /// region nobody uses is seen only if GuardDuty is enabled there too.
    ///
    /// ## Guideline
    /// 4-3 (enable GuardDuty; it must be enabled region by region, which is tedious, but at least Tokyo must
    /// be enabled).
    ///
    /// ## How to fix
    /// Create a detector in each region that lacks one (or enable every region at once from the
    /// organization's delegated GuardDuty administrator):
    ///
    /// ```sh
    /// aws guardduty create-detector --region ap-northeast-1 --enable \
    ///   --finding-publishing-frequency FIFTEEN_MINUTES
    /// # a detector that exists but is disabled:
    /// aws guardduty update-detector --region ap-northeast-1 --detector-id 12abc34d567e8fa901bc2d34e56789f0 --enable
    /// ```
    ///
    /// ## Fix safety
    /// Safe: GuardDuty only reads logs it collects itself and changes nothing in the account. It is billed by
    /// the volume of events it analyses (with a 30-day free trial per region).
    ///
    /// ## References
    /// - AWS FSBP GuardDuty.1 (GuardDuty should be enabled)
    /// - No CIS AWS Foundations control
    ///
    /// ## 確認内容
    /// スキャンした全リージョンで、GuardDuty に有効なディテクターがあること(`guardduty:ListDetectors`、
    /// `guardduty:GetDetector`)。検出結果はリージョンごとに 1 つです。プロファイルでホームリージョンだけに緩めることも
    /// できます(`guardduty-regions = "home"`)。いずれの場合もホームリージョン(`home-region`。既定は `ap-northeast-1`、東京)は
    /// 必須で、それがスキャン対象のリージョンに含まれなかったときは、それ抜きで合格にせず未評価(NOT EVALUATED)と報告します。
    ///
    /// ## 重要な理由
    /// GuardDuty は CloudTrail、VPC フローログ、DNS ログを機械学習と脅威インテリジェンスで分析し、不審な操作を報告します。
    /// 普段と異なる場所から使われた認証情報、既知の悪意あるホストと通信するインスタンス、暗号通貨のマイニングなどです。
    /// GuardDuty はリージョンごとに動くため、誰も使わないリージョンでインスタンスを起動した攻撃者は、そこでも GuardDuty が
    /// 有効な場合にしか見つかりません。
    ///
    /// ## ガイドライン
    /// 4-3(GuardDuty を有効化する。リージョンごとに有効にする必要があり煩わしいが、最低限東京リージョンは有効化する)。
    ///
    /// ## 修正方法
    /// ディテクターのない各リージョンにディテクターを作成します(または組織の GuardDuty 委任管理者から全リージョンを一度に
    /// 有効化します)。
    ///
    /// ```sh
    /// aws guardduty create-detector --region ap-northeast-1 --enable \
    ///   --finding-publishing-frequency FIFTEEN_MINUTES
    /// # a detector that exists but is disabled:
    /// aws guardduty update-detector --region ap-northeast-1 --detector-id 12abc34d567e8fa901bc2d34e56789f0 --enable
    /// ```
    ///
    /// ## 修正の安全性
    /// 安全: GuardDuty は自分で収集するログを読むだけで、アカウントの何も変更しません。分析するイベントの量に応じて課金され
    /// ます(リージョンごとに 30 日間の無料トライアルがあります)。
    ///
    /// ## 参考資料
    /// - AWS FSBP GuardDuty.1(GuardDuty は有効にすべき)
    /// - CIS AWS Foundations の該当コントロールなし
    pub static RULE = {
        id: "GUARDDUTY-001",
        name: "guardduty-disabled",
        title: "GuardDuty is enabled in every region",
        title_ja: "GuardDuty が全リージョンで有効である",
        section: Section::Detection,
        item: "4-3",
        severity: Severity::High,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Enable GuardDuty in every region",
            ja: "すべてのリージョンで GuardDuty を有効にする",
            command: None,
        },
        data: &["guardduty:ListDetectors", "guardduty:GetDetector"],
        check: check,
        plan: Some(plan),
    }
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let home = cx.params.home_region.as_str();
    let every_region = cx.params.guardduty_regions == RegionScope::All;
    for (region, inventory) in cx.regions() {
        let is_home = region == home;
        if !every_region && !is_home {
            continue;
        }
        let any_detector = cx.arn("guardduty", region, "detector/*");
        let detectors = match inventory.guardduty_detectors.get() {
            Ok(detectors) => detectors,
            Err(error) => {
                out.not_evaluated(region, any_detector, error);
                continue;
            }
        };
        let (home_en, home_ja) =
            if is_home { (" (the home region)", " (ホームリージョン)") } else { ("", "") };
        if let Some(detector) = detectors.iter().find(|detector| detector.status == "ENABLED") {
            let id = &detector.id;
            out.pass(
                region,
                cx.arn("guardduty", region, &format!("detector/{id}")),
                text!(
                    "the GuardDuty detector {id} is enabled in {region}{home_en}",
                    "{region}{home_ja} では GuardDuty の検出器 {id} が有効です"
                ),
            );
            continue;
        }
        let (mandatory_en, mandatory_ja) = if is_home {
            ("; it is mandatory in the home region", "。ホームリージョンでは GuardDuty の有効化が必須です")
        } else {
            ("", "")
        };
        match detectors.first() {
            Some(detector) => {
                let (id, status) = (&detector.id, &detector.status);
                out.fail(
                    region,
                    cx.arn("guardduty", region, &format!("detector/{id}")),
                    text!(
                        "the GuardDuty detector {id} in {region}{home_en} is {status}{mandatory_en}",
                        "{region}{home_ja} の GuardDuty の検出器 {id} は {status} です{mandatory_ja}"
                    ),
                );
            }
            None => out.fail(
                region,
                any_detector,
                text!(
                    "no GuardDuty detector exists in {region}{home_en}: GuardDuty is not enabled there{mandatory_en}",
                    "{region}{home_ja} には GuardDuty の検出器がなく、GuardDuty が有効化されていません{mandatory_ja}"
                ),
            ),
        }
    }
    if !cx.snapshot.regions.contains_key(home) {
        out.not_evaluated_because(
            home,
            cx.arn("guardduty", home, "detector/*"),
            text!(
                "could not be evaluated: the home region {home}, where GuardDuty is mandatory, was not scanned",
                "評価できません: GuardDuty の有効化が必須のホームリージョン {home} がスキャンされていません"
            ),
        );
    }
}

/// A detector per failing region: the disabled one enabled, or a new one (never a second detector).
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| {
            let region = finding.region.as_str();
            let disabled_detector = fix
                .cx
                .snapshot
                .regions
                .get(region)
                .and_then(|inventory| inventory.guardduty_detectors.get().ok())
                .and_then(|detectors| detectors.first())
                .map(|detector| detector.id.clone());
            Planned::Change {
                region: region.to_owned(),
                action: FixAction::EnableGuardDuty { disabled_detector },
            }
        })
        .collect()
}
