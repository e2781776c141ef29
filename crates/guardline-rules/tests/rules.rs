//! Rule tests: each control's fixture rendered into an insta snapshot, and the meta-tests that keep the
//! registry honest (every rule has a fixture covering PASS, FAIL and NOT EVALUATED, documentation with the
//! required headings, current generated docs, unique IDs, message conventions).
//!
//! A fixture, `tests/fixtures/<ID>.json`, is a list of named cases; each case is the part of a snapshot the
//! rule reads (`global`, `regions`) plus optional profile `params`. Everything a case leaves out is "not
//! collected".

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use guardline_config::Params;
use guardline_model::inventory::{GlobalInventory, RegionInventory};
use guardline_model::{AccountInfo, Snapshot, Status};
use guardline_rules::docs::{
    JA_HEADINGS, REQUIRED_HEADINGS, index_markdown, index_markdown_in, rule_markdown, rule_markdown_in,
};
use guardline_rules::{Context, Findings, FixAvailability, RULES, Rule};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    #[serde(default)]
    params: Option<Params>,
    #[serde(default)]
    global: GlobalInventory,
    #[serde(default)]
    regions: BTreeMap<String, RegionInventory>,
}

fn fixture_path(rule: &Rule) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(format!("{}.json", rule.id))
}

fn load_fixture(rule: &Rule) -> Fixture {
    let path = fixture_path(rule);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// Runs `rule` over every case of its fixture; returns the rendered findings and the statuses seen.
fn run_fixture(rule: &Rule) -> (String, BTreeSet<Status>) {
    let mut rendered = String::new();
    let mut statuses = BTreeSet::new();
    for case in load_fixture(rule).cases {
        let mut snapshot = Snapshot::new(
            AccountInfo {
                id: "123456789012".into(),
                partition: "aws".into(),
                caller_arn: "arn:aws:iam::123456789012:user/auditor".into(),
            },
            "2026-11-28T00:00:00Z".parse().unwrap(),
        );
        snapshot.global = case.global;
        snapshot.regions = case.regions;
        let params = case.params.unwrap_or_default();
        let mut out = Findings::new(rule.id, &snapshot.account.id);
        (rule.check)(&Context { snapshot: &snapshot, params: &params }, &mut out);
        rendered.push_str(&format!("== {}\n", case.name));
        let findings = out.into_vec();
        let mut keys = BTreeSet::new();
        for finding in &findings {
            let key = (&finding.region, &finding.resource, &finding.subject);
            assert!(
                keys.insert(key),
                "{} case {:?}: two findings for {key:?}; give them a subject (Findings::fail_about) so that \
                 reports, history and exceptions can tell them apart",
                rule.id,
                case.name
            );
        }
        for finding in findings {
            statuses.insert(finding.status);
            let subject =
                finding.subject.as_deref().map(|subject| format!(" [{subject}]")).unwrap_or_default();
            rendered.push_str(&format!(
                "{} {} {}{subject}\n  en: {}\n  ja: {}\n",
                finding.status.label(),
                finding.region,
                finding.resource,
                finding.message.en,
                finding.message.ja
            ));
        }
    }
    (rendered, statuses)
}

#[test]
fn fixtures() {
    for rule in RULES {
        let (rendered, _) = run_fixture(rule);
        insta::assert_snapshot!(rule.id, rendered);
    }
}

#[test]
fn every_rule_has_a_fixture_with_pass_fail_and_not_evaluated() {
    for rule in RULES {
        assert!(
            fixture_path(rule).exists(),
            "{} has no fixture at {}",
            rule.id,
            fixture_path(rule).display()
        );
        let (_, statuses) = run_fixture(rule);
        for status in [Status::Pass, Status::Fail, Status::NotEvaluated] {
            assert!(statuses.contains(&status), "{}'s fixture has no {} case", rule.id, status.label());
        }
    }
}

/// The organisation controls (3-2) are NOT APPLICABLE in an account outside any AWS Organization, and FAIL
/// there when the profile sets `require-organization`.
#[test]
fn organisation_controls_are_not_applicable_to_a_standalone_account_unless_required() {
    let org_rules: Vec<&Rule> = RULES.iter().copied().filter(|rule| rule.item == "3-2").collect();
    assert_eq!(org_rules.len(), 5, "ORG-001..005");
    for rule in org_rules {
        let (rendered, statuses) = run_fixture(rule);
        assert!(
            statuses.contains(&Status::NotApplicable),
            "{}'s fixture has no NOT APPLICABLE case",
            rule.id
        );
        let case = |name: &str| -> String {
            let cases = rendered.split("== ").filter(|case| case.starts_with(&format!("{name}\n")));
            let cases: Vec<&str> = cases.collect();
            assert_eq!(cases.len(), 1, "{}'s fixture has no case {name:?}", rule.id);
            cases[0].to_owned()
        };
        let standalone = case("not in an organization");
        assert!(
            standalone.contains("\nNOT APPLICABLE global arn:aws:iam::123456789012:root\n")
                && standalone
                    .contains("is not in an AWS Organization; the organisation controls (3-2) apply"),
            "{}: {standalone}",
            rule.id
        );
        assert!(!standalone.contains("\nFAIL ") && !standalone.contains("\nNOT EVALUATED "), "{}", rule.id);
        let required = case("not in an organization, and the profile requires one (require-organization)");
        assert!(
            required.contains("\nFAIL global arn:aws:iam::123456789012:root\n")
                && required.contains("is in no AWS Organization; the guideline (3-2) manages every account"),
            "{}: {required}",
            rule.id
        );
        assert!(!required.contains("\nNOT APPLICABLE "), "{}", rule.id);
    }
    for rule in RULES.iter().filter(|rule| rule.item != "3-2") {
        let (_, statuses) = run_fixture(rule);
        assert!(!statuses.contains(&Status::NotApplicable), "{} is not an organisation control", rule.id);
    }
}

#[test]
fn every_fixture_has_a_rule() {
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.trim_end_matches(".json");
        assert!(guardline_rules::find_rule(id).is_some(), "fixture {name} names no rule");
    }
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in RULES {
        assert!(ids.insert(rule.id), "duplicate ID {}", rule.id);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        let (prefix, number) = rule.id.split_once('-').expect("IDs look like ABC-001");
        assert!(prefix.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()), "{}", rule.id);
        assert!(number.len() == 3 && number.chars().all(|c| c.is_ascii_digit()), "{}", rule.id);
        assert!(rule.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", rule.name);
        assert!(!rule.data.is_empty(), "{} names no data", rule.id);
    }
}

