//! Rendering an [`Event`] for each channel: Slack Block Kit blocks, a Teams Adaptive Card, a mail subject and
//! body, in English or Japanese. Pure: no IO, no clock; the snapshot tests pin each shape.

use serde_json::{Value, json};

use crate::event::{DigestItem, Event, EventKind, Lang};

/// The words of a message.
struct Words {
    account: &'static str,
    account_name: &'static str,
    ou: &'static str,
    owner: &'static str,
    daily_digest: &'static str,
    no_owner: &'static str,
    region: &'static str,
    severity: &'static str,
    source: &'static str,
    time: &'static str,
    open: &'static str,
    digest: &'static str,
    more: &'static str,
    channel_down: &'static str,
    failing_since: &'static str,
    last_error: &'static str,
    test: &'static str,
    test_body: &'static str,
    failed: &'static str,
    resolved: &'static str,
    by: &'static str,
    resource: &'static str,
    change: &'static str,
    principal: &'static str,
    session_issuer: &'static str,
    source_ip: &'static str,
    user_agent: &'static str,
}

const EN: Words = Words {
    account: "Account",
    account_name: "Account name",
    ou: "OU",
    owner: "Owner",
    daily_digest: "daily digest for",
    no_owner: "accounts without an owner tag",
    region: "Region",
    severity: "Severity",
    source: "Source",
    time: "Time",
    open: "Open in the console",
    digest: "new alerts",
    more: "more",
    channel_down: "Alert channel down",
    failing_since: "failing since",
    last_error: "last error",
    test: "Guardline test message",
    test_body: "This channel receives Guardline alerts.",
    failed: "failed",
    resolved: "RESOLVED",
    by: "by",
    resource: "Resource",
    change: "Change",
    principal: "Principal",
    session_issuer: "Session issuer",
    source_ip: "Source IP",
    user_agent: "User agent",
};

const JA: Words = Words {
    account: "アカウント",
    account_name: "アカウント名",
    ou: "OU",
    owner: "オーナー",
    daily_digest: "日次ダイジェスト:",
    no_owner: "オーナータグのないアカウント",
    region: "リージョン",
    severity: "重要度",
    source: "ソース",
    time: "時刻",
    open: "コンソールで開く",
    digest: "件の新しいアラート",
    more: "件 (他)",
    channel_down: "通知チャネル障害",
    failing_since: "失敗開始",
    last_error: "最後のエラー",
    test: "Guardline テストメッセージ",
    test_body: "このチャネルは Guardline のアラートを受信します。",
    failed: "不合格",
    resolved: "解消",
    by: "変更者",
    resource: "リソース",
    change: "変更",
    principal: "変更者",
    session_issuer: "セッション発行元",
    source_ip: "送信元 IP",
    user_agent: "ユーザーエージェント",
};

fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Ja => &JA,
    }
}

/// Digest lines shown in one message; the rest are counted.
const DIGEST_LINES: usize = 20;

/// The one-line headline: "[HIGH 8.0] title", "[guardduty] 12 new alerts", ...
pub fn headline(event: &Event, lang: Lang) -> String {
    let w = words(lang);
    if let Some(change) = &event.change {
        return change_headline(event, change, lang);
    }
    match &event.kind {
        EventKind::Alert => match &event.severity {
            Some(severity) => match severity.score {
                Some(score) => format!("[{} {score:.1}] {}", severity.label, event.title),
                None => format!("[{}] {}", severity.label, event.title),
            },
            None => format!("[{}] {}", event.source, event.title),
        },
        EventKind::Digest { items, daily_for: None } => {
            format!("[{}] {} {}", event.source, items.len(), w.digest)
        }
        EventKind::Digest { items, daily_for: Some(owner) } => {
            let owner = if owner.is_empty() { w.no_owner } else { owner.as_str() };
            format!("[{} {owner}] {} {}", w.daily_digest, items.len(), w.digest)
        }
        EventKind::ChannelDown { channel, .. } => format!("{}: {channel}", w.channel_down),
        EventKind::Test => w.test.to_owned(),
        EventKind::Resolved => format!("[{}] {}", w.resolved, event.title),
    }
}

