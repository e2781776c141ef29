//! Slack: an incoming webhook (POST of `text` + `blocks`), or a bot token with `chat.postMessage`.

use guardline_config::watch::Secret;

use super::{Http, SendError, check_response, check_url, read_secret, transport_error};
use crate::event::{Event, Lang};
use crate::message;

/// Posts to an incoming webhook; Slack answers `ok` with 200.
pub(crate) async fn send_webhook(
    http: Http<'_>,
    url: &Secret,
    event: &Event,
    lang: Lang,
) -> Result<(), SendError> {
    let url = check_url(&read_secret(url)?)?;
    let response = http
        .client
        .post(url)
        .timeout(http.timeout)
        .json(&message::slack_webhook_body(event, lang))
        .send()
        .await
        .map_err(transport_error)?;
    check_response(response).await.map(drop)
}

/// Calls `chat.postMessage`; Slack answers 200 with `{"ok": false, "error": ...}` on failure.
pub(crate) async fn send_bot(
    http: Http<'_>,
    token: &Secret,
    channel: &str,
    api_url: &str,
    event: &Event,
    lang: Lang,
) -> Result<(), SendError> {
    let token = read_secret(token)?;
    let url = check_url(&format!("{}/chat.postMessage", api_url.trim_end_matches('/')))?;
    let response = http
        .client
        .post(url)
        .timeout(http.timeout)
        .bearer_auth(token)
        .json(&message::slack_post_message_body(event, lang, channel))
        .send()
        .await
        .map_err(transport_error)?;
    let body = check_response(response).await?;
    let answer: serde_json::Value = serde_json::from_str(&body)
        .map_err(|_| SendError::failed("chat.postMessage answered something other than JSON"))?;
    if answer["ok"].as_bool() == Some(true) {
        Ok(())
    } else if answer["error"].as_str() == Some("ratelimited") {
        Err(SendError::RateLimited { retry_after: None, message: "chat.postMessage: ratelimited".to_owned() })
    } else {
        Err(SendError::failed(format!("chat.postMessage: {}", answer["error"].as_str().unwrap_or("not ok"))))
    }
}
