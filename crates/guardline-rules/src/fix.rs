//! What `guardline fix` would change: the vocabulary of automated fixes ([`FixAction`]) and the planner that
//! turns an evaluation's failures into a reviewed [`FixPlan`].
//!
//! Each rule with an automated fix declares, beside its check, a plan function ([`crate::Rule::plan`]) that
//! maps its failing findings to actions. The planner is pure like the rules: it reads the snapshot, the
//! evaluation and the config, and calls nothing. `guardline-apply` carries the actions out.
//!
//! Architecture Invariant: a plan is derived only from findings that fail (outcome FAIL or WARN: adopted,
//! not excepted), so a second `fix` after a successful one plans nothing. A NOT EVALUATED control is never
//! "fixed" blind.

use guardline_config::{Config, FixSettings, PasswordMinimums};
use guardline_model::{Finding, Snapshot, Text};
use serde::Serialize;

use crate::{Context, Evaluation, FixAvailability, Outcome, RULES};

/// One change `fix` can make. Each variant is one control's remediation; the API calls it makes are
/// [`FixAction::calls`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FixAction {
    /// GUARDDUTY-001: create a detector, or enable the disabled one (never a second detector).
    EnableGuardDuty { disabled_detector: Option<String> },
    /// ANALYZER-001: an account-zone analyzer.
    CreateAccessAnalyzer { name: String },
    /// HUB-001: enable Security Hub (without its default standards) and subscribe to FSBP.
    EnableSecurityHub { hub_enabled: bool, standard_arn: String },
    /// INSPECTOR-001: Inspector's EC2 scanning.
    EnableInspectorEc2 {
        /// The management account, when the scanned account is a member of an organization: there Inspector is
        /// usually enabled for every member by its delegated administrator (auto-enable), and the plan says so.
        member_of: Option<String>,
    },
    /// CONFIG-001: a recorder of every supported resource type (global types in the home region only), a
    /// delivery channel to the log bucket, recording started.
    RecordConfig { include_global_resource_types: bool, bucket: LogBucket },
    /// CONFIG-003: the baseline managed rules that are missing.
    AddConfigRules { rules: Vec<ConfigRuleSpec> },
    /// GUARDDUTY-002, HEALTH-001, CONFIG-002: an EventBridge rule that sends matching events to an SNS topic
    /// with email subscribers.
    RouteEvents { rule_name: String, event_pattern: String, topic_name: String, subscribers: Vec<String> },
    /// TRAIL-001: start the multi-region trail that exists, or create one.
    EnableCloudTrail { existing_trail: Option<String>, bucket: LogBucket },
    /// COST-002: a monthly cost budget with actual (80%) and forecast (100%) email alerts.
    CreateBudget { name: String, monthly_usd: f64, subscribers: Vec<String> },
    /// COST-003: a per-service anomaly monitor and a daily email subscription. AWS allows one per-service
    /// (DIMENSIONAL, dimension SERVICE) monitor per account: `existing_monitor` names the one the snapshot
    /// holds, which gets the subscription instead of a second monitor (the fix re-reads the monitors and
    /// reuses whichever per-service monitor exists when it runs).
    CreateAnomalyMonitor {
        monitor_name: String,
        threshold_usd: f64,
        subscribers: Vec<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        existing_monitor: Option<String>,
    },
    /// ACCOUNT-001.
    CreateAccountAlias { alias: String },
    /// ACCOUNT-002.
    SetSecurityContact { name: String, email: String, phone: String, title: String },
    /// IAM-007: the profile's minimums.
    SetPasswordPolicy { minimums: PasswordMinimums },
    /// S3-001: all four account-level Block Public Access settings.
    BlockAccountPublicAccess,
    /// ORG-005, in the management account: IAM's trusted access in Organizations, then centralised root
    /// credentials management and root sessions.
    CentraliseRootAccess,
    /// GUARDDUTY-001 for the organisation, in the management account: designate `admin_account` as
    /// GuardDuty's delegated administrator in the region.
    DelegateGuardDuty { admin_account: String },
    /// GUARDDUTY-001 for the organisation, in the delegated administrator: GuardDuty enabled for every member
    /// account, existing and new (`AutoEnableOrganizationMembers = ALL`), after a detector of its own.
    AutoEnableGuardDuty,
    /// INSPECTOR-001 for the organisation, in the management account: designate `admin_account` as Amazon
    /// Inspector's delegated administrator in the region.
    DelegateInspector { admin_account: String },
    /// INSPECTOR-001 for the organisation, in the delegated administrator: EC2 scanning auto-enabled for new
    /// members, and enabled now for `accounts` (associated as members first where they are not).
    EnableInspectorMembers { accounts: Vec<String> },
    /// HUB-001 for the organisation, in the management account (home region): designate `admin_account` as
    /// Security Hub's delegated administrator.
    DelegateSecurityHub { admin_account: String },
    /// HUB-001 for the organisation, in the delegated administrator (home region): central configuration:
    /// the administrator's own hub, a finding aggregator linking `linked_regions`, configuration type
    /// `CENTRAL`, and one configuration policy per profile (FSBP on, the profile's not-adopted Security Hub
    /// controls off) associated with that profile's accounts.
    CentraliseSecurityHub { linked_regions: Vec<String>, policies: Vec<HubPolicy> },
    /// ANALYZER-001 for the organisation, in the management account: IAM Access Analyzer's trusted access in
    /// Organizations, and `admin_account` registered as its delegated administrator (none: the management
    /// account's own organisation analyzers).
    DelegateAccessAnalyzer { admin_account: Option<String> },
    /// ANALYZER-001 for the organisation, in the account that holds the organisation's analyzers (the
    /// delegated administrator, or the management account): an analyzer whose zone of trust is the
    /// organisation, in the region.
    CreateOrganizationAnalyzer { name: String },
    /// CONFIG-001 for the organisation, in the management account: AWS Config's trusted access, and
    /// `admin_account` registered as its delegated administrator for aggregators (none: the management
    /// account holds the aggregator).
    DelegateConfig { admin_account: Option<String> },
    /// CONFIG-001 for the organisation, in the account that holds it (home region): an aggregator of every
    /// account and region of the organisation, through the role `role_name` (created, with the organisation
    /// read permissions AWS's `AWSConfigRoleForOrganizations` grants, inline).
    CreateOrganizationAggregator { name: String, role_name: String },
    /// TRAIL-001 for the organisation, in the management account (home region): CloudTrail's trusted access,
    /// then the organisation's multi-region trail started if it is stopped, or `guardline-org` created,
    /// delivering to `bucket` (its policy lets CloudTrail write the organisation's logs).
    OrganizationTrail { bucket: LogBucket },
    /// ACCOUNT-002 for the organisation, in the management account: the SECURITY alternate contact of each
    /// member account (`account:PutAlternateContact --account-id`), after AWS Account Management's trusted
    /// access.
    SetMemberSecurityContacts {
        accounts: Vec<String>,
        name: String,
        email: String,
        phone: String,
        title: String,
    },
}

