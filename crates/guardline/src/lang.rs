//! The language of the commands' human-facing lines: `--lang`'s default (`GUARDLINE_LANG`, which clap reads,
//! else the locale, else English) and [`tr!`], a line in English or Japanese. Machine formats (JSON, the
//! report formats' keys) do not change with it.

/// `--lang`'s default when neither the flag nor `GUARDLINE_LANG` is given: `ja` when the locale (the first
/// non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`, as POSIX orders them) starts with `ja`, else `en`.
pub fn locale_default() -> &'static str {
    locale_lang(|name| std::env::var(name).ok())
}

fn locale_lang(var: impl Fn(&str) -> Option<String>) -> &'static str {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|name| var(name).filter(|value| !value.is_empty()));
    if locale.is_some_and(|locale| locale.starts_with("ja")) { "ja" } else { "en" }
}

/// A line in `lang` (`"ja"` or anything else for English), from an English and a Japanese format string
/// with the same arguments: `tr!(lang, "{n} call(s) planned", "{n} 件の呼び出しを計画しました")`.
macro_rules! tr {
    ($lang:expr, $en:literal, $ja:literal $(,)?) => {
        if $lang == "ja" { format!($ja) } else { format!($en) }
    };
    ($lang:expr, $en:literal, $ja:literal, $($arg:tt)+) => {
        if $lang == "ja" { format!($ja, $($arg)+) } else { format!($en, $($arg)+) }
    };
}
pub(crate) use tr;

/// Columns `text` takes in a terminal: East Asian wide characters take two (close enough for headings).
pub fn display_width(text: &str) -> usize {
    text.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

/// `text` padded with spaces to `width` columns, on the left (`right_align`) or the right.
pub fn pad(text: &str, width: usize, right_align: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(text)));
    if right_align { format!("{fill}{text}") } else { format!("{text}{fill}") }
}

#[cfg(test)]
mod tests {
    use super::locale_lang;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned())
    }

    #[test]
    fn the_locale_picks_the_default_language() {
        assert_eq!(locale_lang(env(&[])), "en");
        assert_eq!(locale_lang(env(&[("LANG", "ja_JP.UTF-8")])), "ja");
        assert_eq!(locale_lang(env(&[("LANG", "en_US.UTF-8")])), "en");
        assert_eq!(locale_lang(env(&[("LC_MESSAGES", "ja_JP"), ("LANG", "en_US.UTF-8")])), "ja");
        // LC_ALL overrides the others; an empty one does not count.
        assert_eq!(locale_lang(env(&[("LC_ALL", "C"), ("LANG", "ja_JP.UTF-8")])), "en");
        assert_eq!(locale_lang(env(&[("LC_ALL", ""), ("LANG", "ja_JP.UTF-8")])), "ja");
    }
}
