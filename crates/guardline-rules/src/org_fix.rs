//! The AWS-native organisation setup `fix --org` plans first: where AWS offers an organisation-wide way to
//! fix a control for every member account, the member accounts' own steps for it are replaced by one step in
//! the management account or in the delegated administrator ([`organise`]).
//!
//! - GUARDDUTY-001: GuardDuty's delegated administrator (`[org] delegated-admin`, or the one the region
//!   already has) designated from the management account, then auto-enable `ALL` from the administrator, so
//!   every member, existing and new, has GuardDuty without a step of its own. Per region, like the service.
//! - INSPECTOR-001: Inspector's delegated administrator designated the same way, then from the administrator
//!   EC2 scanning enabled for the failing members (`inspector2:Enable --account-ids`) and auto-enabled for
//!   new ones (Inspector's auto-enable does not reach existing members).
//! - HUB-001: Security Hub's delegated administrator designated in the home region, then central
//!   configuration from the administrator: a finding aggregator linking the scanned regions, configuration
//!   type `CENTRAL`, and a configuration policy per profile (FSBP on, the profile's `security-hub-not-adopted`
//!   controls off) associated with that profile's failing members.
//! - TRAIL-001: one multi-region organisation trail in the management account (the organisation's, started,
//!   or `guardline-org`), which logs every account.
//! - ANALYZER-001: an organisation analyzer per region, in Access Analyzer's delegated administrator (after
//!   its registration and trusted access) or in the management account; an organisation scan gives it to
//!   every member, which cannot list it.
//! - CONFIG-001: the recorders stay each account's; an organisation aggregator (AWS Config's delegated
//!   administrator, else the management account) shows them in one place.
//! - ACCOUNT-002: the members' SECURITY alternate contacts set from the management account
//!   (`account:PutAlternateContact --account-id`), one step for all of them.
//!
//! What has no organisation-wide way (an alias, a budget, a password policy, ...) stays in each member's
//! plan. Pure like the planner: it reads the members' plans and the organisation's services and calls
//! nothing.
//!
//! Architecture Invariant: an organisation-wide step is planned only for member steps that a failing finding
//! called for, so it inherits the planner's invariant (a second `fix --org` after a successful one plans
//! nothing); a member step is removed only when the step that replaces it is in the plan (or its effect is
//! already in place), never on a guess.

use guardline_model::org::{OrgRegionServices, OrgServices};
use guardline_model::{Collected, Text};

use std::collections::BTreeMap;

use crate::FixAvailability;
use crate::fix::FixAction::CentraliseSecurityHub;
use crate::fix::{FixAction, FixPlan, FixStep, HubPolicy, LogBucket};

/// The organisation-wide steps, by the account they run in, and what could not be organised.
#[derive(Debug, Default)]
pub struct OrgSteps {
    /// Steps in the management account, run before any other account's.
    pub management: Vec<FixStep>,
    /// Steps in each delegated administrator, run after the management account's and before the members'.
    pub admins: Vec<(String, Vec<FixStep>)>,
    /// Why a control is still fixed member by member.
    pub notes: Vec<Text>,
}

impl OrgSteps {
    fn admin_steps(&mut self, admin: &str) -> &mut Vec<FixStep> {
        if let Some(position) = self.admins.iter().position(|(id, _)| id == admin) {
            return &mut self.admins[position].1;
        }
        self.admins.push((admin.to_owned(), Vec::new()));
        &mut self.admins.last_mut().expect("just pushed").1
    }
}

/// What the organisation-wide planner reads besides the plans.
pub struct OrgInput<'a> {
    /// The management account's ID.
    pub management: &'a str,
    /// `[org] delegated-admin`.
    pub delegated_admin: Option<&'a str>,
    /// The home region (the management account's profile's): where Security Hub's central configuration
    /// and its finding aggregator live.
    pub home_region: &'a str,
    pub services: &'a OrgServices,
    /// Each account's profile, by account ID.
    pub profiles: &'a BTreeMap<String, AccountProfile>,
    /// The management account's log bucket (`[fix] log-bucket`, or `guardline-logs-<ID>` in the home region),
    /// which the organisation trail delivers to.
    pub log_bucket: LogBucket,
}

