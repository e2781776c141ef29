//! The event model: what a source found ([`Event`]), stored as JSON in the outbox and rendered per channel.

use serde::{Deserialize, Serialize};

/// The prefix of GuardDuty's attack-sequence finding types (`AttackSequence:S3/CompromisedData`, ...).
pub const ATTACK_SEQUENCE: &str = "AttackSequence:";

/// The language of message text (`--lang`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    #[default]
    En,
    Ja,
}

/// An event's severity: a label (HIGH, CRITICAL, ...) and, where the source has one, its score
/// (GuardDuty's 0.0–10.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Severity {
    pub label: String,
    pub score: Option<f64>,
}

impl Severity {
    /// GuardDuty's label for a score: Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0 (the
    /// level GuardDuty added for Extended Threat Detection's attack sequences).
    pub fn guardduty(score: f64) -> Severity {
        let label = if score >= 9.0 {
            "CRITICAL"
        } else if score >= 7.0 {
            "HIGH"
        } else if score >= 4.0 {
            "MEDIUM"
        } else {
            "LOW"
        };
        Severity { label: label.to_owned(), score: Some(score) }
    }

    pub fn label(label: &str) -> Severity {
        Severity { label: label.to_owned(), score: None }
    }
}

/// What kind of message an event is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum EventKind {
    /// One finding, event or feed item.
    Alert,
    /// More new events from one source in one pass than `digest-above`: one message listing them; or,
    /// with `owner`, a route's daily digest of one owner's accounts (`digest = "daily"`).
    Digest {
        items: Vec<DigestItem>,
        /// The owner a daily digest is for (`None` in a burst's digest).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        daily_for: Option<String>,
    },
    /// A channel has been failing for longer than `channel-down-alert-after`; sent to the other channels.
    ChannelDown { channel: String, since: String, error: String },
    /// `guardline watch test CHANNEL`.
    Test,
    /// A control that drifted to failing passes again (the `changes` source): the alert it follows is
    /// named by [`Event::change`].
    Resolved,
}

/// One line of a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DigestItem {
    pub title: String,
    /// The account the item is about ("alias (ID)"), where it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub severity: Option<Severity>,
    pub region: Option<String>,
    pub link: Option<String>,
}

/// Something to tell the channels about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event's identity: the outbox's primary key, and with the channel the dedup key.
    pub key: String,
    /// The source's name (`guardduty`, `health`, a feed's name, ...).
    pub source: String,
    pub kind: EventKind,
    pub account_id: Option<String>,
    pub account_alias: Option<String>,
    /// The account's name in Organizations (`watch --org`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_name: Option<String>,
    /// The account's OU path by names, root first (`watch --org`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_ou: Option<String>,
    /// The account's owner, by its owner tag (`watch --org`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_owner: Option<String>,
    pub region: Option<String>,
    pub severity: Option<Severity>,
    pub title: String,
    pub description: Option<String>,
    /// A console (or feed item) link.
    pub link: Option<String>,
    /// When it happened or was last updated, as the source says (RFC 3339).
    pub time: Option<String>,
    /// The source's type of finding, where it has one (GuardDuty's `Recon:EC2/PortProbeUnprotectedPort`,
    /// `AttackSequence:IAM/CompromisedCredentials`, ...). Absent from events stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finding_type: Option<String>,
    /// The control a change broke or put right, and who changed it (the `changes` source).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<Box<Change>>,
}

/// A change to the account that moved a control's verdict: which control, on what, and from CloudTrail
/// who made the change, from where, when.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The control, e.g. `EC2-001`.
    pub control: String,
    /// The resource's ARN (and the subject within it, where the control has one).
    pub resource: String,
    /// The finding's message now: what fails, or that it passes again.
    pub message_en: String,
    pub message_ja: String,
    /// The call that made the change (`AuthorizeSecurityGroupIngress`), or the AWS Config item change.
    pub event_name: Option<String>,
    /// `userIdentity.arn`.
    pub principal: Option<String>,
    /// `userIdentity.sessionContext.sessionIssuer.arn`: the role behind an assumed-role session.
    pub session_issuer: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// The change's `eventTime` (RFC 3339).
    pub event_time: Option<String>,
}

impl Event {
    /// An alert with only the required parts; the rest is filled by the source.
    pub fn alert(key: impl Into<String>, source: impl Into<String>, title: impl Into<String>) -> Event {
        Event {
            key: key.into(),
            source: source.into(),
            kind: EventKind::Alert,
            account_id: None,
            account_alias: None,
            account_name: None,
            account_ou: None,
            account_owner: None,
            region: None,
            severity: None,
            title: title.into(),
            description: None,
            link: None,
            time: None,
            finding_type: None,
            change: None,
        }
    }

    /// Whether the event always goes out as a message of its own, never folded into a digest: GuardDuty's
    /// attack sequences (Extended Threat Detection; finding types `AttackSequence:...`, always Critical),
    /// each one an attack in progress across several signals.
    pub fn stands_alone(&self) -> bool {
        matches!(self.kind, EventKind::Alert)
            && self.finding_type.as_deref().is_some_and(|kind| kind.starts_with(ATTACK_SEQUENCE))
    }

    /// "alias (123456789012)", the ID alone, or `None` for events of no account (feeds).
    pub fn account_label(&self) -> Option<String> {
        match (&self.account_alias, &self.account_id) {
            (Some(alias), Some(id)) => Some(format!("{alias} ({id})")),
            (None, Some(id)) => Some(id.clone()),
            (Some(alias), None) => Some(alias.clone()),
            (None, None) => None,
        }
    }

    /// A line for a digest.
    pub fn digest_item(&self) -> DigestItem {
        DigestItem {
            title: self.title.clone(),
            account: self.account_label(),
            severity: self.severity.clone(),
            region: self.region.clone(),
            link: self.link.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guardduty_labels_follow_its_documented_ranges() {
        let cases = [
            (1.0, "LOW"),
            (3.9, "LOW"),
            (4.0, "MEDIUM"),
            (6.9, "MEDIUM"),
            (7.0, "HIGH"),
            (8.9, "HIGH"),
            (9.0, "CRITICAL"),
            (9.6, "CRITICAL"),
            (10.0, "CRITICAL"),
        ];
        for (score, label) in cases {
            let severity = Severity::guardduty(score);
            assert_eq!((severity.label.as_str(), severity.score), (label, Some(score)), "{score}");
        }
    }

    #[test]
    fn only_attack_sequence_alerts_stand_alone() {
        let mut event = Event::alert("guardduty:f-1:9.3", "guardduty", "Compromised credentials");
        assert!(!event.stands_alone());
        event.finding_type =
            Some("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS".into());
        assert!(!event.stands_alone());
        for kind in ["AttackSequence:IAM/CompromisedCredentials", "AttackSequence:S3/CompromisedData"] {
            event.finding_type = Some(kind.into());
            assert!(event.stands_alone(), "{kind}");
        }
    }

    #[test]
    fn events_stored_without_a_finding_type_still_load() {
        let mut event = Event::alert("k", "guardduty", "t");
        let stored = serde_json::to_string(&event).unwrap();
        assert!(!stored.contains("finding_type"), "{stored}");
        assert_eq!(serde_json::from_str::<Event>(&stored).unwrap(), event);
        event.finding_type = Some("AttackSequence:S3/CompromisedData".into());
        let stored = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&stored).unwrap(), event);
    }
}