/// A Security Hub configuration policy of central configuration, for the accounts of one profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubPolicy {
    /// `guardline-<profile>`.
    pub name: String,
    /// The FSBP standard, in the home region.
    pub standard_arn: String,
    /// The profile's `security-hub-not-adopted` controls (e.g. `IAM.6`), disabled by the policy.
    pub disabled_controls: Vec<String>,
    /// The member accounts it is associated with.
    pub accounts: Vec<String>,
}

/// The bucket AWS Config and CloudTrail deliver to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogBucket {
    pub name: String,
    /// The region it is created in (the home region).
    pub region: String,
    /// `false`: the config names an existing bucket, which `fix` uses as is.
    pub create: bool,
}

impl LogBucket {
    /// An account's log bucket: `[fix] log-bucket`, or `guardline-logs-<ID>` created in its home region.
    pub fn of_account(settings: &FixSettings, account_id: &str, home_region: &str) -> LogBucket {
        let region = home_region.to_owned();
        match &settings.log_bucket {
            Some(name) => LogBucket { name: name.clone(), region, create: false },
            None => LogBucket { name: format!("guardline-logs-{account_id}"), region, create: true },
        }
    }
}

/// A managed AWS Config rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigRuleSpec {
    pub name: String,
    pub source_identifier: String,
    /// The existing rule that holds the name Guardline gives this rule by default, when one does: `name`
    /// is then another, free name, and the plan says so (someone's own rule is never overwritten).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instead_of: Option<TakenName>,
}

/// An existing Config rule holding a name Guardline would have used, as the snapshot shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TakenName {
    pub name: String,
    /// `AWS`, `CUSTOM_LAMBDA`, `CUSTOM_POLICY`.
    pub owner: String,
    /// Empty for Guard policy (`CUSTOM_POLICY`) rules.
    pub source_identifier: String,
    pub state: String,
}

