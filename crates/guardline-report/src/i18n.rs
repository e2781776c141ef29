//! The report's own words, in English (`en`) and Japanese (`ja`).

/// A phrase of the report chrome.
#[derive(Debug, Clone, Copy)]
pub enum Phrase {
    Account,
    Profile,
    Regions,
    Collected,
    Controls,
    Result,
    Passed,
    Failed,
    UnusedException,
    ExceptionExpired,
    Exception,
    Owner,
    Expires,
    NotAdoptedBecause,
    NoResources,
    Resource,
    Resources,
}

/// The phrase in `lang` (English for anything but `ja`).
pub fn phrase(lang: &str, phrase: Phrase) -> &'static str {
    let ja = lang == "ja";
    match phrase {
        Phrase::Account => pick(ja, "account", "アカウント"),
        Phrase::Profile => pick(ja, "profile", "プロファイル"),
        Phrase::Regions => pick(ja, "regions", "リージョン"),
        Phrase::Collected => pick(ja, "collected", "収集日時"),
        Phrase::Controls => pick(ja, "controls", "コントロール"),
        Phrase::Result => pick(ja, "Result", "結果"),
        Phrase::Passed => pick(ja, "all adopted controls pass", "採用したコントロールはすべて合格です"),
        Phrase::Failed => pick(ja, "adopted controls fail", "採用したコントロールに不合格があります"),
        Phrase::UnusedException => pick(ja, "exception matched nothing", "どの検出結果にも一致しない例外"),
        Phrase::ExceptionExpired => pick(ja, "exception expired on", "例外の期限切れ"),
        Phrase::Exception => pick(ja, "exception", "例外"),
        Phrase::Owner => pick(ja, "owner", "担当"),
        Phrase::Expires => pick(ja, "expires", "期限"),
        Phrase::NotAdoptedBecause => pick(ja, "not adopted", "不採用"),
        Phrase::NoResources => pick(ja, "nothing to check", "対象なし"),
        Phrase::Resource => pick(ja, "resource", "リソース"),
        Phrase::Resources => pick(ja, "resources", "リソース"),
    }
}

fn pick(ja: bool, en: &'static str, japanese: &'static str) -> &'static str {
    if ja { japanese } else { en }
}
