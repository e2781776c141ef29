//! COST-002.

use guardline_model::inventory::cost::{BudgetNotification, Subscriber};
use guardline_model::{Section, Severity, Text};

use crate::context::GLOBAL;
use crate::fix::{FixAction, FixContext, Planned};
use crate::{Context, Findings, FixAvailability, Remedy};
use guardline_model::Finding;

declare_rule! {
    /// ## What it checks
    /// That at least one budget of type `COST` has a notification on actual or forecasted spend
    /// (`ACTUAL` or `FORECASTED`) with at least one subscriber (an email address or an SNS topic). Usage,
    /// Savings Plans and reservation budgets do not count: they do not alert on money spent.
    ///
    /// Budgets belong to the account that creates them (`DescribeBudgets` lists the caller's own), so in an
    /// AWS Organization whose management (payer) account keeps the budgets of every account, a member
    /// account has none to show. The profile parameter `budgets-in-management-account = true` says so: in a
    /// member account (the organization's management account is another account) without an alerting
    /// budget of its own (or whose own budgets could not be read), the control then passes, naming the
    /// management account; whether the management
    /// account's budgets cover this account is checked there, not from the member. It changes nothing in
    /// the management account itself or in an account outside an organization, and when the organization
    /// could not be collected such an account is NOT EVALUATED. Without the parameter, a member account
    /// without an alerting budget fails, and the message names the parameter.
    ///
    /// ## Why it matters
    /// A resource created by mistake, or by an attacker with a leaked key, keeps billing until someone
    /// notices. A budget alert tells people while the month is still running, instead of when the invoice
    /// arrives; a budget without a notification, or a notification nobody subscribes to, tells no one.
    ///
    /// ## Guideline
    /// 1-2 (enable AWS Budgets: be notified as soon as spend goes past what was expected).
    ///
    /// ## How to fix
    /// Create a monthly cost budget with a forecast notification to the people who own the account:
    ///
    /// ```sh
    /// aws budgets create-budget --account-id 123456789012 \
    ///   --budget '{"BudgetName":"monthly-total","BudgetType":"COST","TimeUnit":"MONTHLY",
    ///              "BudgetLimit":{"Amount":"1000","Unit":"USD"}}' \
    ///   --notifications-with-subscribers '[{"Notification":{"NotificationType":"FORECASTED",
    ///       "ComparisonOperator":"GREATER_THAN","Threshold":100,"ThresholdType":"PERCENTAGE"},
    ///       "Subscribers":[{"SubscriptionType":"EMAIL","Address":"ops@example.com"}]}]'
    /// ```
    ///
    /// To a budget that exists but alerts no one, add a subscriber with
    /// `aws budgets create-subscriber` or a notification with `aws budgets create-notification`.
    ///
    /// In a member account whose management account keeps the budgets (with filters on the linked
    /// account), set `budgets-in-management-account = true` in the profile's `params` instead.
    ///
    /// ## Fix safety
    /// Safe once someone has chosen the amount and who is told: `guardline fix` creates the budget from
    /// `[fix] budget-monthly-usd` and `[fix] notify`, and the plan asks for them when they are missing. The
    /// amount is a judgement about what the account should cost (the guideline notes it is hard to set
    /// before a service runs; COST-003's anomaly detection complements it). A budget changes nothing for
    /// workloads.
    ///
    /// ## References
    /// - No CIS AWS Foundations or AWS FSBP control
    /// - AWS Cost Management User Guide: "Managing your costs with AWS Budgets"
    ///
    /// ## 確認内容
    /// 種類が `COST` の予算が少なくとも 1 つあり、実績または予測の利用料金(`ACTUAL` または `FORECASTED`)に対する通知を持ち、
    /// その通知にサブスクライバー(メールアドレスまたは SNS トピック)が少なくとも 1 つあること。使用量・Savings Plans・
    /// リザベーションの予算は、支払った金額について通知しないため数えません。
    ///
    /// 予算はそれを作成したアカウントに属します(`DescribeBudgets` は呼び出し元自身の予算を返します)。そのため、
    /// AWS Organizations の管理(支払)アカウントが全アカウントの予算を持つ組織では、メンバーアカウントには見せる予算が
    /// ありません。プロファイルのパラメータ `budgets-in-management-account = true` はそのことを示します。メンバーアカウント
    /// (組織の管理アカウントが別のアカウントである)で、通知付きの予算を自分では持たない(または自分の予算を読めなかった)
    /// 場合、このコントロールは管理アカウントを名指しして合格します。管理アカウントの予算がこのアカウントを対象にしているかは、
    /// メンバーからではなく管理アカウント側で確認します。管理アカウント自身や組織外のアカウントには何も変わらず、組織の情報を
    /// 収集できなかったときはそのようなアカウントは未評価(NOT EVALUATED)になります。このパラメータがなければ、通知付きの
    /// 予算がないメンバーアカウントは不合格となり、メッセージでこのパラメータを案内します。
    ///
    /// ## 重要な理由
    /// 誤って作成されたリソースや、漏えいしたキーを使った攻撃者が作ったリソースは、誰かが気づくまで課金され続けます。
    /// 予算アラートは請求書が届いてからではなく、月の途中で知らせてくれます。通知のない予算や、誰もサブスクライブしていない
    /// 通知は、誰にも知らせません。
    ///
    /// ## ガイドライン
    /// 1-2(AWS Budgets を有効化し、想定外の利用料金になった時点で通知されるようにする)。
    ///
    /// ## 修正方法
    /// アカウントの担当者に予測値で通知する、月次のコスト予算を作成します。
    ///
    /// ```sh
    /// aws budgets create-budget --account-id 123456789012 \
    ///   --budget '{"BudgetName":"monthly-total","BudgetType":"COST","TimeUnit":"MONTHLY",
    ///              "BudgetLimit":{"Amount":"1000","Unit":"USD"}}' \
    ///   --notifications-with-subscribers '[{"Notification":{"NotificationType":"FORECASTED",
    ///       "ComparisonOperator":"GREATER_THAN","Threshold":100,"ThresholdType":"PERCENTAGE"},
    ///       "Subscribers":[{"SubscriptionType":"EMAIL","Address":"ops@example.com"}]}]'
    /// ```
    ///
    /// 予算はあるが誰にも通知しない場合は、`aws budgets create-subscriber` でサブスクライバーを、
    /// `aws budgets create-notification` で通知を追加します。
    ///
    /// 管理アカウントが予算を(連結アカウントでの絞り込み付きで)持っているメンバーアカウントでは、代わりにプロファイルの
    /// `params` で `budgets-in-management-account = true` を設定します。
    ///
    /// ## 修正の安全性
    /// 安全(金額と通知先を誰かが決めた後であれば): `guardline fix` は `[fix] budget-monthly-usd` と `[fix] notify` から
    /// 予算を作成し、それらが未設定ならプランで設定を求めます。金額はアカウントにいくらかかるべきかという判断です
    /// (ガイドラインも、サービス稼働前に決めるのは難しいと述べています。COST-003 の異常検出がこれを補います)。
    /// 予算はワークロードに何の影響も与えません。
    ///
    /// ## 参考資料
    /// - CIS AWS Foundations・AWS FSBP の該当コントロールなし
    /// - AWS Cost Management ユーザーガイド「Managing your costs with AWS Budgets」
    pub static RULE = {
        id: "COST-002",
        name: "no-budget-alert",
        title: "A cost budget alerts someone",
        title_ja: "通知先のあるコスト予算がある",
        section: Section::Cost,
        item: "1-2",
        severity: Severity::Medium,
        fix: FixAvailability::Safe,
        remedy: Remedy {
            en: "Create a cost budget that alerts a person or a topic",
            ja: "担当者かトピックに通知するコスト予算を作成する",
            command: None,
        },
        data: &["budgets:ViewBudget", "organizations:DescribeOrganization"],
        check: check,
        plan: Some(plan),
    }
}