/// An account's profile, as far as organisation-wide steps need it.
#[derive(Debug, Clone, Default)]
pub struct AccountProfile {
    pub name: String,
    /// Its `security-hub-not-adopted` controls (Security Hub control IDs such as `IAM.6`).
    pub hub_not_adopted: Vec<String>,
}

/// Replaces the member accounts' steps that an organisation-wide step does, in `plans` (every reached
/// account's, by account ID; the management account's own steps stay), and returns those steps.
pub fn organise(input: &OrgInput<'_>, plans: &mut [(&str, &mut FixPlan)]) -> OrgSteps {
    let mut steps = OrgSteps::default();
    for service in [&GUARDDUTY, &INSPECTOR] {
        delegated(service, input.management, input.delegated_admin, input.services, plans, &mut steps);
    }
    security_hub(input, plans, &mut steps);
    organisation_trail(input, plans, &mut steps);
    organisation_analyzer(input, plans, &mut steps);
    config_aggregator(input, plans, &mut steps);
    security_contacts(input.management, plans, &mut steps);
    steps
}

/// The reasons of the member steps `matches` picks, each prefixed with its account.
fn reasons(
    plans: &[(&str, &mut FixPlan)],
    management: &str,
    matches: impl Fn(&FixStep) -> bool,
) -> Vec<Text> {
    plans
        .iter()
        .filter(|(id, _)| *id != management)
        .flat_map(|(id, plan)| {
            plan.steps.iter().filter(|step| matches(step)).flat_map(move |step| {
                step.because.iter().map(move |because| {
                    Text::new(format!("{id}: {}", because.en), format!("{id}: {}", because.ja))
                })
            })
        })
        .collect()
}

fn org_step(control: &'static str, region: &str, action: FixAction, because: Vec<Text>) -> FixStep {
    let fix = crate::find_rule(control).map_or(FixAvailability::Safe, |rule| rule.fix);
    FixStep { control, fix, region: region.to_owned(), action, because, after: Vec::new() }
}

/// A service whose delegated administrator can enable it for every member account.
struct Delegated {
    control: &'static str,
    /// The service's name in messages.
    name: &'static str,
    /// A member's own step the organisation-wide steps replace.
    member_step: fn(&FixAction) -> bool,
    /// The region's delegated administrators, as the management account lists them.
    admins: fn(&OrgRegionServices) -> &Collected<Vec<String>>,
    /// Whether the administrator already covers every member (then it needs no step), or why its setting
    /// could not be read.
    covers_all: fn(&OrgRegionServices) -> Result<bool, String>,
    /// The management account's step designating the administrator.
    delegate: fn(String) -> FixAction,
    /// The administrator's step, for the member accounts whose own steps it replaces.
    admin_step: fn(Vec<String>) -> FixAction,
    /// What a member's section says does its step instead.
    by: fn(&str) -> Text,
}

/// GUARDDUTY-001: designation, then auto-enable `ALL` (existing and new members).
const GUARDDUTY: Delegated = Delegated {
    control: "GUARDDUTY-001",
    name: "GuardDuty",
    member_step: |action| matches!(action, FixAction::EnableGuardDuty { .. }),
    admins: |services| &services.guardduty_admins,
    covers_all: |services| match services.guardduty_auto_enable.get() {
        Ok(auto_enable) => Ok(auto_enable.as_deref() == Some("ALL")),
        Err(error) => Err(error.to_string()),
    },
    delegate: |admin_account| FixAction::DelegateGuardDuty { admin_account },
    admin_step: |_| FixAction::AutoEnableGuardDuty,
    by: |admin| {
        Text::new(
            format!(
                "GuardDuty's delegated administrator {admin} enables every member account (auto-enable ALL)"
            ),
            format!("GuardDuty の委任管理者 {admin} がすべてのメンバーアカウントを有効化 (自動有効化 ALL)"),
        )
    },
};