impl FixAction {
    /// The IAM actions the step calls, in order (reads first: each step re-reads what it changes).
    pub fn calls(&self) -> Vec<&'static str> {
        let bucket_calls = |bucket: &LogBucket| -> Vec<&'static str> {
            if bucket.create {
                vec![
                    "s3:CreateBucket",
                    "s3:PutBucketPublicAccessBlock",
                    "s3:GetBucketPolicy",
                    "s3:PutBucketPolicy",
                ]
            } else {
                vec!["s3:ListBucket"]
            }
        };
        match self {
            FixAction::EnableGuardDuty { disabled_detector: None } => {
                vec!["guardduty:ListDetectors", "guardduty:CreateDetector"]
            }
            FixAction::EnableGuardDuty { disabled_detector: Some(_) } => {
                vec!["guardduty:ListDetectors", "guardduty:GetDetector", "guardduty:UpdateDetector"]
            }
            FixAction::CreateAccessAnalyzer { .. } => {
                vec!["access-analyzer:ListAnalyzers", "access-analyzer:CreateAnalyzer"]
            }
            FixAction::EnableSecurityHub { hub_enabled, .. } => {
                let mut calls = vec!["securityhub:DescribeHub"];
                if !hub_enabled {
                    calls.push("securityhub:EnableSecurityHub");
                }
                calls.extend(["securityhub:GetEnabledStandards", "securityhub:BatchEnableStandards"]);
                calls
            }
            FixAction::EnableInspectorEc2 { .. } => {
                vec!["inspector2:BatchGetAccountStatus", "inspector2:Enable"]
            }
            FixAction::RecordConfig { bucket, .. } => {
                let mut calls = vec!["iam:CreateServiceLinkedRole"];
                calls.extend(bucket_calls(bucket));
                calls.extend([
                    "config:DescribeConfigurationRecorders",
                    "config:PutConfigurationRecorder",
                    "config:DescribeDeliveryChannels",
                    "config:PutDeliveryChannel",
                    "config:DescribeConfigurationRecorderStatus",
                    "config:StartConfigurationRecorder",
                ]);
                calls
            }
            FixAction::AddConfigRules { .. } => vec!["config:DescribeConfigRules", "config:PutConfigRule"],
            FixAction::RouteEvents { .. } => vec![
                "sns:CreateTopic",
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:Subscribe",
                "events:DescribeRule",
                "events:PutRule",
                "events:ListTargetsByRule",
                "events:PutTargets",
            ],
            FixAction::EnableCloudTrail { existing_trail, bucket } => {
                let mut calls = Vec::new();
                if existing_trail.is_none() {
                    calls.extend(bucket_calls(bucket));
                    calls.push("cloudtrail:CreateTrail");
                }
                calls.extend([
                    "cloudtrail:GetTrailStatus",
                    "cloudtrail:StartLogging",
                    "cloudtrail:GetEventSelectors",
                    "cloudtrail:PutEventSelectors",
                ]);
                calls
            }
            FixAction::CreateBudget { .. } => {
                vec!["budgets:ViewBudget", "budgets:ModifyBudget"]
            }
            FixAction::CreateAnomalyMonitor { .. } => vec![
                "ce:GetAnomalyMonitors",
                "ce:CreateAnomalyMonitor",
                "ce:GetAnomalySubscriptions",
                "ce:CreateAnomalySubscription",
            ],
            FixAction::CreateAccountAlias { .. } => vec!["iam:ListAccountAliases", "iam:CreateAccountAlias"],
            FixAction::SetSecurityContact { .. } => vec!["account:PutAlternateContact"],
            FixAction::SetPasswordPolicy { .. } => {
                vec!["iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy"]
            }
            FixAction::BlockAccountPublicAccess => vec!["s3:PutAccountPublicAccessBlock"],
            FixAction::CentraliseRootAccess => vec![
                "organizations:ListAWSServiceAccessForOrganization",
                "organizations:EnableAWSServiceAccess",
                "iam:ListOrganizationsFeatures",
                "iam:EnableOrganizationsRootCredentialsManagement",
                "iam:EnableOrganizationsRootSessions",
            ],
            // Designating GuardDuty's administrator enables its trusted access and registers the account
            // in Organizations, which the caller needs permission for too
            // (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EnableOrganizationAdminAccount.html).
            FixAction::DelegateGuardDuty { .. } => vec![
                "guardduty:ListOrganizationAdminAccounts",
                "guardduty:EnableOrganizationAdminAccount",
                "organizations:EnableAWSServiceAccess",
                "organizations:RegisterDelegatedAdministrator",
            ],
            FixAction::AutoEnableGuardDuty => vec![
                "guardduty:ListDetectors",
                "guardduty:CreateDetector",
                "guardduty:DescribeOrganizationConfiguration",
                "guardduty:UpdateOrganizationConfiguration",
            ],
            FixAction::DelegateInspector { .. } => vec![
                "inspector2:ListDelegatedAdminAccounts",
                "inspector2:EnableDelegatedAdminAccount",
                "organizations:EnableAWSServiceAccess",
                "organizations:RegisterDelegatedAdministrator",
            ],
            FixAction::EnableInspectorMembers { .. } => vec![
                "inspector2:DescribeOrganizationConfiguration",
                "inspector2:UpdateOrganizationConfiguration",
                "inspector2:ListMembers",
                "inspector2:AssociateMember",
                "inspector2:BatchGetAccountStatus",
                "inspector2:Enable",
            ],
            FixAction::DelegateSecurityHub { .. } => vec![
                "securityhub:ListOrganizationAdminAccounts",
                "securityhub:EnableOrganizationAdminAccount",
                "organizations:EnableAWSServiceAccess",
                "organizations:RegisterDelegatedAdministrator",
            ],
            FixAction::CentraliseSecurityHub { .. } => vec![
                "securityhub:DescribeHub",
                "securityhub:EnableSecurityHub",
                "securityhub:ListFindingAggregators",
                "securityhub:GetFindingAggregator",
                "securityhub:CreateFindingAggregator",
                "securityhub:UpdateFindingAggregator",
                "securityhub:DescribeOrganizationConfiguration",
                "securityhub:UpdateOrganizationConfiguration",
                "securityhub:ListConfigurationPolicies",
                "securityhub:GetConfigurationPolicy",
                "securityhub:CreateConfigurationPolicy",
                "securityhub:UpdateConfigurationPolicy",
                "securityhub:GetConfigurationPolicyAssociation",
                "securityhub:StartConfigurationPolicyAssociation",
            ],
            // Trusted access, then the registration when there is an administrator to register.
            FixAction::DelegateAccessAnalyzer { admin_account }
            | FixAction::DelegateConfig { admin_account } => {
                let mut calls = vec![
                    "organizations:ListAWSServiceAccessForOrganization",
                    "organizations:EnableAWSServiceAccess",
                ];
                if admin_account.is_some() {
                    calls.extend([
                        "organizations:ListDelegatedAdministrators",
                        "organizations:RegisterDelegatedAdministrator",
                    ]);
                }
                calls
            }
            FixAction::CreateOrganizationAggregator { .. } => vec![
                "iam:GetRole",
                "iam:CreateRole",
                "iam:PutRolePolicy",
                "config:DescribeConfigurationAggregators",
                "config:PutConfigurationAggregator",
            ],
            FixAction::CreateOrganizationAnalyzer { .. } => {
                vec!["access-analyzer:ListAnalyzers", "access-analyzer:CreateAnalyzer"]
            }
            FixAction::OrganizationTrail { bucket } => {
                let mut calls = vec![
                    "organizations:DescribeOrganization",
                    "organizations:ListAWSServiceAccessForOrganization",
                    "organizations:EnableAWSServiceAccess",
                ];
                calls.extend(bucket_calls(bucket));
                calls.extend([
                    "cloudtrail:DescribeTrails",
                    "cloudtrail:CreateTrail",
                    "cloudtrail:GetTrailStatus",
                    "cloudtrail:StartLogging",
                    "cloudtrail:GetEventSelectors",
                    "cloudtrail:PutEventSelectors",
                ]);
                calls
            }
            FixAction::SetMemberSecurityContacts { .. } => vec![
                "organizations:ListAWSServiceAccessForOrganization",
                "organizations:EnableAWSServiceAccess",
                "account:GetAlternateContact",
                "account:PutAlternateContact",
            ],
        }
    }

    /// Whether this action (in `region`) needs `other` (in `other_region`) done first. AWS Config rules are
    /// evaluated by the region's configuration recorder (`PutConfigRule` answers
    /// `NoAvailableConfigurationRecorderException` without one:
    /// <https://docs.aws.amazon.com/config/latest/APIReference/API_PutConfigRule.html>), so CONFIG-003 waits for
    /// CONFIG-001 in the same region; every other step stands alone, so one failure never holds up the rest.
    pub fn needs(&self, region: &str, other: &FixAction, other_region: &str) -> bool {
        matches!((self, other), (FixAction::AddConfigRules { .. }, FixAction::RecordConfig { .. }))
            && region == other_region
    }

    /// What the step does, in a sentence.
    pub fn describe(&self) -> Text {
        match self {
            FixAction::EnableGuardDuty { disabled_detector: None } => {
                Text::new("create and enable a GuardDuty detector", "GuardDuty の検出器を作成して有効化")
            }
            FixAction::EnableGuardDuty { disabled_detector: Some(id) } => Text::new(
                format!("enable the disabled GuardDuty detector {id}"),
                format!("無効な GuardDuty の検出器 {id} を有効化"),
            ),
            FixAction::CreateAccessAnalyzer { name } => Text::new(
                format!("create the IAM Access Analyzer {name} (zone of trust: this account)"),
                format!("IAM Access Analyzer {name} を作成 (信頼ゾーン: このアカウント)"),
            ),
            FixAction::EnableSecurityHub { hub_enabled, standard_arn } => {
                if *hub_enabled {
                    Text::new(
                        format!("subscribe Security Hub to the FSBP standard {standard_arn}"),
                        format!("Security Hub で FSBP 標準 {standard_arn} を有効化"),
                    )
                } else {
                    Text::new(
                        format!("enable Security Hub and subscribe it to the FSBP standard {standard_arn}"),
                        format!("Security Hub を有効化し、FSBP 標準 {standard_arn} を有効化"),
                    )
                }
            }
            FixAction::EnableInspectorEc2 { member_of: None } => {
                Text::new("enable Amazon Inspector EC2 scanning", "Amazon Inspector の EC2 スキャンを有効化")
            }
            FixAction::EnableInspectorEc2 { member_of: Some(management) } => Text::new(
                format!(
                    "enable Amazon Inspector EC2 scanning in this account; it is a member of the organization of \
                     {management}: where Inspector has a delegated administrator, enabling every member (with \
                     auto-enable) is the administrator's, and this account's own setting may be overridden"
                ),
                format!(
                    "このアカウントで Amazon Inspector の EC2 スキャンを有効化。このアカウントは {management} の組織の\
                     メンバーです: Inspector に委任管理者がいる場合、全メンバーの有効化 (自動有効化) は委任管理者が\
                     行い、このアカウントの設定は上書きされることがあります"
                ),
            ),
            FixAction::RecordConfig { include_global_resource_types, bucket } => {
                let (global_en, global_ja) = if *include_global_resource_types {
                    (", global types (IAM) included", "、グローバルリソース (IAM) を含む")
                } else {
                    ("", "")
                };
                let name = &bucket.name;
                let (bucket_en, bucket_ja) = if bucket.create {
                    let region = &bucket.region;
                    (
                        format!(
                            "the bucket {name} (created in {region}, private, writable by AWS Config and CloudTrail of this account only)"
                        ),
                        format!(
                            "バケット {name} ({region} に作成。非公開、このアカウントの AWS Config と CloudTrail のみ書き込み可)"
                        ),
                    )
                } else {
                    (format!("the existing bucket {name}"), format!("既存のバケット {name}"))
                };
                Text::new(
                    format!(
                        "record every supported resource type{global_en}, deliver to {bucket_en}, start recording"
                    ),
                    format!("サポートされる全リソースを記録{global_ja}し、{bucket_ja} に配信して記録を開始"),
                )
            }
            FixAction::AddConfigRules { rules } => {
                let names = |ja: bool| -> String {
                    let names: Vec<String> = rules
                        .iter()
                        .map(|rule| {
                            let (name, source) = (&rule.name, &rule.source_identifier);
                            let Some(taken) = &rule.instead_of else { return format!("{name} ({source})") };
                            let held = taken.name.as_str();
                            let holder = [taken.owner.as_str(), taken.source_identifier.as_str()]
                                .into_iter()
                                .filter(|part| !part.is_empty())
                                .collect::<Vec<_>>()
                                .join(" ");
                            let state = &taken.state;
                            if ja {
                                format!(
                                    "{name} ({source}。{held} という名前は既存のルール ({holder}、{state}) が使っており、\
                                     そのルールは変更しません。名前を確認してください)"
                                )
                            } else {
                                format!(
                                    "{name} ({source}; the name {held} is held by an existing rule ({holder}, {state}), \
                                     which is left alone: review the name)"
                                )
                            }
                        })
                        .collect();
                    names.join(", ")
                };
                let (names_en, names_ja) = (names(false), names(true));
                Text::new(
                    format!("add the managed AWS Config rules {names_en}"),
                    format!("AWS Config マネージドルール {names_ja} を追加"),
                )
            }
            FixAction::RouteEvents { rule_name, event_pattern, topic_name, subscribers } => {
                let to = subscribers.join(", ");
                Text::new(
                    format!(
                        "EventBridge rule {rule_name} ({event_pattern}) to SNS topic {topic_name}, emailed to {to}"
                    ),
                    format!(
                        "EventBridge ルール {rule_name} ({event_pattern}) で SNS トピック {topic_name} に送り、{to} にメール"
                    ),
                )
            }
            FixAction::EnableCloudTrail { existing_trail: Some(name), .. } => Text::new(
                format!(
                    "start logging on the multi-region trail {name} if it is stopped, and add a selector for all \
                     management events if it lacks one"
                ),
                format!(
                    "マルチリージョンの証跡 {name} が停止していればログ記録を開始し、すべての管理イベントのセレクタが\
                     なければ追加"
                ),
            ),
            FixAction::EnableCloudTrail { existing_trail: None, bucket } => {
                let name = &bucket.name;
                Text::new(
                    format!(
                        "create the multi-region trail guardline (log file validation on, all management events) \
                         delivering to {name}, and start logging"
                    ),
                    format!(
                        "マルチリージョンの証跡 guardline (ログファイル検証あり) を作成して {name} に配信し、ログ記録を開始"
                    ),
                )
            }
            FixAction::CreateBudget { name, monthly_usd, subscribers } => {
                let to = subscribers.join(", ");
                Text::new(
                    format!(
                        "create the monthly cost budget {name} of {monthly_usd} USD, emailing {to} at 80% actual \
                         and 100% forecast spend"
                    ),
                    format!(
                        "月額 {monthly_usd} USD のコスト予算 {name} を作成し、実績 80% と予測 100% で {to} にメール"
                    ),
                )
            }
            FixAction::CreateAnomalyMonitor {
                threshold_usd,
                subscribers,
                existing_monitor: Some(existing),
                ..
            } => {
                let to = subscribers.join(", ");
                Text::new(
                    format!(
                        "add a daily subscription emailing {to} about anomalies of {threshold_usd} USD or more \
                         to the existing per-service cost anomaly monitor {existing} (AWS allows one per account)"
                    ),
                    format!(
                        "既存のサービス別コスト異常検出モニター {existing} (アカウントに1つまで) に、影響額 \
                         {threshold_usd} USD 以上の異常を毎日 {to} にメールするサブスクリプションを追加"
                    ),
                )
            }
            FixAction::CreateAnomalyMonitor {
                monitor_name,
                threshold_usd,
                subscribers,
                existing_monitor: None,
            } => {
                let to = subscribers.join(", ");
                Text::new(
                    format!(
                        "create the per-service cost anomaly monitor {monitor_name} and a daily subscription \
                         emailing {to} about anomalies of {threshold_usd} USD or more"
                    ),
                    format!(
                        "サービス別のコスト異常検出モニター {monitor_name} を作成し、影響額 {threshold_usd} USD 以上の\
                         異常を毎日 {to} にメール"
                    ),
                )
            }
            FixAction::CreateAccountAlias { alias } => Text::new(
                format!("create the account alias {alias}"),
                format!("アカウントエイリアス {alias} を作成"),
            ),
            FixAction::SetSecurityContact { name, email, .. } => Text::new(
                format!("set the SECURITY alternate contact to {name} <{email}>"),
                format!("セキュリティの代替連絡先を {name} <{email}> に設定"),
            ),
            FixAction::SetPasswordPolicy { minimums } => {
                let length = minimums.min_length;
                Text::new(
                    format!(
                        "raise the IAM password policy to the profile's minimums (at least {length} characters, \
                         character classes, reuse and expiry as configured), keeping every stricter value the \
                         account has and the settings the profile does not manage (HardExpiry)"
                    ),
                    format!(
                        "IAM パスワードポリシーをプロファイルの基準 ({length} 文字以上、文字種、再利用・有効期限は設定どおり) まで引き上げ (アカウントの既存のより厳しい値とプロファイルが管理しない設定 (HardExpiry) はそのまま)"
                    ),
                )
            }
            FixAction::BlockAccountPublicAccess => Text::new(
                "turn on all four account-level S3 Block Public Access settings",
                "アカウントレベルの S3 ブロックパブリックアクセスの 4 つの設定をすべて有効化",
            ),
            FixAction::CentraliseRootAccess => Text::new(
                "let IAM work with Organizations (trusted access), then manage the member accounts' root \
                 credentials centrally and allow root sessions; the credentials existing member roots hold are \
                 not deleted",
                "IAM と Organizations の連携 (信頼されたアクセス) を有効にし、メンバーアカウントのルート認証情報の\
                 一元管理とルートセッションを有効化 (既存のメンバーのルートが持つ認証情報は削除しません)",
            ),
            FixAction::DelegateGuardDuty { admin_account } => Text::new(
                format!(
                    "designate account {admin_account} as GuardDuty's delegated administrator for the organization"
                ),
                format!("アカウント {admin_account} を組織の GuardDuty の委任管理者に指定"),
            ),
            FixAction::AutoEnableGuardDuty => Text::new(
                "enable GuardDuty for every member account of the organization, existing and new \
                 (auto-enable ALL), creating this account's own detector first if it has none",
                "組織のすべてのメンバーアカウント (既存と新規) で GuardDuty を有効化 (自動有効化 ALL)。\
                 このアカウントに検出器がなければ先に作成",
            ),
            FixAction::DelegateInspector { admin_account } => Text::new(
                format!(
                    "designate account {admin_account} as Amazon Inspector's delegated administrator for the \
                     organization"
                ),
                format!("アカウント {admin_account} を組織の Amazon Inspector の委任管理者に指定"),
            ),
            FixAction::EnableInspectorMembers { accounts } => {
                let (count, ids) = (accounts.len(), accounts.join(", "));
                Text::new(
                    format!(
                        "enable Amazon Inspector EC2 scanning for {count} member account(s) ({ids}) and \
                         auto-enable it for new members"
                    ),
                    format!(
                        "メンバーアカウント {count} 件 ({ids}) で Amazon Inspector の EC2 スキャンを有効化し、新しい\
                         メンバーで自動有効化"
                    ),
                )
            }
            FixAction::DelegateSecurityHub { admin_account } => Text::new(
                format!(
                    "designate account {admin_account} as Security Hub's delegated administrator for the organization"
                ),
                format!("アカウント {admin_account} を組織の Security Hub の委任管理者に指定"),
            ),
            FixAction::CentraliseSecurityHub { linked_regions, policies } => {
                let linked =
                    if linked_regions.is_empty() { "none".to_owned() } else { linked_regions.join(", ") };
                let describe = |ja: bool| -> String {
                    policies
                        .iter()
                        .map(|policy| {
                            let (name, count) = (&policy.name, policy.accounts.len());
                            let off = if policy.disabled_controls.is_empty() {
                                String::new()
                            } else if ja {
                                format!("、無効: {}", policy.disabled_controls.join(", "))
                            } else {
                                format!(", off: {}", policy.disabled_controls.join(", "))
                            };
                            if ja {
                                format!("{name} (FSBP{off}) を {count} アカウントに")
                            } else {
                                format!("{name} (FSBP{off}) for {count} account(s)")
                            }
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                };
                let (en, ja) = (describe(false), describe(true));
                Text::new(
                    format!(
                        "central configuration of Security Hub: the administrator's own hub, a finding aggregator \
                         here linking {linked}, configuration type CENTRAL, and the configuration policies {en}"
                    ),
                    format!(
                        "Security Hub の一元設定: 委任管理者自身のハブ、ここに {linked} をリンクする検出結果アグリゲーター、\
                         設定タイプ CENTRAL、設定ポリシー {ja}"
                    ),
                )
            }
            FixAction::DelegateAccessAnalyzer { admin_account: Some(admin) } => Text::new(
                format!(
                    "let IAM Access Analyzer work with Organizations (trusted access) and register account {admin} \
                     as its delegated administrator"
                ),
                format!(
                    "IAM Access Analyzer と Organizations の連携 (信頼されたアクセス) を有効にし、アカウント {admin} を\
                     委任管理者に登録"
                ),
            ),
            FixAction::DelegateAccessAnalyzer { admin_account: None } => Text::new(
                "let IAM Access Analyzer work with Organizations (trusted access)",
                "IAM Access Analyzer と Organizations の連携 (信頼されたアクセス) を有効化",
            ),
            FixAction::DelegateConfig { admin_account: Some(admin) } => Text::new(
                format!(
                    "let AWS Config work with Organizations (trusted access) and register account {admin} as its \
                     delegated administrator for aggregators"
                ),
                format!(
                    "AWS Config と Organizations の連携 (信頼されたアクセス) を有効にし、アカウント {admin} をアグリゲーターの\
                     委任管理者に登録"
                ),
            ),
            FixAction::DelegateConfig { admin_account: None } => Text::new(
                "let AWS Config work with Organizations (trusted access)",
                "AWS Config と Organizations の連携 (信頼されたアクセス) を有効化",
            ),
            FixAction::CreateOrganizationAggregator { name, role_name } => Text::new(
                format!(
                    "create the AWS Config aggregator {name} of every account and region of the organization (role \
                     {role_name}), so what the members' recorders record is seen in one place; each member still \
                     records with its own recorder"
                ),
                format!(
                    "組織の全アカウント・全リージョンの AWS Config アグリゲーター {name} を作成 (ロール {role_name})。メンバーの\
                     レコーダーが記録した内容を 1 か所で確認できます。記録は引き続き各メンバーのレコーダーが行います"
                ),
            ),
            FixAction::CreateOrganizationAnalyzer { name } => Text::new(
                format!("create the IAM Access Analyzer {name} (zone of trust: the organization)"),
                format!("IAM Access Analyzer {name} を作成 (信頼ゾーン: 組織)"),
            ),
            FixAction::OrganizationTrail { bucket } => {
                let name = &bucket.name;
                let (bucket_en, bucket_ja) = if bucket.create {
                    (
                        format!("the bucket {name} (created private if missing)"),
                        format!("バケット {name} (なければ非公開で作成)"),
                    )
                } else {
                    (format!("the existing bucket {name}"), format!("既存のバケット {name}"))
                };
                Text::new(
                    format!(
                        "log every account of the organization: start the organization's multi-region trail if it \
                         is stopped, or create the organization trail guardline-org (all management events, log \
                         file validation) delivering to {bucket_en}"
                    ),
                    format!(
                        "組織のすべてのアカウントを記録: 組織のマルチリージョン証跡が停止していれば開始し、なければ組織の証跡 \
                         guardline-org (すべての管理イベント、ログファイル検証) を作成して {bucket_ja} に配信"
                    ),
                )
            }
            FixAction::SetMemberSecurityContacts { accounts, name, email, .. } => {
                let count = accounts.len();
                let ids = accounts.join(", ");
                Text::new(
                    format!(
                        "set the SECURITY alternate contact of {count} member account(s) ({ids}) to {name} \
                         <{email}> from the management account, after enabling AWS Account Management's trusted \
                         access"
                    ),
                    format!(
                        "管理アカウントから、メンバーアカウント {count} 件 ({ids}) のセキュリティの代替連絡先を \
                         {name} <{email}> に設定 (先に AWS Account Management の信頼されたアクセスを有効化)"
                    ),
                )
            }
        }
    }
}

/// Every IAM action any fix step may call, sorted: the write policy `guardline iam-policy --for fix` prints.
pub fn every_call() -> Vec<&'static str> {
    let created = LogBucket { name: String::new(), region: String::new(), create: true };
    let existing = LogBucket { create: false, ..created.clone() };
    let samples = [
        FixAction::EnableGuardDuty { disabled_detector: None },
        FixAction::EnableGuardDuty { disabled_detector: Some(String::new()) },
        FixAction::CreateAccessAnalyzer { name: String::new() },
        FixAction::EnableSecurityHub { hub_enabled: false, standard_arn: String::new() },
        FixAction::EnableInspectorEc2 { member_of: None },
        FixAction::RecordConfig { include_global_resource_types: true, bucket: created.clone() },
        FixAction::RecordConfig { include_global_resource_types: true, bucket: existing.clone() },
        FixAction::AddConfigRules { rules: Vec::new() },
        FixAction::RouteEvents {
            rule_name: String::new(),
            event_pattern: String::new(),
            topic_name: String::new(),
            subscribers: Vec::new(),
        },
        FixAction::EnableCloudTrail { existing_trail: None, bucket: created },
        FixAction::EnableCloudTrail { existing_trail: None, bucket: existing },
        FixAction::CreateBudget { name: String::new(), monthly_usd: 1.0, subscribers: Vec::new() },
        FixAction::CreateAnomalyMonitor {
            monitor_name: String::new(),
            threshold_usd: 1.0,
            subscribers: Vec::new(),
            existing_monitor: None,
        },
        FixAction::CreateAccountAlias { alias: String::new() },
        FixAction::SetSecurityContact {
            name: String::new(),
            email: String::new(),
            phone: String::new(),
            title: String::new(),
        },
        FixAction::SetPasswordPolicy { minimums: PasswordMinimums::default() },
        FixAction::BlockAccountPublicAccess,
        FixAction::CentraliseRootAccess,
        FixAction::DelegateGuardDuty { admin_account: String::new() },
        FixAction::AutoEnableGuardDuty,
        FixAction::DelegateInspector { admin_account: String::new() },
        FixAction::EnableInspectorMembers { accounts: Vec::new() },
        FixAction::DelegateSecurityHub { admin_account: String::new() },
        FixAction::CentraliseSecurityHub { linked_regions: Vec::new(), policies: Vec::new() },
        FixAction::OrganizationTrail {
            bucket: LogBucket { name: String::new(), region: String::new(), create: true },
        },
        FixAction::DelegateAccessAnalyzer { admin_account: Some(String::new()) },
        FixAction::CreateOrganizationAnalyzer { name: String::new() },
        FixAction::DelegateConfig { admin_account: Some(String::new()) },
        FixAction::CreateOrganizationAggregator { name: String::new(), role_name: String::new() },
        FixAction::SetMemberSecurityContacts {
            accounts: Vec::new(),
            name: String::new(),
            email: String::new(),
            phone: String::new(),
            title: String::new(),
        },
    ];
    let mut calls: Vec<&'static str> = samples.iter().flat_map(FixAction::calls).collect();
    calls.sort_unstable();
    calls.dedup();
    calls
}