/// What the account's own budgets say.
enum OwnBudgets {
    /// A COST budget alerts someone: the PASS message.
    Alert(Text),
    /// None alerts anyone: why, for the FAIL message.
    NoAlert(Text),
    /// None of those collected alerts anyone, and some data is missing: the NOT EVALUATED message.
    NotCollected(Text),
}

fn check(cx: &Context<'_>, out: &mut Findings) {
    let account = cx.account_arn();
    let (message, collected) = match own_budgets(cx) {
        OwnBudgets::Alert(message) => {
            out.pass(GLOBAL, account, message);
            return;
        }
        OwnBudgets::NoAlert(message) => (message, true),
        OwnBudgets::NotCollected(message) => (message, false),
    };
    let id = cx.account_id();
    let organization = cx.snapshot.global.organization.get();
    let kept_elsewhere = cx.params.budgets_in_management_account;
    let (note_en, note_ja) = match organization {
        Ok(Some(org)) if !org.is_management(id) => {
            let (org_id, management) = (&org.id, &org.management_account_id);
            if kept_elsewhere {
                out.pass(
                    GLOBAL,
                    account,
                    text!(
                        "account {id} is a member of organization {org_id}, whose management account {management} \
                         keeps the budgets (profile parameter budgets-in-management-account): a member account \
                         sees only its own budgets, and the management account's scan checks its budgets",
                        "アカウント {id} は組織 {org_id} のメンバーで、予算は管理アカウント {management} で管理しています \
                         (プロファイルのパラメータ budgets-in-management-account)。メンバーアカウントからは自分の予算しか\
                         見えず、管理アカウントの予算はそのスキャンで確認します"
                    ),
                );
                return;
            }
            (
                format!(
                    "; account {id} is a member of organization {org_id}: if its management account {management} \
                     keeps the budgets, set budgets-in-management-account = true in the profile's params"
                ),
                format!(
                    "。アカウント {id} は組織 {org_id} のメンバーです。管理アカウント {management} で予算を管理している\
                     場合は、プロファイルの params で budgets-in-management-account = true を設定してください"
                ),
            )
        }
        Ok(Some(_)) if kept_elsewhere => (
            "; budgets-in-management-account does not apply: this is the organization's management account, \
             where the budgets are kept"
                .to_owned(),
            "。budgets-in-management-account は適用されません: このアカウントは予算を管理する組織の管理アカウントです"
                .to_owned(),
        ),
        Ok(None) if kept_elsewhere => (
            "; budgets-in-management-account does not apply: the account is not in an AWS Organization".to_owned(),
            "。budgets-in-management-account は適用されません: このアカウントは AWS Organizations に属していません"
                .to_owned(),
        ),
        Err(error) if kept_elsewhere => {
            let message = if collected {
                text!(
                    "could not be evaluated: the account has no budget that alerts anyone, and whether it is a \
                     member account whose management account keeps the budgets (budgets-in-management-account) \
                     is unknown: {error}",
                    "評価できません: 通知先のある予算がなく、予算を管理する管理アカウントを持つメンバーアカウントか\
                     どうか (budgets-in-management-account) を取得できませんでした: {error}"
                )
            } else {
                let (en, ja) = (&message.en, &message.ja);
                text!(
                    "{en}; whether the account is a member account whose management account keeps the budgets \
                     (budgets-in-management-account) is unknown too: {error}",
                    "{ja}。予算を管理する管理アカウントを持つメンバーアカウントかどうか \
                     (budgets-in-management-account) も取得できませんでした: {error}"
                )
            };
            out.not_evaluated_because(GLOBAL, account, message);
            return;
        }
        _ => (String::new(), String::new()),
    };
    if collected {
        out.fail(GLOBAL, account, Text::new(message.en + &note_en, message.ja + &note_ja));
    } else {
        out.not_evaluated_because(GLOBAL, account, message);
    }
}

