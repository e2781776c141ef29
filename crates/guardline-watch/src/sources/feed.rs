//! RSS and Atom feeds: the AWS service status feed (`aws-status`) and vulnerability feeds (JVN, NVD, ...),
//! each item filtered by the feed's keywords (any case, title or summary).

use super::Candidate;
use crate::event::Event;

pub async fn poll(
    http: &reqwest::Client,
    name: &str,
    url: &str,
    keywords: &[String],
) -> Result<Vec<Candidate>, String> {
    let response = http.get(url).send().await.map_err(|error| crate::channels::redact(&error.to_string()))?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let bytes = response.bytes().await.map_err(|error| crate::channels::redact(&error.to_string()))?;
    parse(name, &bytes, keywords)
}

/// The items of one feed document that match `keywords` (every item when empty).
pub fn parse(name: &str, bytes: &[u8], keywords: &[String]) -> Result<Vec<Candidate>, String> {
    let feed = feed_rs::parser::parse(bytes).map_err(|error| format!("not an RSS or Atom feed: {error}"))?;
    let keywords: Vec<String> = keywords.iter().map(|word| word.to_lowercase()).collect();
    let mut candidates = Vec::new();
    for entry in feed.entries {
        let title = entry.title.as_ref().map(|text| text.content.trim().to_owned()).unwrap_or_default();
        let summary = entry
            .summary
            .as_ref()
            .map(|text| text.content.trim().to_owned())
            .or_else(|| entry.content.as_ref().and_then(|content| content.body.clone()));
        let haystack = format!("{title}\n{}", summary.as_deref().unwrap_or_default()).to_lowercase();
        if !keywords.is_empty() && !keywords.iter().any(|word| haystack.contains(word)) {
            continue;
        }
        let link = entry.links.first().map(|link| link.href.clone());
        let id = if entry.id.is_empty() {
            link.clone().unwrap_or_else(|| title.clone())
        } else {
            entry.id.clone()
        };
        let mut event =
            Event::alert(format!("{name}:{id}"), name, if title.is_empty() { id.clone() } else { title });
        event.description = summary.map(|text| text.chars().take(1000).collect());
        event.link = link;
        event.time = entry.updated.or(entry.published).map(|time| time.to_rfc3339());
        candidates.push(Candidate { item: id, level: 0.0, event, resolved: false });
    }
    Ok(candidates)
}