/// What a rule's plan function makes of its failing findings.
#[derive(Debug, Clone, PartialEq)]
pub enum Planned {
    /// A change in `region` (`global` for account-wide ones).
    Change { region: String, action: FixAction },
    /// The fix needs a value the config does not give.
    NeedsInput { region: String, missing: Text },
    /// This finding only a person can fix (the control's other findings may have an automated fix).
    Manual,
}

/// A rule's plan function: its failing findings in, changes out.
pub type PlanFn = fn(&FixContext<'_>, &[&Finding]) -> Vec<Planned>;

/// What plan functions may read.
pub struct FixContext<'a> {
    pub cx: Context<'a>,
    pub settings: &'a FixSettings,
    /// The alias the config pins for this account (ACCOUNT-001 creates it).
    pub pinned_alias: Option<&'a str>,
}

impl FixContext<'_> {
    /// The bucket AWS Config and CloudTrail deliver to: the configured one, or `guardline-logs-<ID>`.
    pub fn log_bucket(&self) -> LogBucket {
        LogBucket::of_account(self.settings, self.cx.account_id(), &self.cx.params.home_region)
    }

    /// The alert subscribers (`[fix] notify`), or `None` when the config names none.
    pub fn subscribers(&self) -> Option<Vec<String>> {
        (!self.settings.notify.is_empty()).then(|| self.settings.notify.clone())
    }

    /// The fix in `region` needs `[fix] notify`.
    pub fn needs_subscribers(&self, region: &str) -> Planned {
        Planned::NeedsInput {
            region: region.to_owned(),
            missing: Text::new(
                "`[fix] notify`: the email addresses alerts go to",
                "`[fix] notify`: 通知先のメールアドレス",
            ),
        }
    }

    /// An EventBridge-to-SNS route in `region`, or why it cannot be planned.
    pub fn route(&self, region: &str, rule_name: &str, event_pattern: serde_json::Value) -> Planned {
        match self.subscribers() {
            Some(subscribers) => Planned::Change {
                region: region.to_owned(),
                action: FixAction::RouteEvents {
                    rule_name: rule_name.to_owned(),
                    event_pattern: event_pattern.to_string(),
                    topic_name: self.settings.topic_name.clone(),
                    subscribers,
                },
            },
            None => self.needs_subscribers(region),
        }
    }
}

