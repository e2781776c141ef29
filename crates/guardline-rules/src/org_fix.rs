//! The AWS-native organisation setup `fix --org` plans first: where AWS offers an organisation-wide way to
//! fix a control for every member account, the member accounts' own steps for it are replaced by one step in
//! the management account or in the delegated administrator ([`organise`]).
//!
//! - GUARDDUTY-001: GuardDuty's delegated administrator (`[org] delegated-admin`, or the one the region
//!   already has) designated from the management account, then auto-enable `ALL` from the administrator, so
//!   every member, existing and new, has GuardDuty without a step of its own. Per region, like the service.
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

use guardline_model::Text;
use guardline_model::org::OrgServices;

use crate::FixAvailability;
use crate::fix::{FixAction, FixPlan, FixStep};

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

/// Replaces the member accounts' steps that an organisation-wide step does, in `plans` (every reached
/// account's, by account ID; the management account's own steps stay), and returns those steps.
/// `delegated_admin`: `[org] delegated-admin`.
pub fn organise(
    management: &str,
    delegated_admin: Option<&str>,
    services: &OrgServices,
    plans: &mut [(&str, &mut FixPlan)],
) -> OrgSteps {
    let mut steps = OrgSteps::default();
    guardduty(management, delegated_admin, services, plans, &mut steps);
    security_contacts(management, plans, &mut steps);
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

/// GUARDDUTY-001, per region where a member's plan enables GuardDuty.
fn guardduty(
    management: &str,
    delegated_admin: Option<&str>,
    services: &OrgServices,
    plans: &mut [(&str, &mut FixPlan)],
    steps: &mut OrgSteps,
) {
    let is_guardduty = |step: &FixStep| matches!(step.action, FixAction::EnableGuardDuty { .. });
    let mut regions: Vec<String> = plans
        .iter()
        .filter(|(id, _)| *id != management)
        .flat_map(|(_, plan)| {
            plan.steps.iter().filter(|step| is_guardduty(step)).map(|step| step.region.clone())
        })
        .collect();
    regions.sort();
    regions.dedup();
    for region in regions {
        let Some(service) = services.regions.get(&region) else { continue };
        let admins = match service.guardduty_admins.get() {
            Ok(admins) => admins,
            Err(error) => {
                let why = error.to_string();
                steps.notes.push(Text::new(
                    format!(
                        "GuardDuty in {region}: its delegated administrator could not be read ({why}), so each \
                         member account is enabled on its own"
                    ),
                    format!(
                        "{region} の GuardDuty: 委任管理者を読めなかったため ({why})、各メンバーアカウントで個別に\
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
                        "GuardDuty in {region}: the organization has no delegated administrator; name one in \
                         `[org] delegated-admin` (a security tooling account) to enable every member, existing \
                         and new, from there. Until then each member account is enabled on its own"
                    ),
                    format!(
                        "{region} の GuardDuty: 組織に委任管理者がいません。`[org] delegated-admin` に (セキュリティ用の\
                         アカウントを) 指定すると、既存と新規のすべてのメンバーをそこから有効化します。それまでは各\
                         メンバーアカウントで個別に有効化します"
                    ),
                ));
                continue;
            }
        };
        let auto_enable = match service.guardduty_auto_enable.get() {
            Ok(auto_enable) => auto_enable.clone(),
            Err(error) => {
                let why = error.to_string();
                steps.notes.push(Text::new(
                    format!(
                        "GuardDuty in {region}: the delegated administrator {admin}'s auto-enable setting could \
                         not be read ({why}), so each member account is enabled on its own"
                    ),
                    format!(
                        "{region} の GuardDuty: 委任管理者 {admin} の自動有効化の設定を読めなかったため ({why})、各\
                         メンバーアカウントで個別に有効化します"
                    ),
                ));
                continue;
            }
        };
        let in_region = |step: &FixStep| is_guardduty(step) && step.region == region;
        let because = reasons(plans, management, in_region);
        if admins.is_empty() {
            let action = FixAction::DelegateGuardDuty { admin_account: admin.clone() };
            steps.management.push(org_step("GUARDDUTY-001", &region, action, because.clone()));
        }
        if auto_enable.as_deref() != Some("ALL") {
            steps.admin_steps(&admin).push(org_step(
                "GUARDDUTY-001",
                &region,
                FixAction::AutoEnableGuardDuty,
                because,
            ));
        }
        let by = Text::new(
            format!(
                "GuardDuty's delegated administrator {admin} enables every member account (auto-enable ALL)"
            ),
            format!("GuardDuty の委任管理者 {admin} がすべてのメンバーアカウントを有効化 (自動有効化 ALL)"),
        );
        for (id, plan) in plans.iter_mut() {
            if *id != management && *id != admin {
                plan.cover(|step| in_region(step).then(|| by.clone()));
            }
        }
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