/// INSPECTOR-001: designation, then EC2 scanning enabled for the failing members by the administrator
/// (Inspector's auto-enable reaches new members only) and auto-enabled for new ones.
const INSPECTOR: Delegated = Delegated {
    control: "INSPECTOR-001",
    name: "Amazon Inspector",
    member_step: |action| matches!(action, FixAction::EnableInspectorEc2 { .. }),
    admins: |services| &services.inspector_admins,
    covers_all: |services| match services.inspector_auto_enable_ec2.get() {
        Ok(_) => Ok(false),
        Err(error) => Err(error.to_string()),
    },
    delegate: |admin_account| FixAction::DelegateInspector { admin_account },
    admin_step: |accounts| FixAction::EnableInspectorMembers { accounts },
    by: |admin| {
        Text::new(
            format!("Amazon Inspector's delegated administrator {admin} enables EC2 scanning here"),
            format!("Amazon Inspector の委任管理者 {admin} がここで EC2 スキャンを有効化"),
        )
    },
};

/// `service`, per region where a member's plan has its step.
fn delegated(
    service: &Delegated,
    management: &str,
    delegated_admin: Option<&str>,
    services: &OrgServices,
    plans: &mut [(&str, &mut FixPlan)],
    steps: &mut OrgSteps,
) {
    let (control, name) = (service.control, service.name);
    let mut regions: Vec<String> = plans
        .iter()
        .filter(|(id, _)| *id != management)
        .flat_map(|(_, plan)| {
            plan.steps
                .iter()
                .filter(|step| (service.member_step)(&step.action))
                .map(|step| step.region.clone())
        })
        .collect();
    regions.sort();
    regions.dedup();
    for region in regions {
        let Some(region_services) = services.regions.get(&region) else { continue };
        let admins = match (service.admins)(region_services).get() {
            Ok(admins) => admins,
            Err(error) => {
                let why = error.to_string();
                steps.notes.push(Text::new(
                    format!(
                        "{name} in {region}: its delegated administrator could not be read ({why}), so each \
                         member account is enabled on its own"
                    ),
                    format!(
                        "{region} の {name}: 委任管理者を読めなかったため ({why})、各メンバーアカウントで個別に\
                         有効化します"
                    ),
                ));
                continue;
            }
        };
        let admin = match (admins.first(), delegated_admin) {
            (Some(existing), _) => existing.clone(),
            (None, Some(configured)) => configured.to_owned(),
            (None, None) => {
                steps.notes.push(Text::new(
                    format!(
                        "{name} in {region}: the organization has no delegated administrator; name one in \
                         `[org] delegated-admin` (a security tooling account) to enable every member from there. \
                         Until then each member account is enabled on its own"
                    ),
                    format!(
                        "{region} の {name}: 組織に委任管理者がいません。`[org] delegated-admin` に (セキュリティ用の\
                         アカウントを) 指定すると、すべてのメンバーをそこから有効化します。それまでは各メンバー\
                         アカウントで個別に有効化します"
                    ),
                ));
                continue;
            }
        };
        let covers_all = match (service.covers_all)(region_services) {
            Ok(covers_all) => covers_all,
            Err(why) => {
                steps.notes.push(Text::new(
                    format!(
                        "{name} in {region}: the delegated administrator {admin}'s organisation settings could \
                         not be read ({why}), so each member account is enabled on its own"
                    ),
                    format!(
                        "{region} の {name}: 委任管理者 {admin} の組織の設定を読めなかったため ({why})、各\
                         メンバーアカウントで個別に有効化します"
                    ),
                ));
                continue;
            }
        };
        let in_region = |step: &FixStep| (service.member_step)(&step.action) && step.region == region;
        let because = reasons(plans, management, in_region);
        if admins.is_empty() {
            let action = (service.delegate)(admin.clone());
            steps.management.push(org_step(control, &region, action, because.clone()));
        }
        let members: Vec<String> = plans
            .iter()
            .filter(|(id, plan)| *id != management && *id != admin && plan.steps.iter().any(in_region))
            .map(|(id, _)| (*id).to_owned())
            .collect();
        if !covers_all {
            let action = (service.admin_step)(members);
            steps.admin_steps(&admin).push(org_step(control, &region, action, because));
        }
        let by = (service.by)(&admin);
        for (id, plan) in plans.iter_mut() {
            if *id != management && *id != admin {
                plan.cover(|step| in_region(step).then(|| by.clone()));
            }
        }
    }
}