#[test]
fn an_automated_fix_is_declared_exactly_when_the_rule_says_it_has_one() {
    for rule in RULES {
        match rule.fix {
            FixAvailability::ManualOnly => {
                assert!(rule.plan.is_none(), "{} is manual only but declares a plan function", rule.id)
            }
            FixAvailability::Safe | FixAvailability::NeedsReview => {
                assert!(rule.plan.is_some(), "{} declares an automated fix but no plan function", rule.id)
            }
        }
        for (lang, heading) in [("en", REQUIRED_HEADINGS[4]), ("ja", JA_HEADINGS[4])] {
            let safety = rule.explanation_in(lang);
            let section = safety.split(heading).nth(1).unwrap_or_default();
            let first_words = section.trim_start().to_lowercase();
            let said = rule.fix.label_in(lang);
            assert!(
                first_words.starts_with(said),
                "{}'s `{heading}` section must start with {said:?}",
                rule.id
            );
        }
    }
}

#[test]
fn every_rule_has_a_one_line_remedy_in_both_languages() {
    for rule in RULES {
        for (lang, remedy) in [("en", rule.remedy.en), ("ja", rule.remedy.ja)] {
            assert!(!remedy.trim().is_empty(), "{} has no {lang} remedy", rule.id);
            assert!(
                !remedy.contains('\n') && remedy.chars().count() <= 90,
                "{}'s {lang} remedy is not one line",
                rule.id
            );
            assert!(!remedy.ends_with(['.', '。']), "{}'s {lang} remedy ends with a full stop", rule.id);
        }
        assert!(rule.remedy.ja.chars().any(|c| c > '\u{3000}'), "{}'s ja remedy is not Japanese", rule.id);
        if let Some(command) = rule.remedy.command {
            assert!(rule.plan.is_none(), "{} names a command but `guardline fix` plans it", rule.id);
            assert!(
                command.starts_with("guardline "),
                "{}'s command {command:?} is not a Guardline command",
                rule.id
            );
        }
    }
}

