//! The accounts the watcher's events are about, by ID: their alias and, under `watch --org`, their name, OU
//! path and tags from Organizations. The watcher names every event's account from here (a delegated
//! administrator's sources report the members' findings with the member's ID only) and routes by it.

use std::collections::{BTreeMap, BTreeSet};

use guardline_config::AccountFacts;

use crate::sources::Account;

/// One account as the directory knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Member {
    pub id: String,
    pub alias: Option<String>,
    /// The account's name in Organizations.
    pub name: Option<String>,
    /// The OU path by names, root first (`Root/Workloads/Prod`).
    pub ou_path: Option<String>,
    /// The OU IDs along the path, root first.
    pub ou_ids: Vec<String>,
    /// The account's tags in Organizations.
    pub tags: BTreeMap<String, String>,
}

impl Member {
    /// What the routes' selectors match against.
    pub fn facts(&self) -> AccountFacts<'_> {
        AccountFacts {
            id: &self.id,
            alias: self.alias.as_deref(),
            name: self.name.as_deref(),
            ou_path: self.ou_path.as_deref(),
            ou_ids: &self.ou_ids,
            tags: (!self.tags.is_empty() || self.ou_path.is_some()).then_some(&self.tags),
        }
    }
}

/// The watched accounts, and the organisation's accounts that are listed but not watched (excluded by
/// `--include`/`--exclude` or `[org]`), whose events are dropped.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Directory {
    members: BTreeMap<String, Member>,
    unwatched: BTreeSet<String>,
}

/// What the directory says about an event's account.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lookup<'a> {
    /// A watched account.
    Watched(&'a Member),
    /// An account of the organisation the selectors leave out: its events are not sent.
    Unwatched,
    /// An account the directory does not know (an event of no account, or of an account created since
    /// the listing): routed as an event of no account, named by its ID only.
    Unknown,
}

impl Directory {
    /// The one account a single-account watcher watches (empty when its ID is unknown).
    pub fn single(account: &Account) -> Directory {
        let members = account
            .id
            .iter()
            .map(|id| {
                (id.clone(), Member { id: id.clone(), alias: account.alias.clone(), ..Member::default() })
            })
            .collect();
        Directory { members, unwatched: BTreeSet::new() }
    }

    /// An organisation's watched `members` and the IDs of its other accounts.
    pub fn organisation(members: Vec<Member>, unwatched: impl IntoIterator<Item = String>) -> Directory {
        let members: BTreeMap<String, Member> =
            members.into_iter().map(|member| (member.id.clone(), member)).collect();
        let unwatched = unwatched.into_iter().filter(|id| !members.contains_key(id)).collect();
        Directory { members, unwatched }
    }

    pub fn lookup(&self, account_id: Option<&str>) -> Lookup<'_> {
        let Some(id) = account_id else { return Lookup::Unknown };
        match self.members.get(id) {
            Some(member) => Lookup::Watched(member),
            None if self.unwatched.contains(id) => Lookup::Unwatched,
            None => Lookup::Unknown,
        }
    }

    /// The watched accounts, by ID.
    pub fn members(&self) -> impl Iterator<Item = &Member> {
        self.members.values()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_tell_watched_unwatched_and_unknown_accounts_apart() {
        let member = Member { id: "111111111111".into(), name: Some("web".into()), ..Member::default() };
        let directory = Directory::organisation(vec![member.clone()], ["222222222222".to_owned()]);
        assert_eq!(directory.lookup(Some("111111111111")), Lookup::Watched(&member));
        assert_eq!(directory.lookup(Some("222222222222")), Lookup::Unwatched);
        assert_eq!(directory.lookup(Some("333333333333")), Lookup::Unknown);
        assert_eq!(directory.lookup(None), Lookup::Unknown);
        let single = Directory::single(&Account { id: Some("444444444444".into()), alias: Some("a".into()) });
        assert!(
            matches!(single.lookup(Some("444444444444")), Lookup::Watched(m) if m.alias.as_deref() == Some("a"))
        );
    }
}