/// HUB-001: central configuration from the delegated administrator's home region. Every member's Security
/// Hub step, in any scanned region, is replaced: the aggregator links the scanned regions, and each member is
/// associated with its profile's configuration policy.
fn security_hub(input: &OrgInput<'_>, plans: &mut [(&str, &mut FixPlan)], steps: &mut OrgSteps) {
    let (management, home) = (input.management, input.home_region);
    let is_hub = |step: &FixStep| matches!(step.action, FixAction::EnableSecurityHub { .. });
    let failing: Vec<String> = plans
        .iter()
        .filter(|(id, plan)| *id != management && plan.steps.iter().any(is_hub))
        .map(|(id, _)| (*id).to_owned())
        .collect();
    if failing.is_empty() {
        return;
    }
    let note = |en: String, ja: String| Text::new(en, ja);
    let admins = match input.services.security_hub_admins.get() {
        Ok(admins) => admins,
        Err(error) => {
            let why = error.to_string();
            steps.notes.push(note(
                format!(
                    "Security Hub: its delegated administrator could not be read in {home} ({why}), so each \
                     member account is enabled on its own"
                ),
                format!("Security Hub: {home} で委任管理者を読めなかったため ({why})、各メンバーアカウントで個別に有効化します"),
            ));
            return;
        }
    };
    let Some(admin) = admins.first().cloned().or_else(|| input.delegated_admin.map(str::to_owned)) else {
        steps.notes.push(note(
            "Security Hub: the organization has no delegated administrator; name one in `[org] delegated-admin` \
             to configure every member centrally (central configuration). Until then each member account is \
             enabled on its own"
                .to_owned(),
            "Security Hub: 組織に委任管理者がいません。`[org] delegated-admin` に指定すると、すべてのメンバーを一元設定\
             (central configuration) で構成します。それまでは各メンバーアカウントで個別に有効化します"
                .to_owned(),
        ));
        return;
    };
    if let Err(error) = input.services.security_hub_configuration.get() {
        let why = error.to_string();
        steps.notes.push(note(
            format!(
                "Security Hub: the delegated administrator {admin}'s organisation settings could not be read \
                 ({why}), so each member account is enabled on its own"
            ),
            format!(
                "Security Hub: 委任管理者 {admin} の組織の設定を読めなかったため ({why})、各メンバーアカウントで個別に\
                 有効化します"
            ),
        ));
        return;
    }
    let because = reasons(plans, management, is_hub);
    if admins.is_empty() {
        let action = FixAction::DelegateSecurityHub { admin_account: admin.clone() };
        steps.management.push(org_step("HUB-001", home, action, because.clone()));
    }
    // One policy per profile, for the failing members on it (the administrator's own hub is its step's).
    let mut by_profile: BTreeMap<String, HubPolicy> = BTreeMap::new();
    let partition = guardline_model::partition::of_region(home);
    for account in failing.iter().filter(|id| **id != admin) {
        let profile = input.profiles.get(account).cloned().unwrap_or_default();
        let name = format!("guardline-{}", if profile.name.is_empty() { "default" } else { &profile.name });
        let policy = by_profile.entry(profile.name.clone()).or_insert_with(|| HubPolicy {
            name,
            standard_arn: format!(
                "arn:{partition}:securityhub:{home}::standards/aws-foundational-security-best-practices/v/1.0.0"
            ),
            disabled_controls: profile.hub_not_adopted.clone(),
            accounts: Vec::new(),
        });
        policy.accounts.push(account.clone());
    }
    let linked_regions: Vec<String> =
        input.services.regions.keys().filter(|region| region.as_str() != home).cloned().collect();
    let action = CentraliseSecurityHub { linked_regions, policies: by_profile.into_values().collect() };
    steps.admin_steps(&admin).push(org_step("HUB-001", home, action, because));
    let by = Text::new(
        format!(
            "Security Hub's delegated administrator {admin} configures it centrally (a configuration policy)"
        ),
        format!("Security Hub の委任管理者 {admin} が一元設定 (設定ポリシー) で構成"),
    );
    for (id, plan) in plans.iter_mut() {
        if *id != management && *id != admin {
            plan.cover(|step| is_hub(step).then(|| by.clone()));
        }
    }
}

