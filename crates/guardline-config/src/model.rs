//! The validated configuration model.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::{FixSettings, Params, TagMatch};

/// Whether a failing control fails the run or only warns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Fail,
    Warn,
}

/// What a profile says about one control.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlSetting {
    Adopted {
        level: Level,
    },
    /// Not adopted, with the written reason the seed asks for.
    NotAdopted {
        reason: String,
    },
}

/// A named set of control settings and parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    /// The level of adopted controls the profile does not list.
    pub default_level: Level,
    /// Settings for controls the profile lists; unlisted controls are adopted at `default_level`.
    pub controls: BTreeMap<String, ControlSetting>,
    pub params: Params,
}

impl Profile {
    /// The built-in profile used without a config file: every control adopted at level fail, default params.
    pub fn builtin() -> Profile {
        Profile {
            name: "default".to_owned(),
            default_level: Level::Fail,
            controls: BTreeMap::new(),
            params: Params::default(),
        }
    }

    /// What the profile says about `control`.
    pub fn setting(&self, control: &str) -> ControlSetting {
        self.controls.get(control).cloned().unwrap_or(ControlSetting::Adopted { level: self.default_level })
    }
}

/// An `[[accounts]]` entry: which profile an account uses, and (with both `id` and `alias`) the pin that
/// write actions check.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountEntry {
    /// An exact 12-digit ID.
    pub id: Option<String>,
    /// An exact alias, or a glob over aliases when `id` is absent.
    pub alias: Option<String>,
    /// Organisation scans: the account is under this OU (by ID), or its OU path matches this glob.
    pub ou: Option<crate::org::OuMatch>,
    /// Organisation scans: the account's Organizations tag matches.
    pub tag: Option<TagMatch>,
    pub profile: String,
    /// Line in the config file, for messages.
    pub line: usize,
}

/// A resource selector of an exception: an exact ARN, or an explicit glob (`*`, `?`, `[...]`).
#[derive(Debug, Clone)]
pub struct ResourcePattern {
    pub text: String,
    pub matcher: globset::GlobMatcher,
}

impl PartialEq for ResourcePattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl ResourcePattern {
    pub fn matches(&self, arn: &str) -> bool {
        self.matcher.is_match(arn)
    }
}

/// An accepted failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    pub control: String,
    /// `None`: every account.
    pub account: Option<String>,
    /// `None`: every region.
    pub region: Option<String>,
    /// `None`: every resource of the control.
    pub resource: Option<ResourcePattern>,
    /// `None`: every subject of the resource (an access key ID for IAM-005, a Security Hub control ID for
    /// HUB-002); a pattern matches only findings about a subject it matches.
    pub subject: Option<ResourcePattern>,
    pub reason: String,
    pub owner: String,
    /// The last day the exception holds; from the next day on the finding fails again.
    pub expires: Date,
    /// Line of the `[[exceptions]]` header in the config file.
    pub line: usize,
}

/// How NOT EVALUATED findings of adopted controls count for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotEvaluatedPolicy {
    /// They fail the run like a failure at the control's level (the default: NOT EVALUATED is never a pass).
    Fail,
    /// They are reported but do not change the exit code.
    Warn,
}

/// `[scan]`: defaults for `collect` and `scan` that the command line may override.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanSettings {
    /// `None`: every enabled region.
    pub regions: Option<Vec<String>>,
    /// Concurrent API calls at most.
    pub concurrency: usize,
    /// Seconds one API call may take, retries included.
    pub call_timeout_secs: u64,
    pub max_attempts: u32,
    pub not_evaluated: NotEvaluatedPolicy,
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            regions: None,
            concurrency: 16,
            call_timeout_secs: 30,
            max_attempts: 5,
            not_evaluated: NotEvaluatedPolicy::Fail,
        }
    }
}

/// How `guardline schedule apply` installs a schedule in AWS.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum InstallMethod {
    /// SSM maintenance windows with cron, targets by tag, `AWS-StopEC2Instance` / `AWS-StartEC2Instance`
    /// tasks (the seed's way; the default).
    #[default]
    MaintenanceWindow,
    /// EventBridge Scheduler schedules.
    Scheduler,
}

/// A `[schedules.<name>]` entry: when the selected instances run (seed 1-3), and how it is installed.
///
/// Validation guarantees that `select` overlaps no profile's `production-tag`: a schedule never selects
/// production instances by its selector (the scheduler still guards each instance at run time).
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    pub name: String,
    /// The window, time zone (default Asia/Tokyo) and holiday setting.
    pub schedule: guardline_schedule::Schedule,
    /// The instances the schedule stops and starts: those whose tag matches.
    pub select: TagMatch,
    pub installs_as: InstallMethod,
    /// The accounts it acts in (`accounts = [...]`, account selectors); empty: every account.
    pub accounts: Vec<crate::AccountSelector>,
    /// Line of the schedule's header in the config file.
    pub line: usize,
}