/// A drift alert's or resolution's headline: "[HIGH] EC2-001 failed: security group … allows TCP port 22
/// from 0.0.0.0/0 by arn:aws:iam::…:user/alice", "[RESOLVED] EC2-001: … opens no admin port to the world".
fn change_headline(event: &Event, change: &crate::event::Change, lang: Lang) -> String {
    let w = words(lang);
    let message = match lang {
        Lang::En => &change.message_en,
        Lang::Ja => &change.message_ja,
    };
    let mut line = match &event.kind {
        EventKind::Resolved => format!("[{}] {}: {message}", w.resolved, change.control),
        _ => format!("{} {}: {message}", change.control, w.failed),
    };
    if !matches!(event.kind, EventKind::Resolved)
        && let Some(severity) = &event.severity
    {
        line = format!("[{}] {line}", severity.label);
    }
    if let Some(principal) = &change.principal {
        match lang {
            Lang::En => line.push_str(&format!(" {} {principal}", w.by)),
            Lang::Ja => line.push_str(&format!("({}: {principal})", w.by)),
        }
    }
    line
}

/// The facts under the headline, as (name, value) pairs.
fn facts(event: &Event, lang: Lang) -> Vec<(&'static str, String)> {
    let w = words(lang);
    let mut facts = Vec::new();
    if let Some(account) = event.account_label() {
        facts.push((w.account, account));
    }
    if let Some(name) = &event.account_name {
        facts.push((w.account_name, name.clone()));
    }
    if let Some(ou) = &event.account_ou {
        facts.push((w.ou, ou.clone()));
    }
    if let Some(owner) = &event.account_owner {
        facts.push((w.owner, owner.clone()));
    }
    if let Some(region) = &event.region {
        facts.push((w.region, region.clone()));
    }
    if let Some(change) = &event.change {
        facts.push((w.resource, change.resource.clone()));
        let who = [
            (w.principal, &change.principal),
            (w.session_issuer, &change.session_issuer),
            (w.source_ip, &change.source_ip),
            (w.user_agent, &change.user_agent),
            (w.change, &change.event_name),
        ];
        facts.extend(who.into_iter().filter_map(|(name, value)| value.clone().map(|value| (name, value))));
        if let Some(time) = &event.time {
            facts.push((w.time, time.clone()));
        }
    }
    if let Some(severity) = &event.severity {
        let value = match severity.score {
            Some(score) => format!("{} ({score:.1})", severity.label),
            None => severity.label.clone(),
        };
        facts.push((w.severity, value));
    }
    facts.push((w.source, event.source.clone()));
    if let Some(time) = event.time.as_ref().filter(|_| event.change.is_none()) {
        facts.push((w.time, time.clone()));
    }
    if let EventKind::ChannelDown { since, error, .. } = &event.kind {
        facts.push((w.failing_since, since.clone()));
        facts.push((w.last_error, error.clone()));
    }
    facts
}

/// One digest line; the item's account is named when it is not the digest's own.
fn digest_line(item: &DigestItem, digest_account: Option<&str>) -> String {
    let mut line = String::new();
    if let Some(severity) = &item.severity {
        match severity.score {
            Some(score) => line.push_str(&format!("[{} {score:.1}] ", severity.label)),
            None => line.push_str(&format!("[{}] ", severity.label)),
        }
    }
    line.push_str(&item.title);
    match (&item.account, &item.region) {
        (Some(account), Some(region)) if Some(account.as_str()) != digest_account => {
            line.push_str(&format!(" ({account}, {region})"));
        }
        (Some(account), None) if Some(account.as_str()) != digest_account => {
            line.push_str(&format!(" ({account})"));
        }
        (_, Some(region)) => line.push_str(&format!(" ({region})")),
        _ => {}
    }
    line
}

/// The digest's lines, at most [`DIGEST_LINES`], then "N more".
fn digest_lines(event: &Event, items: &[DigestItem], lang: Lang) -> Vec<(String, Option<String>)> {
    let account = event.account_label();
    let mut lines: Vec<(String, Option<String>)> = items
        .iter()
        .take(DIGEST_LINES)
        .map(|item| (digest_line(item, account.as_deref()), item.link.clone()))
        .collect();
    if items.len() > DIGEST_LINES {
        lines.push((format!("+{} {}", items.len() - DIGEST_LINES, words(lang).more), None));
    }
    lines
}

/// Escapes Slack mrkdwn's control characters.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The fallback text of a Slack message (notifications, clients without blocks).
pub fn slack_text(event: &Event, lang: Lang) -> String {
    let mut text = headline(event, lang);
    if let Some(account) = event.account_label() {
        text.push_str(&format!(" — {account}"));
    }
    if let Some(region) = &event.region {
        text.push_str(&format!(" {region}"));
    }
    text
}

