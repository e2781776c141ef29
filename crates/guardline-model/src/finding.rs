//! [`Finding`]: one rule's verdict on one resource, and the vocabulary around it.

use serde::{Deserialize, Serialize};

/// PASS, FAIL, NOT EVALUATED or NOT APPLICABLE. NOT EVALUATED is never a pass. NOT APPLICABLE (the control
/// does not apply to this account, e.g. the organisation controls in an account outside any AWS
/// Organization) is neither a pass nor a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Fail,
    NotEvaluated,
    NotApplicable,
    Pass,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::NotEvaluated => "NOT EVALUATED",
            Status::NotApplicable => "NOT APPLICABLE",
        }
    }

    /// The label in `lang` (English for anything but `ja`).
    pub fn label_in(self, lang: &str) -> &'static str {
        if lang != "ja" {
            return self.label();
        }
        match self {
            Status::Pass => "合格",
            Status::Fail => "不合格",
            Status::NotEvaluated => "未評価",
            Status::NotApplicable => "対象外",
        }
    }
}

/// The four sections of the guideline, in its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Section {
    /// 1. Cost.
    Cost,
    /// 2. Security hardening.
    Security,
    /// 3. Preventing operators' mistakes.
    Mistakes,
    /// 4. Detecting incidents early and responding.
    Detection,
}

impl Section {
    pub const ALL: [Section; 4] = [Section::Cost, Section::Security, Section::Mistakes, Section::Detection];

    /// The section's number in the guideline.
    pub fn number(self) -> u8 {
        match self {
            Section::Cost => 1,
            Section::Security => 2,
            Section::Mistakes => 3,
            Section::Detection => 4,
        }
    }

    pub fn title(self) -> Text {
        match self {
            Section::Cost => Text::new("Cost", "コストをチェックし、削減する"),
            Section::Security => Text::new("Security hardening", "セキュリティ強化"),
            Section::Mistakes => Text::new("Preventing mistakes", "誤操作を防ぐ"),
            Section::Detection => Text::new("Early detection and response", "インシデントの早期発見・対応"),
        }
    }
}

/// How bad a failure of the control is, independent of whether a profile fails the run on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// The label in `lang` (the reports' words; English for anything but `ja`).
    pub fn label_in(self, lang: &str) -> &'static str {
        if lang != "ja" {
            return self.label();
        }
        match self {
            Severity::Critical => "重大",
            Severity::High => "高",
            Severity::Medium => "中",
            Severity::Low => "低",
            Severity::Info => "情報",
        }
    }
}

/// A text in every language Guardline speaks (English, Japanese).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    pub en: String,
    pub ja: String,
}

impl Text {
    pub fn new(en: impl Into<String>, ja: impl Into<String>) -> Self {
        Text { en: en.into(), ja: ja.into() }
    }

    /// The text in `lang` ("en" or "ja"); English for anything else.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "ja" { &self.ja } else { &self.en }
    }
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The control ID, e.g. `EC2-001`.
    pub control: String,
    pub account_id: String,
    /// The region, or `global` for account-wide resources.
    pub region: String,
    /// The resource's ARN (for account-level controls, the account's root ARN or the service's ARN).
    pub resource: String,
    /// What of the resource the finding is about, when one resource can have several findings of the
    /// control: an access key ID (IAM-005), a Security Hub control ID (HUB-002). An exception can name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub status: Status,
    /// What exactly is wrong (or right, or could not be checked).
    pub message: Text,
}