/// One step of a plan: a change for one control in one region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixStep {
    pub control: &'static str,
    pub fix: FixAvailability,
    pub region: String,
    pub action: FixAction,
    /// The failing findings that call for it.
    pub because: Vec<Text>,
    /// The steps (indexes into [`FixPlan::steps`]) this one needs done first: when one of them fails, this
    /// one is skipped; every other step still runs ([`FixAction::needs`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<usize>,
}

/// A failing control whose fix needs a config value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockedFix {
    pub control: &'static str,
    pub region: String,
    pub missing: Text,
}

/// A failing control only a person can fix; `guardline rule ID` gives the steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManualFix {
    pub control: &'static str,
    pub title: Text,
    /// How many of its findings fail.
    pub failing: usize,
}

/// Everything `fix` would do for one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixPlan {
    pub account_id: String,
    pub account_alias: Option<String>,
    pub steps: Vec<FixStep>,
    pub blocked: Vec<BlockedFix>,
    pub manual: Vec<ManualFix>,
    /// Steps an organisation-wide step of `fix --org` does instead (e.g. GuardDuty enabled for every member
    /// by its delegated administrator).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub covered: Vec<CoveredStep>,
}

/// A member account's step left out of its plan because an organisation-wide step does it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoveredStep {
    pub control: &'static str,
    pub region: String,
    /// What does it instead.
    pub by: Text,
}

