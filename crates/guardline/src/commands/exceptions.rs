//! `guardline exceptions`: the periodic review of accepted failures (seed 2-5). Lists every exception that
//! has expired or expires within `--within` days, soonest first, with its `file:line`, in `--lang`. Exit 0.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;
use jiff::ToSpan as _;

use crate::args::ExceptionsArgs;
use crate::commands::{config_path, load_config};
use crate::lang::tr;

pub fn run(args: ExceptionsArgs) -> anyhow::Result<bool> {
    let path = config_path(args.config.as_deref())
        .context("no config to review: pass --config FILE, or run where guardline.toml is")?;
    let config = load_config(Some(&path))?;
    let lang = args.lang.code();
    let today = args.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let horizon = today
        .checked_add(i64::from(args.within).days())
        .with_context(|| format!("--within {} goes past the last date", args.within))?;
    let mut due: Vec<_> = config.exceptions.iter().filter(|exception| exception.expires <= horizon).collect();
    due.sort_by_key(|exception| (exception.expires, exception.line));

    let file = path.display();
    let mut text = String::new();
    let (within, count, total) = (args.within, due.len(), config.exceptions.len());
    let _ = writeln!(
        text,
        "{}",
        tr!(
            lang,
            "Exceptions expired or expiring by {horizon} (today {today}, within {within} days): {count} of {total}",
            "{horizon} までに期限切れ・期限を迎える例外(今日 {today}、{within} 日以内): {total} 件中 {count} 件"
        )
    );
    for exception in due {
        // The engine's rule: an exception holds through its expiry day and fails the finding from the next.
        let state = if exception.expires < today {
            tr!(lang, "EXPIRED", "期限切れ")
        } else {
            let days = (exception.expires - today).get_days();
            let plural = if days == 1 { "" } else { "s" };
            tr!(lang, "expires in {days} day{plural}", "あと {days} 日で期限")
        };
        let scope: Vec<String> = [
            exception.account.as_ref().map(|account| tr!(lang, "account {account}", "アカウント {account}")),
            exception.region.as_ref().map(|region| tr!(lang, "region {region}", "リージョン {region}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let resource = exception.resource.as_ref().map_or_else(
            || tr!(lang, "(every resource)", "(すべてのリソース)"),
            |pattern| pattern.text.clone(),
        );
        let _ = writeln!(
            text,
            "\n{file}:{}: {} {state} ({})",
            exception.line, exception.control, exception.expires
        );
        let [resource_label, scope_label, owner_label, reason_label] = if lang == "ja" {
            ["リソース:", "範囲:    ", "担当:    ", "理由:    "]
        } else {
            ["resource:", "scope:   ", "owner:   ", "reason:  "]
        };
        let _ = writeln!(text, "  {resource_label} {resource}");
        if !scope.is_empty() {
            let _ = writeln!(text, "  {scope_label} {}", scope.join(", "));
        }
        let _ = writeln!(text, "  {owner_label} {}", exception.owner);
        let _ = writeln!(text, "  {reason_label} {}", exception.reason);
    }
    std::io::stdout().write_all(text.as_bytes()).context("writing the review")?;
    Ok(true)
}
