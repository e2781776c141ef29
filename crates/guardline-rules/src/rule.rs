//! [`Rule`]: a control's metadata, documentation and check function, declared with `declare_rule!`.

use guardline_model::{Section, Severity};

use crate::{Context, Findings};

/// Whether and how `guardline fix` can remediate a failing control. Declared per rule, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    /// The fix only adds protection (enables a service, creates a rule) and cannot break a workload.
    Safe,
    /// The fix changes behaviour someone may rely on (e.g. blocks public access); review the plan first.
    NeedsReview,
    /// Only a person can do it (e.g. root MFA, deleting someone's access key); the docs give the steps.
    ManualOnly,
}

impl FixAvailability {
    pub fn label(self) -> &'static str {
        match self {
            FixAvailability::Safe => "safe",
            FixAvailability::NeedsReview => "needs review",
            FixAvailability::ManualOnly => "manual only",
        }
    }

    /// The label in `lang` (English for anything but `ja`); the Japanese "Fix safety" section starts with it.
    pub fn label_in(self, lang: &str) -> &'static str {
        if lang != "ja" {
            return self.label();
        }
        match self {
            FixAvailability::Safe => "安全",
            FixAvailability::NeedsReview => "要レビュー",
            FixAvailability::ManualOnly => "手動のみ",
        }
    }
}

/// The one-line remedy of a failing control, for the "fix first" block of the reports; the whole steps
/// are in the rule's "How to fix".
#[derive(Debug, Clone, Copy)]
pub struct Remedy {
    /// An imperative line, e.g. "Enable GuardDuty in every region".
    pub en: &'static str,
    pub ja: &'static str,
    /// The Guardline command that does it when it is not `guardline fix` (SCHED-001: `guardline schedule
    /// apply`); `None` for a control that `fix` plans or that only a person can fix.
    pub command: Option<&'static str>,
}

impl Remedy {
    pub fn get(&self, lang: &str) -> &'static str {
        if lang == "ja" { self.ja } else { self.en }
    }
}

/// One control of the guideline.
#[derive(Debug)]
pub struct Rule {
    /// Stable control ID, e.g. `EC2-001`.
    pub id: &'static str,
    /// Kebab-case name of the bad state, e.g. `security-group-open-to-world`.
    pub name: &'static str,
    /// One-line title in English and Japanese: the requirement, i.e. what passing means ("Cost Explorer is
    /// enabled"); the `name` names the bad state.
    pub title: &'static str,
    pub title_ja: &'static str,
    pub section: Section,
    /// The guideline item, e.g. `2-3`.
    pub item: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    pub remedy: Remedy,
    /// The IAM actions whose data the rule reads.
    pub data: &'static [&'static str],
    pub check: fn(&Context<'_>, &mut Findings),
    /// The automated fix: maps the control's failing findings to changes (`None`: manual only). Declared
    /// beside the check, in the rule's file.
    pub plan: Option<crate::fix::PlanFn>,
    /// The rule's doc comment, as written (each line keeps its leading space).
    pub doc: &'static str,
    /// The file that declares the rule.
    pub source: &'static str,
}

impl Rule {
    /// The English documentation: the doc comment's English part with its leading spaces removed.
    pub fn explanation(&self) -> String {
        self.explanation_in("en")
    }

    /// The documentation in `lang`: the doc comment's Japanese part (from its first
    /// [`JA_HEADINGS`](crate::docs::JA_HEADINGS) heading on) for `ja`, its English part before it for anything
    /// else, with the leading spaces removed.
    pub fn explanation_in(&self, lang: &str) -> String {
        let mut text = String::new();
        for line in self.doc.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        let start = crate::docs::JA_HEADINGS[0];
        let (en, ja) = match text.find(&format!("\n{start}\n")) {
            Some(at) => (&text[..at], &text[at..]),
            None => (text.as_str(), ""),
        };
        let part = if lang == "ja" { ja } else { en };
        part.trim().to_owned() + "\n"
    }

    /// The Guardline command that remedies a failure, if one does: `guardline fix --only ID` for a control
    /// with an automated fix, the rule's [`Remedy::command`] otherwise.
    pub fn remedy_command(&self) -> Option<String> {
        match (self.plan, self.remedy.command) {
            (Some(_), _) => Some(format!("guardline fix --only {}", self.id)),
            (None, Some(command)) => Some(command.to_owned()),
            (None, None) => None,
        }
    }

    pub fn title_in(&self, lang: &str) -> &'static str {
        if lang == "ja" { self.title_ja } else { self.title }
    }
}

/// Declares a rule: the doc comment becomes [`Rule::doc`], the file [`Rule::source`].
///
/// ```ignore
/// declare_rule! {
///     /// ## What it checks
///     /// ...
///     pub static RULE = {
///         id: "EC2-001", name: "security-group-open-to-world", ...
///         check: check,
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub static $static:ident = { $($field:ident : $value:expr),* $(,)? }
    ) => {
        $(#[doc = $doc])*
        pub static $static: $crate::rule::Rule = $crate::rule::Rule {
            $($field: $value,)*
            doc: concat!($($doc, "\n"),*),
            source: file!(),
        };
    };
}

/// Builds a [`guardline_model::Text`] from an English and a Japanese format string.
#[macro_export]
macro_rules! text {
    ($en:literal, $ja:literal $(,)?) => {
        ::guardline_model::Text::new(format!($en), format!($ja))
    };
}