/// Whether one of the account's own COST budgets alerts someone.
fn own_budgets(cx: &Context<'_>) -> OwnBudgets {
    let budgets = match cx.snapshot.global.budgets.get() {
        Ok(budgets) => budgets,
        Err(error) => {
            return OwnBudgets::NotCollected(text!(
                "could not be evaluated: {error}",
                "評価できません: {error}"
            ));
        }
    };
    if budgets.is_empty() {
        return OwnBudgets::NoAlert(text!(
            "the account has no budget: nothing alerts anyone to unexpected spend",
            "予算が1つもないため、想定外の利用料金を誰にも通知できません"
        ));
    }
    let mut problems: Vec<Text> = Vec::new();
    let mut not_collected: Vec<Text> = Vec::new();
    for budget in budgets {
        let name = &budget.name;
        let kind = &budget.budget_type;
        if kind != "COST" {
            problems.push(text!(
                "budget {name} is a {kind} budget, not a COST budget",
                "予算 {name} は {kind} 予算で、COST 予算ではありません"
            ));
            continue;
        }
        let notifications = match budget.notifications.get() {
            Ok(notifications) => notifications,
            Err(error) => {
                not_collected.push(text!(
                    "the notifications of budget {name} ({error})",
                    "予算 {name} の通知 ({error})"
                ));
                continue;
            }
        };
        let alerts: Vec<&BudgetNotification> = notifications
            .iter()
            .filter(|notification| matches!(notification.notification_type.as_str(), "ACTUAL" | "FORECASTED"))
            .collect();
        if alerts.is_empty() {
            problems.push(text!(
                "budget {name} has no ACTUAL or FORECASTED notification",
                "予算 {name} には ACTUAL / FORECASTED の通知がありません"
            ));
            continue;
        }
        for notification in alerts {
            let when = describe(notification);
            match notification.subscribers.get() {
                Ok(subscribers) if !subscribers.is_empty() => {
                    let limit_en =
                        budget.limit.as_deref().map(|limit| format!(", limit {limit}")).unwrap_or_default();
                    let limit_ja =
                        budget.limit.as_deref().map(|limit| format!("、上限 {limit}")).unwrap_or_default();
                    let who = subscriber_list(subscribers);
                    return OwnBudgets::Alert(text!(
                        "budget {name} (COST{limit_en}) notifies {who} on {when}",
                        "予算 {name} (COST{limit_ja}) は {when} のとき {who} に通知します"
                    ));
                }
                Ok(_) => problems.push(text!(
                    "the {when} notification of budget {name} has no subscriber",
                    "予算 {name} の {when} の通知には通知先 (サブスクライバー) がありません"
                )),
                Err(error) => not_collected.push(text!(
                    "the subscribers of the {when} notification of budget {name} ({error})",
                    "予算 {name} の {when} の通知の通知先 ({error})"
                )),
            }
        }
    }
    if !not_collected.is_empty() {
        let missing = join(&not_collected, "、");
        let (missing_en, missing_ja) = (missing.en, missing.ja);
        return OwnBudgets::NotCollected(text!(
            "could not be evaluated: no budget checked notifies anyone, but these were not collected: \
             {missing_en}",
            "評価できません: 確認できた予算には通知先がありませんが、次のデータを取得できませんでした: \
             {missing_ja}"
        ));
    }
    let problems = join(&problems, "。");
    let (problems_en, problems_ja) = (problems.en, problems.ja);
    OwnBudgets::NoAlert(text!(
        "no COST budget notifies anyone: {problems_en}",
        "通知先のある COST 予算がありません: {problems_ja}"
    ))
}