impl ScheduleConfig {
    /// Whether the schedule acts in the account `facts` describes: `accounts` is empty or one of its
    /// selectors matches. Outside an organisation run the facts have no OU or tags, so only `id:` and `name:`
    /// selectors can match there.
    pub fn covers_account(&self, facts: &crate::AccountFacts<'_>) -> bool {
        self.accounts.is_empty() || self.accounts.iter().any(|selector| selector.matches(facts))
    }
}

impl PartialEq for ScheduleConfig {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.schedule.name == other.schedule.name
            && self.schedule.window == other.schedule.window
            && self.schedule.time_zone == other.schedule.time_zone
            && self.schedule.holidays == other.schedule.holidays
            && self.schedule.stop_only == other.schedule.stop_only
            && self.select == other.select
            && self.installs_as == other.installs_as
            && self.accounts == other.accounts
            && self.line == other.line
    }
}

/// The whole, validated configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub scan: ScanSettings,
    /// The profile of accounts no `[[accounts]]` entry names.
    pub default_profile: String,
    pub profiles: BTreeMap<String, Profile>,
    pub accounts: Vec<AccountEntry>,
    pub exceptions: Vec<Exception>,
    /// Off-hours schedules by name (`[schedules.<name>]`).
    pub schedules: BTreeMap<String, ScheduleConfig>,
    /// `[fix]`: the values `guardline fix` needs.
    pub fix: FixSettings,
    /// `[watch]`: the alert router; `None` without the section.
    pub watch: Option<crate::watch::WatchConfig>,
    /// `[org]`: how `scan --org` reaches and selects the organisation's accounts.
    pub org: crate::org::OrgSettings,
}

impl Default for Config {
    /// The configuration used when there is no file: the built-in profile, no exceptions.
    fn default() -> Self {
        let profile = Profile::builtin();
        Config {
            scan: ScanSettings::default(),
            default_profile: profile.name.clone(),
            profiles: BTreeMap::from([(profile.name.clone(), profile)]),
            accounts: Vec::new(),
            exceptions: Vec::new(),
            schedules: BTreeMap::new(),
            fix: FixSettings::default(),
            watch: None,
            org: crate::org::OrgSettings::default(),
        }
    }
}

impl Config {
    /// Whether anything in the configuration (or `settings`, `[org]` with the command line's selectors)
    /// chooses accounts by their Organizations tags: an `[[accounts]]` `tag`, a `tag:` selector of `[org]`, a
    /// schedule or a watch route, or a route's `owners` (read from the owner tag). When nothing does, an
    /// organisation-wide command need not read every account's tags.
    pub fn account_tags_matter(&self, settings: &crate::org::OrgSettings) -> bool {
        let by_tag = |selectors: &[crate::AccountSelector]| {
            selectors.iter().any(|selector| matches!(selector, crate::AccountSelector::Tag { .. }))
        };
        self.accounts.iter().any(|entry| entry.tag.is_some())
            || by_tag(&settings.include)
            || by_tag(&settings.exclude)
            || self.schedules.values().any(|schedule| by_tag(&schedule.accounts))
            || self.watch.as_ref().is_some_and(|watch| {
                watch.routes.iter().any(|route| by_tag(&route.accounts) || !route.owners.is_empty())
            })
    }

    /// The profile for an account, by ID first, then alias.
    pub fn profile_for(&self, account_id: &str, alias: Option<&str>) -> &Profile {
        self.profile_for_account(&crate::org::AccountFacts { id: account_id, alias, ..Default::default() })
    }

    /// The profile for an account: the entry with its ID first; otherwise the first entry without an ID
    /// whose alias glob, OU and tag matchers (those it has) all match. Entries with an OU or tag matcher only
    /// match in organisation scans, where the OU placement and tags are known.
    pub fn profile_for_account(&self, facts: &crate::org::AccountFacts<'_>) -> &Profile {
        let name = self
            .accounts
            .iter()
            .find(|entry| entry.id.as_deref() == Some(facts.id))
            .or_else(|| {
                self.accounts.iter().find(|entry| {
                    entry.id.is_none()
                        && (entry.alias.is_some() || entry.ou.is_some() || entry.tag.is_some())
                        && entry.alias.as_deref().is_none_or(|pattern| {
                            facts.alias.is_some_and(|alias| {
                                globset::Glob::new(pattern)
                                    .is_ok_and(|glob| glob.compile_matcher().is_match(alias))
                            })
                        })
                        && crate::org::placement_matches(entry.ou.as_ref(), entry.tag.as_ref(), facts)
                })
            })
            .map_or(&self.default_profile, |entry| &entry.profile);
        &self.profiles[name]
    }
}
