//! RSS and Atom feeds: the AWS service status feed (`aws-status`) and vulnerability feeds (JVN, NVD, ...),
//! each item filtered by the feed's keywords (any case, title or summary).

use super::Candidate;
use crate::event::Event;

/// The largest feed document read (JVN's and NVD's feeds are well under 1 MiB); a larger body is an error,
/// read no further.
pub const MAX_FEED_BYTES: usize = 8 * 1024 * 1024;

pub(crate) async fn poll(
    http: crate::channels::Http<'_>,
    name: &str,
    url: &str,
    keywords: &[String],
) -> Result<Vec<Candidate>, String> {
    let redact = |error: reqwest::Error| crate::channels::redact(&error.to_string());
    let mut response = http.client.get(url).timeout(http.timeout).send().await.map_err(redact)?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()));
    }
    let too_large = || format!("the feed is larger than {} MiB", MAX_FEED_BYTES / (1024 * 1024));
    if response.content_length().is_some_and(|length| length > MAX_FEED_BYTES as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(redact)? {
        if bytes.len() + chunk.len() > MAX_FEED_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const STATUS: &str = include_str!("../../tests/watch/data/aws-status.rss");
    const JVN: &str = include_str!("../../tests/watch/data/jvn.rdf");

    #[test]
    fn the_fixtures_parse_and_garbage_is_an_error() {
        assert!(!parse("aws-status", STATUS.as_bytes(), &[]).unwrap().is_empty());
        assert!(!parse("jvn", JVN.as_bytes(), &[]).unwrap().is_empty());
        let error = parse("jvn", b"<html>not a feed", &[]).unwrap_err();
        assert!(error.starts_with("not an RSS or Atom feed"), "{error}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            let _ = parse("feed", &bytes, &["openssl".to_owned()]);
        }

        #[test]
        fn mangled_feeds_never_panic(rss in any::<bool>(), cut in 0usize..4000, splice in "[<>/&;\"' a-z!\\[\\]-]{0,12}") {
            let text = if rss { STATUS } else { JVN };
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let mangled = format!("{}{splice}{}", &text[..cut], &text[cut..]);
            let _ = parse("feed", mangled.as_bytes(), &[]);
        }
    }
}