#[test]
fn docs_have_the_required_headings() {
    for rule in RULES {
        for (lang, headings, others) in
            [("en", REQUIRED_HEADINGS, JA_HEADINGS), ("ja", JA_HEADINGS, REQUIRED_HEADINGS)]
        {
            let text = rule.explanation_in(lang);
            let mut last = 0;
            for heading in headings {
                let at = text
                    .lines()
                    .position(|line| line == heading)
                    .unwrap_or_else(|| panic!("{}'s {lang} part lacks `{heading}`", rule.id));
                assert!(at >= last, "{}: `{heading}` is out of order", rule.id);
                last = at;
            }
            for heading in others {
                assert!(
                    !text.lines().any(|line| line == heading),
                    "{}'s {lang} part has `{heading}`",
                    rule.id
                );
            }
        }
    }
}

/// The Japanese part is Japanese: every section has kana or kanji, not English left untranslated.
#[test]
fn japanese_docs_are_japanese() {
    for rule in RULES {
        let text = rule.explanation_in("ja");
        for section in text.split("\n## ").skip(1) {
            let (heading, body) = section.split_once('\n').unwrap_or((section, ""));
            let prose: String = body
                .lines()
                .filter(|line| !line.starts_with("```") && !line.starts_with("    "))
                .collect::<Vec<_>>()
                .join("\n");
            let japanese = prose
                .chars()
                .any(|c| ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(japanese, "{}: `## {heading}` of the Japanese part has no Japanese", rule.id);
        }
    }
}

/// Messages are lowercase and end without a period (clippy's convention), in English.
#[test]
fn messages_follow_the_convention() {
    for rule in RULES {
        let (rendered, _) = run_fixture(rule);
        for line in rendered.lines().filter_map(|line| line.strip_prefix("  en: ")) {
            let first = line.chars().next().unwrap();
            assert!(
                !first.is_uppercase()
                    || line.starts_with("IAM")
                    || line
                        .split(' ')
                        .next()
                        .unwrap()
                        .chars()
                        .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '-'),
                "{}: message starts uppercase: {line}",
                rule.id
            );
            assert!(!line.ends_with('.'), "{}: message ends with a period: {line}", rule.id);
        }
    }
}

/// `docs/rules/` is generated from the doc comments; `GUARDLINE_BLESS=1` rewrites it.
#[test]
fn docs_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let mut english: BTreeMap<String, String> =
        RULES.iter().map(|rule| (format!("{}.md", rule.id), rule_markdown(rule))).collect();
    english.insert("README.md".to_owned(), index_markdown());
    let mut japanese: BTreeMap<String, String> =
        RULES.iter().map(|rule| (format!("{}.md", rule.id), rule_markdown_in(rule, "ja"))).collect();
    japanese.insert("README.md".to_owned(), index_markdown_in("ja"));
    docs_dir_is_current(&root, &english, &["ja"]);
    docs_dir_is_current(&root.join("ja"), &japanese, &[]);
}

/// `dir` holds exactly the `expected` pages (and the `subdirs`); `GUARDLINE_BLESS=1` rewrites it.
fn docs_dir_is_current(dir: &Path, expected: &BTreeMap<String, String>, subdirs: &[&str]) {
    if std::env::var_os("GUARDLINE_BLESS").is_some() {
        std::fs::create_dir_all(dir).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for (name, text) in expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        return;
    }
    let mut found = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("docs/rules exists; run with GUARDLINE_BLESS=1") {
        let path = entry.unwrap().path();
        if path.is_dir() && subdirs.iter().any(|subdir| path.file_name().is_some_and(|name| name == *subdir))
        {
            continue;
        }
        found.insert(
            path.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read_to_string(&path).unwrap(),
        );
    }
    let shown = dir.display();
    for (name, text) in expected {
        assert_eq!(
            found.get(name),
            Some(text),
            "{shown}/{name} is stale: run GUARDLINE_BLESS=1 cargo test -p guardline-rules --test rules docs"
        );
    }
    for name in found.keys() {
        assert!(expected.contains_key(name), "{shown}/{name} belongs to no rule");
    }
}