impl FixPlan {
    /// The alias the plan creates (ACCOUNT-001), for the pin check.
    pub fn alias_created(&self) -> Option<&str> {
        self.steps.iter().find_map(|step| match &step.action {
            FixAction::CreateAccountAlias { alias } => Some(alias.as_str()),
            _ => None,
        })
    }

    /// Puts `steps` (organisation-wide steps, which stand alone) before the plan's own, so they run first.
    pub fn prepend(&mut self, steps: Vec<FixStep>) {
        let shift = steps.len();
        for step in &mut self.steps {
            for index in &mut step.after {
                *index += shift;
            }
        }
        self.steps.splice(0..0, steps);
    }

    /// Takes out the steps `cover` says an organisation-wide step does instead, recording them in
    /// [`Self::covered`]; the remaining steps' [`FixStep::after`] follow their new places.
    pub fn cover(&mut self, mut cover: impl FnMut(&FixStep) -> Option<Text>) {
        let mut kept = Vec::new();
        let mut new_index = Vec::new();
        for step in std::mem::take(&mut self.steps) {
            match cover(&step) {
                Some(by) => {
                    new_index.push(None);
                    self.covered.push(CoveredStep { control: step.control, region: step.region, by });
                }
                None => {
                    new_index.push(Some(kept.len()));
                    kept.push(step);
                }
            }
        }
        for step in &mut kept {
            step.after = step.after.iter().filter_map(|&index| new_index[index]).collect();
        }
        self.steps = kept;
    }
}

