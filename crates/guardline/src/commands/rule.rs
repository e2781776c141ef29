//! `guardline rule [ID]`: a control's documentation (the rule's own doc comment, in `--lang`), or the list of
//! controls.

use std::io::Write;

use anyhow::Context as _;
use guardline_rules::{RULES, Rule, docs::rule_markdown_in, find_rule};

use crate::args::{RuleArgs, RuleFormat};

pub fn run(args: RuleArgs) -> anyhow::Result<bool> {
    let lang = args.lang.code();
    let text = match &args.id {
        Some(id) => {
            let rule = find_rule(id).ok_or_else(|| super::unknown_control(id))?;
            match args.format {
                RuleFormat::Markdown => rule_markdown_in(rule, lang),
                RuleFormat::Json => serde_json::to_string_pretty(&rule_json(rule))? + "\n",
            }
        }
        None => match args.format {
            RuleFormat::Markdown => {
                let mut out = String::new();
                for rule in RULES {
                    out.push_str(&format!("{:<15}{:<38}{}\n", rule.id, rule.name, rule.title_in(lang)));
                }
                out
            }
            RuleFormat::Json => {
                serde_json::to_string_pretty(&RULES.iter().map(|rule| rule_json(rule)).collect::<Vec<_>>())?
                    + "\n"
            }
        },
    };
    std::io::stdout().write_all(text.as_bytes()).context("writing to stdout")?;
    Ok(true)
}

fn rule_json(rule: &Rule) -> serde_json::Value {
    serde_json::json!({
        "id": rule.id,
        "name": rule.name,
        "title": rule.title,
        "title_ja": rule.title_ja,
        "section": rule.section,
        "item": rule.item,
        "severity": rule.severity,
        "fix": rule.fix,
        "data": rule.data,
        "explanation": rule.explanation(),
        "explanation_ja": rule.explanation_in("ja"),
        "source": rule.source,
    })
}