/// TRAIL-001: one multi-region organisation trail in the management account logs every account; it replaces
/// the members' trail steps, and the management account's own step that would create a trail (a stopped
/// trail of its own is still started by its own step).
fn organisation_trail(input: &OrgInput<'_>, plans: &mut [(&str, &mut FixPlan)], steps: &mut OrgSteps) {
    let management = input.management;
    let is_trail = |step: &FixStep| matches!(step.action, FixAction::EnableCloudTrail { .. });
    let is_new_trail =
        |step: &FixStep| matches!(step.action, FixAction::EnableCloudTrail { existing_trail: None, .. });
    let because = reasons(plans, management, is_trail);
    if because.is_empty() {
        return;
    }
    let action = FixAction::OrganizationTrail { bucket: input.log_bucket.clone() };
    steps.management.push(org_step("TRAIL-001", input.home_region, action, because));
    let by = Text::new(
        format!("the organization trail of the management account {management} logs it"),
        format!("管理アカウント {management} の組織の証跡が記録"),
    );
    for (id, plan) in plans.iter_mut() {
        let own = *id == management;
        plan.cover(|step| (if own { is_new_trail(step) } else { is_trail(step) }).then(|| by.clone()));
    }
}

/// ANALYZER-001: an organisation analyzer per region where an account's plan creates one, held by Access
/// Analyzer's delegated administrator (the registered one, else `[org] delegated-admin`) or, without one, by
/// the management account; it replaces every account's own analyzer step there.
fn organisation_analyzer(input: &OrgInput<'_>, plans: &mut [(&str, &mut FixPlan)], steps: &mut OrgSteps) {
    let management = input.management;
    let is_analyzer = |step: &FixStep| matches!(step.action, FixAction::CreateAccessAnalyzer { .. });
    let mut regions: Vec<String> = plans
        .iter()
        .flat_map(|(_, plan)| {
            plan.steps.iter().filter(|step| is_analyzer(step)).map(|step| step.region.clone())
        })
        .collect();
    regions.sort();
    regions.dedup();
    if regions.is_empty() {
        return;
    }
    let (admins, trusted) = match (input.services.analyzer_admins.get(), input.services.trusted_access.get())
    {
        (Ok(admins), Ok(trusted)) => (admins, trusted),
        (Err(error), _) | (_, Err(error)) => {
            let why = error.to_string();
            steps.notes.push(Text::new(
                format!(
                    "IAM Access Analyzer: the organisation's delegated administrator or trusted access could not \
                     be read ({why}), so each account gets an analyzer of its own"
                ),
                format!(
                    "IAM Access Analyzer: 組織の委任管理者または信頼されたアクセスを読めなかったため ({why})、各アカウントに\
                     個別のアナライザーを作成します"
                ),
            ));
            return;
        }
    };
    let holder = admins
        .first()
        .cloned()
        .or_else(|| input.delegated_admin.filter(|admin| *admin != management).map(str::to_owned));
    let needs_trust = !trusted.iter().any(|principal| principal == "access-analyzer.amazonaws.com");
    let needs_registration = holder.is_some() && admins.is_empty();
    let because = reasons(plans, "", is_analyzer);
    if needs_trust || needs_registration {
        let action = FixAction::DelegateAccessAnalyzer {
            admin_account: holder.clone().filter(|_| needs_registration),
        };
        steps.management.push(org_step("ANALYZER-001", crate::context::GLOBAL, action, because.clone()));
    }
    let holder = holder.unwrap_or_else(|| management.to_owned());
    for region in &regions {
        let in_region = |step: &FixStep| is_analyzer(step) && step.region == *region;
        let because: Vec<Text> = reasons(plans, "", in_region);
        let action = FixAction::CreateOrganizationAnalyzer { name: "guardline-org".to_owned() };
        let step = org_step("ANALYZER-001", region, action, because);
        if holder == management {
            steps.management.push(step);
        } else {
            steps.admin_steps(&holder).push(step);
        }
        let by = Text::new(
            format!("the organization's IAM Access Analyzer guardline-org of account {holder} covers it"),
            format!("アカウント {holder} の組織の IAM Access Analyzer guardline-org が対象にします"),
        );
        for (_, plan) in plans.iter_mut() {
            plan.cover(|step| in_region(step).then(|| by.clone()));
        }
    }
}