/// Plans the fixes for `evaluation`'s failures (narrowed to `only`'s control IDs, when given), under the
/// profile the config maps the account to.
pub fn plan(
    snapshot: &Snapshot,
    config: &Config,
    evaluation: &Evaluation,
    only: Option<&[String]>,
) -> FixPlan {
    let profile = config.profile_for(&snapshot.account.id, evaluation.account_alias.as_deref());
    plan_under(snapshot, config, profile, evaluation, only)
}

/// [`plan`] under `profile`: an organisation's member account, whose profile comes from its OU placement
/// and tags, which a snapshot does not carry.
pub fn plan_under(
    snapshot: &Snapshot,
    config: &Config,
    profile: &guardline_config::Profile,
    evaluation: &Evaluation,
    only: Option<&[String]>,
) -> FixPlan {
    let fix_cx = FixContext {
        cx: Context { snapshot, params: &profile.params },
        settings: &config.fix,
        pinned_alias: guardline_config::pinned_alias(config, &snapshot.account.id),
    };
    let mut plan = FixPlan {
        account_id: evaluation.account_id.clone(),
        account_alias: evaluation.account_alias.clone(),
        steps: Vec::new(),
        blocked: Vec::new(),
        manual: Vec::new(),
        covered: Vec::new(),
    };
    for rule in RULES {
        if only.is_some_and(|only| !only.iter().any(|id| id.eq_ignore_ascii_case(rule.id))) {
            continue;
        }
        let failing: Vec<&Finding> = evaluation
            .findings
            .iter()
            .filter(|finding| finding.finding.control == rule.id)
            .filter(|finding| matches!(finding.outcome, Outcome::Fail | Outcome::Warn))
            .map(|finding| &finding.finding)
            .collect();
        if failing.is_empty() {
            continue;
        }
        let Some(plan_fn) = rule.plan else {
            plan.manual.push(ManualFix {
                control: rule.id,
                title: Text::new(rule.title, rule.title_ja),
                failing: failing.len(),
            });
            continue;
        };
        let mut manual = 0;
        for planned in plan_fn(&fix_cx, &failing) {
            match planned {
                Planned::Manual => manual += 1,
                Planned::Change { region, action } => {
                    let because: Vec<Text> = failing
                        .iter()
                        .filter(|finding| {
                            finding.region == region || finding.region == crate::context::GLOBAL
                        })
                        .map(|finding| finding.message.clone())
                        .collect();
                    if let Some(existing) =
                        plan.steps.iter_mut().find(|step| step.region == region && step.action == action)
                    {
                        existing.because.extend(because);
                    } else {
                        let step = FixStep {
                            control: rule.id,
                            fix: rule.fix,
                            region,
                            action,
                            because,
                            after: Vec::new(),
                        };
                        plan.steps.push(step);
                    }
                }
                Planned::NeedsInput { region, missing } => {
                    plan.blocked.push(BlockedFix { control: rule.id, region, missing });
                }
            }
        }
        if manual > 0 {
            plan.manual.push(ManualFix {
                control: rule.id,
                title: Text::new(rule.title, rule.title_ja),
                failing: manual,
            });
        }
    }
    // Steps run in plan order (the rules' order), so a step can only wait for an earlier one; the
    // registry lists CONFIG-001 before CONFIG-003 (`a_config_rules_step_waits_for_the_recorder_step`).
    let after: Vec<Vec<usize>> = plan
        .steps
        .iter()
        .enumerate()
        .map(|(position, step)| {
            (0..position)
                .filter(|&index| {
                    step.action.needs(&step.region, &plan.steps[index].action, &plan.steps[index].region)
                })
                .collect()
        })
        .collect();
    for (step, after) in plan.steps.iter_mut().zip(after) {
        step.after = after;
    }
    plan
}
