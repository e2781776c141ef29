//! What a rule reads ([`Context`]) and how it reports ([`Findings`]).

use guardline_config::Params;
use guardline_model::inventory::RegionInventory;
use guardline_model::{CollectError, Finding, Snapshot, Status, Text};

/// The region name Guardline uses for account-wide findings.
pub const GLOBAL: &str = "global";

/// Everything a rule may look at.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// The parameters of the account's profile.
    pub params: &'a Params,
}

impl<'a> Context<'a> {
    pub fn account_id(&self) -> &'a str {
        &self.snapshot.account.id
    }

    pub fn partition(&self) -> &'a str {
        &self.snapshot.account.partition
    }

    /// `arn:aws:iam::ID:root`: the resource of account-level findings.
    pub fn account_arn(&self) -> String {
        self.snapshot.account.root_arn()
    }

    /// The scanned regions with their data, in name order.
    pub fn regions(&self) -> impl Iterator<Item = (&'a str, &'a RegionInventory)> + use<'a> {
        self.snapshot.regions.iter().map(|(name, region)| (name.as_str(), region))
    }

    /// An ARN in this account: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
    pub fn arn(&self, service: &str, region: &str, resource: &str) -> String {
        format!("arn:{}:{service}:{region}:{}:{resource}", self.partition(), self.account_id())
    }

    /// The time the snapshot was collected: rules measure ages against it.
    pub fn now(&self) -> jiff::Timestamp {
        self.snapshot.collected_at
    }
}

/// The findings of one rule, as it reports them.
pub struct Findings {
    control: &'static str,
    account_id: String,
    items: Vec<Finding>,
}

impl Findings {
    pub fn new(control: &'static str, account_id: &str) -> Self {
        Findings { control, account_id: account_id.to_owned(), items: Vec::new() }
    }

    pub fn pass(&mut self, region: &str, resource: impl Into<String>, message: Text) {
        self.push(Status::Pass, region, resource.into(), message);
    }

    pub fn fail(&mut self, region: &str, resource: impl Into<String>, message: Text) {
        self.push(Status::Fail, region, resource.into(), message);
    }

    /// PASS about `subject` of the resource (see [`Finding::subject`]).
    pub fn pass_about(&mut self, region: &str, resource: impl Into<String>, subject: &str, message: Text) {
        self.push(Status::Pass, region, resource.into(), message);
        self.set_last_subject(subject);
    }

    /// FAIL about `subject` of the resource (see [`Finding::subject`]).
    pub fn fail_about(&mut self, region: &str, resource: impl Into<String>, subject: &str, message: Text) {
        self.push(Status::Fail, region, resource.into(), message);
        self.set_last_subject(subject);
    }

    fn set_last_subject(&mut self, subject: &str) {
        if let Some(last) = self.items.last_mut() {
            last.subject = Some(subject.to_owned());
        }
    }

    /// The data the rule needs could not be collected: reports why.
    pub fn not_evaluated(&mut self, region: &str, resource: impl Into<String>, error: &CollectError) {
        let message =
            Text::new(format!("could not be evaluated: {error}"), format!("評価できません: {error}"));
        self.push(Status::NotEvaluated, region, resource.into(), message);
    }

    /// NOT EVALUATED for a reason the rule states itself.
    pub fn not_evaluated_because(&mut self, region: &str, resource: impl Into<String>, message: Text) {
        self.push(Status::NotEvaluated, region, resource.into(), message);
    }

    /// NOT APPLICABLE: the control does not apply to this account, for the reason `message` gives (neither a
    /// pass nor a failure).
    pub fn not_applicable(&mut self, region: &str, resource: impl Into<String>, message: Text) {
        self.push(Status::NotApplicable, region, resource.into(), message);
    }

    /// For account-level rules that look across regions: when the snapshot has no region at all, reports
    /// NOT EVALUATED on `resource` and returns `false`.
    pub fn require_regions(&mut self, cx: &Context<'_>, resource: &str) -> bool {
        if !cx.snapshot.regions.is_empty() {
            return true;
        }
        let message = Text::new(
            "could not be evaluated: no region was scanned",
            "評価できません: スキャンしたリージョンがありません",
        );
        self.push(Status::NotEvaluated, GLOBAL, resource.to_owned(), message);
        false
    }

    fn push(&mut self, status: Status, region: &str, resource: String, message: Text) {
        self.items.push(Finding {
            control: self.control.to_owned(),
            account_id: self.account_id.clone(),
            region: region.to_owned(),
            resource,
            subject: None,
            status,
            message,
        });
    }

    pub fn into_vec(self) -> Vec<Finding> {
        self.items
    }
}