/// `ACTUAL > 80%`, `FORECASTED > 1000 (absolute)`.
fn describe(notification: &BudgetNotification) -> String {
    let operator = match notification.comparison_operator.as_str() {
        "GREATER_THAN" => ">",
        "LESS_THAN" => "<",
        "EQUAL_TO" => "=",
        other => other,
    };
    let threshold = notification.threshold;
    let unit = if notification.threshold_type == "PERCENTAGE" { "%" } else { " (absolute)" };
    format!("{} {operator} {threshold}{unit}", notification.notification_type)
}

fn subscriber_list(subscribers: &[Subscriber]) -> String {
    subscribers
        .iter()
        .map(|subscriber| format!("{} {}", subscriber.kind, subscriber.address))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Joins texts: `; ` in English; in Japanese `、` between noun phrases, `。` between sentences.
fn join(items: &[Text], ja_separator: &str) -> Text {
    Text::new(
        items.iter().map(|item| item.en.as_str()).collect::<Vec<_>>().join("; "),
        items.iter().map(|item| item.ja.as_str()).collect::<Vec<_>>().join(ja_separator),
    )
}

/// A monthly budget from `[fix] budget-monthly-usd`, alerting `[fix] notify`.
fn plan(fix: &FixContext<'_>, failing: &[&Finding]) -> Vec<Planned> {
    failing
        .iter()
        .map(|finding| {
            let region = finding.region.as_str();
            let Some(monthly_usd) = fix.settings.budget_monthly_usd else {
                return Planned::NeedsInput {
                    region: region.to_owned(),
                    missing: Text::new(
                        "`[fix] budget-monthly-usd`: the monthly amount the account should cost",
                        "`[fix] budget-monthly-usd`: アカウントの月額予算 (USD)",
                    ),
                };
            };
            match fix.subscribers() {
                Some(subscribers) => Planned::Change {
                    region: region.to_owned(),
                    action: FixAction::CreateBudget {
                        name: "guardline-monthly".to_owned(),
                        monthly_usd,
                        subscribers,
                    },
                },
                None => fix.needs_subscribers(region),
            }
        })
        .collect()
}
