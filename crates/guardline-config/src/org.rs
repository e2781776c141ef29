//! `[org]` ([`OrgSettings`]) and the account selectors of `guardline scan --org`: which member accounts are
//! scanned, through which role, and the OU / tag matchers `[[accounts]]` entries use to give an organisation's
//! accounts their profiles.
//!
//! Selectors ([`AccountSelector`]) are written the same way in `[org] include/exclude` and on the command line
//! (`--include`, `--exclude`):
//!
//! - `123456789012` or `id:123456789012`: one account;
//! - `ou:ou-ab12-34cd5678` (or a root, `ou:r-ab12`): every account under that OU, at any depth;
//! - `ou:Root/Workloads/*`: a glob over the OU path by names (`*` stays within one level, `**` spans any;
//!   a trailing `/**` takes the OU itself too: `ou:Root/Prod/**` is the accounts directly in Prod and under it);
//! - `tag:env=prod`: accounts whose Organizations tag `env` is `prod` (value compared case-insensitively);
//! - `name:acme-*`: a glob over the account's name in Organizations.

use std::collections::BTreeMap;

use crate::TagMatch;

/// The role `scan --org` assumes in each member account unless `[org] role-name` says otherwise.
pub const DEFAULT_ROLE_NAME: &str = "OrganizationAccountAccessRole";
/// The session name of the assumed roles unless `[org] session-name` says otherwise.
pub const DEFAULT_SESSION_NAME: &str = "guardline";

/// What is known about an account when choosing its profile or deciding whether it is scanned. A single
/// account scan knows only the ID and alias; an organisation scan adds the name, OU placement and tags.
#[derive(Debug, Clone, Copy, Default)]
pub struct AccountFacts<'a> {
    pub id: &'a str,
    pub alias: Option<&'a str>,
    /// The account's name in Organizations.
    pub name: Option<&'a str>,
    /// The OU path by names, root first (`Root/Workloads/Prod`).
    pub ou_path: Option<&'a str>,
    /// The OU IDs along the path, root first.
    pub ou_ids: &'a [String],
    pub tags: Option<&'a BTreeMap<String, String>>,
}

/// An OU: by ID (the account is under it at any depth), or a glob over the OU path by names.
#[derive(Debug, Clone)]
pub enum OuMatch {
    Id(String),
    Path {
        text: String,
        matcher: globset::GlobMatcher,
        /// For a glob ending in `/**`, the glob without it: the OU itself.
        itself: Option<globset::GlobMatcher>,
    },
}

impl PartialEq for OuMatch {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl OuMatch {
    /// `ou-…` or `r-…` is an ID; anything else is a path glob.
    pub fn parse(text: &str) -> Result<OuMatch, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an OU selector needs an OU ID (ou-…, r-…) or an OU path (Root/…)".to_owned());
        }
        let is_id = (text.starts_with("ou-") || text.starts_with("r-"))
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if is_id {
            return Ok(OuMatch::Id(text.to_owned()));
        }
        let compile = |pattern: &str| {
            globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map(|glob| glob.compile_matcher())
                .map_err(|error| format!("invalid OU path glob `{text}`: {}", error.kind()))
        };
        let pattern = text.trim_end_matches('/');
        let itself = match pattern.strip_suffix("/**") {
            Some(parent) if !parent.is_empty() => Some(compile(parent)?),
            _ => None,
        };
        Ok(OuMatch::Path { text: text.to_owned(), matcher: compile(pattern)?, itself })
    }

    pub fn text(&self) -> &str {
        match self {
            OuMatch::Id(id) => id,
            OuMatch::Path { text, .. } => text,
        }
    }

    pub fn matches(&self, facts: &AccountFacts<'_>) -> bool {
        match self {
            OuMatch::Id(id) => facts.ou_ids.iter().any(|ou| ou == id),
            OuMatch::Path { matcher, itself, .. } => facts.ou_path.is_some_and(|path| {
                matcher.is_match(path) || itself.as_ref().is_some_and(|itself| itself.is_match(path))
            }),
        }
    }
}

/// One account selector of `[org] include/exclude`, `--include` or `--exclude`.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountSelector {
    Id(String),
    Ou(OuMatch),
    Tag { key: String, value: String },
    Name(NameGlob),
}

/// A glob over account names.
#[derive(Debug, Clone)]
pub struct NameGlob {
    pub text: String,
    pub matcher: globset::GlobMatcher,
}

impl PartialEq for NameGlob {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl AccountSelector {
    /// Parses `id:…`, `ou:…`, `tag:KEY=VALUE`, `name:GLOB`, or a bare 12-digit account ID.
    pub fn parse(text: &str) -> Result<AccountSelector, String> {
        let text = text.trim();
        if is_account_id(text) {
            return Ok(AccountSelector::Id(text.to_owned()));
        }
        let Some((kind, value)) = text.split_once(':') else {
            return Err(format!(
                "`{text}` is not an account selector: use `id:123456789012`, `ou:ou-…` or `ou:Root/…`, \
                 `tag:key=value` or `name:glob`"
            ));
        };
        match kind {
            "id" if is_account_id(value) => Ok(AccountSelector::Id(value.to_owned())),
            "id" => Err(format!("`{value}` is not a 12-digit account ID")),
            "ou" => OuMatch::parse(value).map(AccountSelector::Ou),
            "tag" => match value.split_once('=') {
                Some((key, value)) if !key.is_empty() => {
                    Ok(AccountSelector::Tag { key: key.to_owned(), value: value.to_owned() })
                }
                _ => Err(format!("`tag:{value}` needs the form `tag:key=value`")),
            },
            "name" => globset::Glob::new(value)
                .map(|glob| {
                    AccountSelector::Name(NameGlob {
                        text: value.to_owned(),
                        matcher: glob.compile_matcher(),
                    })
                })
                .map_err(|error| format!("invalid name glob `{value}`: {}", error.kind())),
            other => Err(format!("unknown selector kind `{other}:` (use id:, ou:, tag: or name:)")),
        }
    }

