//! Resolving a checked document into a [`Config`]: profile inheritance along `extends`, the default
//! profile, and account entries. Runs only on a file without problems ([`mod@crate::load`] checked it), so the
//! only failure left is one it cannot foresee, reported like the others.

use std::collections::BTreeMap;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::load::{BUILTIN_PROFILE, Checker, Doc, ProfileDoc};
use crate::raw::RawControl;
use crate::{AccountEntry, Config, ControlSetting, Level, Params, Profile};

/// Resolves a checked document: inheritance along `extends`, the default profile, account entries.
///
/// Inheritance: a child profile takes its parent's `default-level` unless it sets its own, the parent's
/// control entries unless it lists the same control (the child's entry replaces the parent's whole), and the
/// parent's `params` key by key. Nested parameter tables (`password-policy`, `security-hub-not-adopted`)
/// merge key by key too; a tag selector (`nonprod-tag`, `production-tag`) is replaced whole, since its
/// values only make sense with its key. A control entry without `level` takes the level of the profile
/// that finally uses it.
pub(crate) fn resolve(doc: Doc<'_>, checker: &mut Checker<'_>) -> Option<Config> {
    let by_name: BTreeMap<&str, &ProfileDoc<'_>> =
        doc.profiles.iter().map(|profile| (profile.name.as_str(), profile)).collect();
    let mut profiles = BTreeMap::new();
    for profile in &doc.profiles {
        // The chain from the root ancestor down to the profile; pass 3 ruled out cycles.
        let mut chain = vec![profile];
        while let Some(parent) =
            chain.last().and_then(|p| p.extends.as_ref()).and_then(|n| by_name.get(n.get_ref().as_str()))
        {
            chain.push(*parent);
        }
        chain.reverse();
        let default_level = chain.iter().rev().find_map(|p| p.default_level).unwrap_or(Level::Fail);
        let mut controls: BTreeMap<&str, &RawControl> = BTreeMap::new();
        let mut params: Option<Spanned<DeTable<'_>>> = None;
        for ancestor in &chain {
            controls.extend(ancestor.controls.iter().map(|(id, raw)| (id.as_str(), raw)));
            if let Some(own) = &ancestor.params {
                params = Some(match params {
                    None => own.clone(),
                    Some(mut merged) => {
                        merge_params(merged.get_mut(), own.get_ref(), true);
                        Spanned::new(own.span(), merged.into_inner())
                    }
                });
            }
        }
        let params = match params {
            None => Params::default(),
            Some(table) => {
                let span = table.span();
                let value = Spanned::new(span, DeValue::Table(table.into_inner()));
                checker.de::<Params>(value)?
            }
        };
        let controls =
            controls.into_iter().map(|(id, raw)| (id.to_owned(), setting(raw, default_level))).collect();
        profiles.insert(
            profile.name.clone(),
            Profile { name: profile.name.clone(), default_level, controls, params },
        );
    }

    let default_profile = match &doc.default_profile {
        Some(name) => name.get_ref().clone(),
        None if profiles.len() == 1 => profiles.keys().next().cloned().unwrap_or_default(),
        None => BUILTIN_PROFILE.to_owned(),
    };
    let accounts: Vec<AccountEntry> = doc
        .accounts
        .into_iter()
        .map(|account| AccountEntry {
            id: account.id.map(Spanned::into_inner),
            alias: account.alias,
            ou: account.ou,
            tag: account.tag,
            profile: account.profile.map_or_else(|| default_profile.clone(), Spanned::into_inner),
            line: account.line,
        })
        .collect();
    let builtin_used =
        default_profile == BUILTIN_PROFILE || accounts.iter().any(|a| a.profile == BUILTIN_PROFILE);
    if builtin_used && !profiles.contains_key(BUILTIN_PROFILE) {
        profiles.insert(BUILTIN_PROFILE.to_owned(), Profile::builtin());
    }
    let calendars = &doc.calendars;
    let schedules = doc
        .schedules
        .into_iter()
        .map(|schedule| {
            let mut config = schedule.config;
            let calendar =
                schedule.holidays.iter().fold(guardline_schedule::Calendar::default(), |calendar, name| {
                    let name = name.get_ref();
                    let part = match guardline_schedule::Builtin::parse(name) {
                        Some(builtin) => guardline_schedule::Calendar::builtin(builtin),
                        None => guardline_schedule::Calendar::dates(
                            name,
                            calendars.get(name).cloned().unwrap_or_default(),
                        ),
                    };
                    calendar.and(part)
                });
            config.schedule = config.schedule.holidays(calendar);
            (config.name.clone(), config)
        })
        .collect();
    Some(Config {
        scan: doc.scan,
        org: doc.org,
        default_profile,
        profiles,
        accounts,
        exceptions: doc.exceptions,
        schedules,
        fix: doc.fix,
        watch: doc.watch,
    })
}

fn setting(raw: &RawControl, default_level: Level) -> ControlSetting {
    if raw.adopted.as_ref().is_none_or(|adopted| *adopted.get_ref()) {
        ControlSetting::Adopted {
            level: raw.level.as_ref().map_or(default_level, |level| (*level.get_ref()).into()),
        }
    } else {
        let reason = raw.reason.as_ref().map(|reason| reason.get_ref().trim().to_owned()).unwrap_or_default();
        ControlSetting::NotAdopted { reason }
    }
}

/// Merges a child's `params` table into its parent's: the child wins key by key; see [`resolve`].
fn merge_params<'i>(base: &mut DeTable<'i>, child: &DeTable<'i>, top: bool) {
    for (key, value) in child {
        let whole = top && matches!(key.get_ref().as_ref(), "nonprod-tag" | "production-tag");
        if !whole
            && let DeValue::Table(child_table) = value.get_ref()
            && let Some(existing) = base.get_mut(key.get_ref().as_ref())
            && let DeValue::Table(base_table) = existing.get_mut()
        {
            merge_params(base_table, child_table, false);
            continue;
        }
        base.insert(key.clone(), value.clone());
    }
}