/// Slack Block Kit blocks.
pub fn slack_blocks(event: &Event, lang: Lang) -> Value {
    let w = words(lang);
    let mut header: String = headline(event, lang).chars().take(150).collect();
    if header.is_empty() {
        header.push('-');
    }
    let mut blocks = vec![json!({"type": "header", "text": {"type": "plain_text", "text": header}})];
    let fields: Vec<Value> = facts(event, lang)
        .into_iter()
        .take(10)
        .map(|(name, value)| json!({"type": "mrkdwn", "text": format!("*{name}*\n{}", slack_escape(&value))}))
        .collect();
    blocks.push(json!({"type": "section", "fields": fields}));
    if let Some(description) = &event.description {
        let text: String = slack_escape(description).chars().take(2900).collect();
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
    }
    match &event.kind {
        EventKind::Digest { items, .. } => {
            let lines: Vec<String> = digest_lines(event, items, lang)
                .into_iter()
                .map(|(line, link)| match link {
                    Some(link) => format!("• <{link}|{}>", slack_escape(&line)),
                    None => format!("• {}", slack_escape(&line)),
                })
                .collect();
            let text: String = lines.join("\n").chars().take(2900).collect();
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": text}}));
        }
        EventKind::Test => {
            blocks.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": w.test_body}}));
        }
        EventKind::Alert | EventKind::ChannelDown { .. } | EventKind::Resolved => {}
    }
    if let Some(link) = &event.link {
        blocks.push(json!({
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": w.open}, "url": link}],
        }));
    }
    Value::Array(blocks)
}

/// The body of a Slack incoming-webhook post.
pub fn slack_webhook_body(event: &Event, lang: Lang) -> Value {
    json!({"text": slack_text(event, lang), "blocks": slack_blocks(event, lang)})
}

/// The body of a `chat.postMessage` call.
pub fn slack_post_message_body(event: &Event, lang: Lang, channel: &str) -> Value {
    json!({"channel": channel, "text": slack_text(event, lang), "blocks": slack_blocks(event, lang)})
}

/// The Adaptive Card (schema 1.4), as the `attachments` message Teams webhooks and Workflows accept.
pub fn teams_card(event: &Event, lang: Lang) -> Value {
    let w = words(lang);
    let color = match event.severity.as_ref().map(|severity| severity.label.as_str()) {
        Some("CRITICAL" | "HIGH") => "Attention",
        Some("MEDIUM") => "Warning",
        _ => "Default",
    };
    let mut body = vec![json!({
        "type": "TextBlock", "text": headline(event, lang), "weight": "Bolder", "size": "Medium",
        "wrap": true, "color": color,
    })];
    let facts: Vec<Value> =
        facts(event, lang).into_iter().map(|(name, value)| json!({"title": name, "value": value})).collect();
    body.push(json!({"type": "FactSet", "facts": facts}));
    if let Some(description) = &event.description {
        body.push(json!({"type": "TextBlock", "text": description, "wrap": true}));
    }
    match &event.kind {
        EventKind::Digest { items, .. } => {
            for (line, link) in digest_lines(event, items, lang) {
                let text = match link {
                    Some(link) => format!("- [{line}]({link})"),
                    None => format!("- {line}"),
                };
                body.push(json!({"type": "TextBlock", "text": text, "wrap": true, "spacing": "None"}));
            }
        }
        EventKind::Test => body.push(json!({"type": "TextBlock", "text": w.test_body, "wrap": true})),
        EventKind::Alert | EventKind::ChannelDown { .. } | EventKind::Resolved => {}
    }
    let mut card = json!({
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    });
    if let Some(link) = &event.link {
        card["actions"] = json!([{"type": "Action.OpenUrl", "title": w.open, "url": link}]);
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": card,
        }],
    })
}

/// A mail's subject and plain-text body.
pub fn mail(event: &Event, lang: Lang) -> (String, String) {
    let w = words(lang);
    let mut subject = format!("[Guardline] {}", headline(event, lang));
    if let Some(account) = event.account_label() {
        subject.push_str(&format!(" — {account}"));
    }
    let mut body = String::new();
    body.push_str(&headline(event, lang));
    body.push_str("\n\n");
    let facts = facts(event, lang);
    for (name, value) in &facts {
        body.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(description) = &event.description {
        body.push('\n');
        body.push_str(description);
        body.push('\n');
    }
    match &event.kind {
        EventKind::Digest { items, .. } => {
            body.push('\n');
            for (line, link) in digest_lines(event, items, lang) {
                body.push_str(&format!("- {line}\n"));
                if let Some(link) = link {
                    body.push_str(&format!("  {link}\n"));
                }
            }
        }
        EventKind::Test => {
            body.push('\n');
            body.push_str(w.test_body);
            body.push('\n');
        }
        EventKind::Alert | EventKind::ChannelDown { .. } | EventKind::Resolved => {}
    }
    if let Some(link) = &event.link {
        body.push_str(&format!("\n{}: {link}\n", w.open));
    }
    body.push_str("\n-- \nGuardline\n");
    (subject, body)
}