    pub fn matches(&self, facts: &AccountFacts<'_>) -> bool {
        match self {
            AccountSelector::Id(id) => facts.id == id,
            AccountSelector::Ou(ou) => ou.matches(facts),
            AccountSelector::Tag { key, value } => facts
                .tags
                .and_then(|tags| tags.get(key))
                .is_some_and(|actual| actual.eq_ignore_ascii_case(value)),
            AccountSelector::Name(glob) => facts.name.is_some_and(|name| glob.matcher.is_match(name)),
        }
    }
}

impl std::fmt::Display for AccountSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountSelector::Id(id) => write!(f, "id:{id}"),
            AccountSelector::Ou(ou) => write!(f, "ou:{}", ou.text()),
            AccountSelector::Tag { key, value } => write!(f, "tag:{key}={value}"),
            AccountSelector::Name(glob) => write!(f, "name:{}", glob.text),
        }
    }
}

pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `[org]`: how `guardline scan --org` reaches and selects the member accounts. The command line overrides
/// each value.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgSettings {
    /// The role assumed in each member account.
    pub role_name: String,
    /// The environment variable holding the external ID the member roles' trust policies require.
    pub external_id_env: Option<String>,
    /// The role session name (shows in the members' CloudTrail).
    pub session_name: String,
    /// An audit role ARN assumed first; the member roles are then assumed from it (role chaining).
    pub via_role: Option<String>,
    /// Accounts scanned at the same time at most (each with `[scan] concurrency` API calls at most).
    pub account_concurrency: usize,
    /// The account `fix --org` designates as the security services' delegated administrator (GuardDuty,
    /// Amazon Inspector, Security Hub).
    pub delegated_admin: Option<String>,
    /// Only accounts matching one of these (empty: every account).
    pub include: Vec<AccountSelector>,
    /// Never accounts matching one of these.
    pub exclude: Vec<AccountSelector>,
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            role_name: DEFAULT_ROLE_NAME.to_owned(),
            external_id_env: None,
            session_name: DEFAULT_SESSION_NAME.to_owned(),
            via_role: None,
            account_concurrency: 4,
            delegated_admin: None,
            include: Vec::new(),
            exclude: Vec::new(),
        }
    }
}

impl OrgSettings {
    /// Whether an account is scanned: it matches an include selector (or there are none) and no exclude one.
    pub fn selects(&self, facts: &AccountFacts<'_>) -> bool {
        (self.include.is_empty() || self.include.iter().any(|selector| selector.matches(facts)))
            && !self.exclude.iter().any(|selector| selector.matches(facts))
    }
}

/// Whether an `[[accounts]]` entry's OU and tag matchers (those it has) accept the account.
pub(crate) fn placement_matches(
    ou: Option<&OuMatch>,
    tag: Option<&TagMatch>,
    facts: &AccountFacts<'_>,
) -> bool {
    ou.is_none_or(|ou| ou.matches(facts))
        && tag.is_none_or(|tag| facts.tags.is_some_and(|tags| tag.matches(tags)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts<'a>(tags: &'a BTreeMap<String, String>, ou_ids: &'a [String]) -> AccountFacts<'a> {
        AccountFacts {
            id: "111111111111",
            alias: None,
            name: Some("acme-prod-web"),
            ou_path: Some("Root/Workloads/Prod"),
            ou_ids,
            tags: Some(tags),
        }
    }

    #[test]
    fn selectors() {
        let tags = BTreeMap::from([("env".to_owned(), "Prod".to_owned())]);
        let ids = vec!["r-ab12".to_owned(), "ou-ab12-11111111".to_owned(), "ou-ab12-22222222".to_owned()];
        let facts = facts(&tags, &ids);
        let yes = [
            "111111111111",
            "id:111111111111",
            "ou:ou-ab12-11111111",
            "ou:r-ab12",
            "ou:Root/Workloads/*",
            "ou:Root/**",
            "ou:Root/Workloads/Prod",
            "ou:Root/Workloads/Prod/**",
            "ou:Root/*/Prod/**",
            "tag:env=prod",
            "name:acme-prod-*",
        ];
        for text in yes {
            assert!(AccountSelector::parse(text).unwrap().matches(&facts), "{text}");
        }
        let no = [
            "222222222222",
            "ou:ou-ab12-33333333",
            "ou:Root/*",
            "ou:Root/Workloads/Prod/Deep/**",
            "ou:Root/Workloads/Dev/**",
            "tag:env=dev",
            "tag:team=x",
            "name:acme-dev-*",
        ];
        for text in no {
            assert!(!AccountSelector::parse(text).unwrap().matches(&facts), "{text}");
        }
        for bad in ["prod", "id:12", "tag:=x", "tag:novalue", "what:x", "name:[", "ou:"] {
            assert!(AccountSelector::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(AccountSelector::parse("ou:Root/*").unwrap().to_string(), "ou:Root/*");
    }

    #[test]
    fn include_and_exclude() {
        let tags = BTreeMap::new();
        let ids = Vec::new();
        let facts = facts(&tags, &ids);
        let mut settings = OrgSettings::default();
        assert!(settings.selects(&facts));
        settings.include = vec![AccountSelector::parse("name:acme-*").unwrap()];
        assert!(settings.selects(&facts));
        settings.exclude = vec![AccountSelector::parse("111111111111").unwrap()];
        assert!(!settings.selects(&facts));
    }
}
