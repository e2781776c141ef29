//! Renders rule documentation from the rules' own doc comments: `guardline rule ID` and `docs/rules/`.

use guardline_model::Section;

use crate::{RULES, Rule};

/// The headings every rule's doc comment has, in this order.
pub const REQUIRED_HEADINGS: [&str; 6] = [
    "## What it checks",
    "## Why it matters",
    "## Guideline",
    "## How to fix",
    "## Fix safety",
    "## References",
];

/// The Markdown page of one rule (`docs/rules/<ID>.md`, and `guardline rule ID`).
pub fn rule_markdown(rule: &Rule) -> String {
    let section = rule.section;
    let data: Vec<String> = rule.data.iter().map(|action| format!("`{action}`")).collect();
    format!(
        "# {id} {name}\n\n\
         {title}\n\
         ({title_ja})\n\n\
         | | |\n|---|---|\n\
         | Section | {number}. {section_title} |\n\
         | Guideline item | {item} |\n\
         | Severity | {severity} |\n\
         | Fix | {fix} |\n\
         | Data | {data} |\n\
         | Source | `{source}` |\n\n\
         {explanation}",
        id = rule.id,
        name = rule.name,
        title = rule.title,
        title_ja = rule.title_ja,
        number = section.number(),
        section_title = section.title().en,
        item = rule.item,
        severity = rule.severity.label(),
        fix = rule.fix.label(),
        data = data.join(", "),
        source = rule.source,
        explanation = rule.explanation(),
    )
}

/// The index page (`docs/rules/README.md`): every rule by guideline section.
pub fn index_markdown() -> String {
    let mut out = String::from(
        "# Guardline rules\n\n\
         Generated from the rules' doc comments (`crates/guardline-rules/src/rules/`); do not edit by hand.\n\
         Regenerate with `GUARDLINE_BLESS=1 cargo test -p guardline-rules --test rules docs`.\n",
    );
    for section in Section::ALL {
        out.push_str(&format!("\n## {}. {}\n\n", section.number(), section.title().en));
        out.push_str("| Control | Name | Item | Severity | Fix |\n|---|---|---|---|---|\n");
        for rule in RULES.iter().filter(|rule| rule.section == section) {
            out.push_str(&format!(
                "| [{id}]({id}.md) | {name} | {item} | {severity} | {fix} |\n",
                id = rule.id,
                name = rule.name,
                item = rule.item,
                severity = rule.severity.label(),
                fix = rule.fix.label(),
            ));
        }
    }
    out
}
