//! Renders rule documentation from the rules' own doc comments: `guardline rule ID` and `docs/rules/` (English),
//! `guardline rule ID --lang ja` and `docs/rules/ja/` (Japanese).

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

/// The headings of the Japanese part, which follows the English one, in this order (the same sections).
pub const JA_HEADINGS: [&str; 6] =
    ["## 確認内容", "## 重要な理由", "## ガイドライン", "## 修正方法", "## 修正の安全性", "## 参考資料"];

/// The "How to fix" heading in `lang`.
pub fn how_to_fix_heading(lang: &str) -> &'static str {
    if lang == "ja" { JA_HEADINGS[3] } else { REQUIRED_HEADINGS[3] }
}

/// The Markdown page of one rule (`docs/rules/<ID>.md`, and `guardline rule ID`).
pub fn rule_markdown(rule: &Rule) -> String {
    rule_markdown_in(rule, "en")
}

/// The Markdown page of one rule in `lang` (`docs/rules/ja/<ID>.md` and `guardline rule ID --lang ja` for `ja`).
pub fn rule_markdown_in(rule: &Rule, lang: &str) -> String {
    let ja = lang == "ja";
    let section = rule.section;
    let data: Vec<String> = rule.data.iter().map(|action| format!("`{action}`")).collect();
    let [l_section, l_item, l_severity, l_fix, l_remedy, l_data, l_source] = if ja {
        ["セクション", "ガイドライン項目", "重大度", "修正", "対処", "データ", "ソース"]
    } else {
        ["Section", "Guideline item", "Severity", "Fix", "Remedy", "Data", "Source"]
    };
    let (first, second) = if ja { (rule.title_ja, rule.title) } else { (rule.title, rule.title_ja) };
    format!(
        "# {id} {name}\n\n\
         {first}\n\
         ({second})\n\n\
         | | |\n|---|---|\n\
         | {l_section} | {number}. {section_title} |\n\
         | {l_item} | {item} |\n\
         | {l_severity} | {severity} |\n\
         | {l_fix} | {fix} |\n\
         | {l_remedy} | {remedy} |\n\
         | {l_data} | {data} |\n\
         | {l_source} | `{source}` |\n\n\
         {explanation}",
        id = rule.id,
        name = rule.name,
        number = section.number(),
        section_title = section.title().get(lang),
        item = rule.item,
        severity = rule.severity.label_in(lang),
        fix = rule.fix.label_in(lang),
        remedy = match rule.remedy_command() {
            Some(command) => format!("{} (`{command}`)", rule.remedy.get(lang)),
            None => rule.remedy.get(lang).to_owned(),
        },
        data = data.join(", "),
        source = rule.source,
        explanation = rule.explanation_in(lang),
    )
}

/// The index page (`docs/rules/README.md`): every rule by guideline section.
pub fn index_markdown() -> String {
    index_markdown_in("en")
}

/// The index page in `lang` (`docs/rules/ja/README.md` for `ja`).
pub fn index_markdown_in(lang: &str) -> String {
    let ja = lang == "ja";
    let mut out = String::from(if ja {
        "# Guardline のルール\n\n\
         ルールのドキュメントコメント(`crates/guardline-rules/src/rules/`)から生成しています。手で編集しないでください。\n\
         再生成: `GUARDLINE_BLESS=1 cargo test -p guardline-rules --test rules docs`\n"
    } else {
        "# Guardline rules\n\n\
         Generated from the rules' doc comments (`crates/guardline-rules/src/rules/`); do not edit by hand.\n\
         Regenerate with `GUARDLINE_BLESS=1 cargo test -p guardline-rules --test rules docs`.\n\
         In Japanese: [ja/](ja/README.md).\n"
    });
    let header = if ja {
        "| コントロール | 内容 | 項目 | 重大度 | 修正 |\n|---|---|---|---|---|\n"
    } else {
        "| Control | Name | Item | Severity | Fix |\n|---|---|---|---|---|\n"
    };
    for section in Section::ALL {
        out.push_str(&format!("\n## {}. {}\n\n", section.number(), section.title().get(lang)));
        out.push_str(header);
        for rule in RULES.iter().filter(|rule| rule.section == section) {
            out.push_str(&format!(
                "| [{id}]({id}.md) | {name} | {item} | {severity} | {fix} |\n",
                id = rule.id,
                name = if ja { rule.title_ja } else { rule.name },
                item = rule.item,
                severity = rule.severity.label_in(lang),
                fix = rule.fix.label_in(lang),
            ));
        }
    }
    out
}
