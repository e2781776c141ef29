//! `guardline exceptions`: the periodic review of accepted failures (seed 2-5). Lists every exception that
//! has expired or expires within `--within` days, soonest first, with its `file:line`. Exit 0.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::Context as _;
use jiff::ToSpan as _;

use crate::args::ExceptionsArgs;
use crate::commands::{config_path, load_config};

pub fn run(args: ExceptionsArgs) -> anyhow::Result<bool> {
    let path = config_path(args.config.as_deref())
        .context("no config to review: pass --config FILE, or run where guardline.toml is")?;
    let config = load_config(Some(&path))?;
    let today = args.today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let horizon = today
        .checked_add(i64::from(args.within).days())
        .with_context(|| format!("--within {} goes past the last date", args.within))?;
    let mut due: Vec<_> = config.exceptions.iter().filter(|exception| exception.expires <= horizon).collect();
    due.sort_by_key(|exception| (exception.expires, exception.line));

    let file = path.display();
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Exceptions expired or expiring by {horizon} (today {today}, within {} days): {} of {}",
        args.within,
        due.len(),
        config.exceptions.len()
    );
    for exception in due {
        // The engine's rule: an exception holds through its expiry day and fails the finding from the next.
        let state = if exception.expires < today {
            "EXPIRED".to_owned()
        } else {
            let days = (exception.expires - today).get_days();
            format!("expires in {days} day{}", if days == 1 { "" } else { "s" })
        };
        let scope: Vec<String> = [
            exception.account.as_ref().map(|account| format!("account {account}")),
            exception.region.as_ref().map(|region| format!("region {region}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let resource =
            exception.resource.as_ref().map_or("(every resource)", |pattern| pattern.text.as_str());
        let _ = writeln!(
            text,
            "\n{file}:{}: {} {state} ({})",
            exception.line, exception.control, exception.expires
        );
        let _ = writeln!(text, "  resource: {resource}");
        if !scope.is_empty() {
            let _ = writeln!(text, "  scope:    {}", scope.join(", "));
        }
        let _ = writeln!(text, "  owner:    {}", exception.owner);
        let _ = writeln!(text, "  reason:   {}", exception.reason);
    }
    std::io::stdout().write_all(text.as_bytes()).context("writing the review")?;
    Ok(true)
}