/// CONFIG-001: while accounts get recorders of their own (their steps stay), an organisation aggregator in
/// AWS Config's delegated administrator (the registered one, else `[org] delegated-admin`) or the management
/// account shows every account's configuration in one place; planned only when that account has none.
fn config_aggregator(input: &OrgInput<'_>, plans: &mut [(&str, &mut FixPlan)], steps: &mut OrgSteps) {
    let management = input.management;
    let is_recorder = |step: &FixStep| matches!(step.action, FixAction::RecordConfig { .. });
    let because = reasons(plans, "", is_recorder);
    if because.is_empty() {
        return;
    }
    let services = input.services;
    let read =
        (services.config_admins.get(), services.trusted_access.get(), services.config_aggregator.get());
    let (admins, trusted, aggregator) = match read {
        (Ok(admins), Ok(trusted), Ok(aggregator)) => (admins, trusted, aggregator),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            let why = error.to_string();
            steps.notes.push(Text::new(
                format!(
                    "AWS Config: the organisation's aggregator could not be read ({why}), so none is planned; each \
                     account still gets its recorder"
                ),
                format!(
                    "AWS Config: 組織のアグリゲーターを読めなかったため ({why})、計画していません。各アカウントのレコーダーは\
                     計画どおり作成します"
                ),
            ));
            return;
        }
    };
    if aggregator.is_some() {
        return;
    }
    let holder = admins
        .first()
        .cloned()
        .or_else(|| input.delegated_admin.filter(|admin| *admin != management).map(str::to_owned));
    let needs_trust = !trusted.iter().any(|principal| principal == "config.amazonaws.com");
    let needs_registration = holder.is_some() && admins.is_empty();
    if needs_trust || needs_registration {
        let action =
            FixAction::DelegateConfig { admin_account: holder.clone().filter(|_| needs_registration) };
        steps.management.push(org_step("CONFIG-001", crate::context::GLOBAL, action, because.clone()));
    }
    let action = FixAction::CreateOrganizationAggregator {
        name: "guardline-org".to_owned(),
        role_name: "guardline-config-aggregator".to_owned(),
    };
    let step = org_step("CONFIG-001", input.home_region, action, because);
    match holder {
        Some(holder) => steps.admin_steps(&holder).push(step),
        None => steps.management.push(step),
    }
}

/// The contact a SECURITY contact step sets.
fn contact(step: &FixStep) -> Option<(&String, &String, &String, &String)> {
    match &step.action {
        FixAction::SetSecurityContact { name, email, phone, title } => Some((name, email, phone, title)),
        _ => None,
    }
}

/// ACCOUNT-002: the members' SECURITY contacts, from the management account.
fn security_contacts(management: &str, plans: &mut [(&str, &mut FixPlan)], steps: &mut OrgSteps) {
    let mut accounts: Vec<String> = Vec::new();
    let mut values = None;
    for (id, plan) in plans.iter() {
        if *id == management {
            continue;
        }
        if let Some(found) = plan.steps.iter().find_map(contact) {
            accounts.push((*id).to_owned());
            values.get_or_insert_with(|| {
                let (name, email, phone, title) = found;
                (name.clone(), email.clone(), phone.clone(), title.clone())
            });
        }
    }
    let Some((name, email, phone, title)) = values else { return };
    let because = reasons(plans, management, |step| contact(step).is_some());
    accounts.sort();
    let action = FixAction::SetMemberSecurityContacts { accounts, name, email, phone, title };
    steps.management.push(org_step("ACCOUNT-002", crate::context::GLOBAL, action, because));
    let by = Text::new(
        format!("the management account {management} sets it (account:PutAlternateContact --account-id)"),
        format!("管理アカウント {management} が設定 (account:PutAlternateContact --account-id)"),
    );
    for (id, plan) in plans.iter_mut() {
        if *id != management {
            plan.cover(|step| contact(step).is_some().then(|| by.clone()));
        }
    }
}
