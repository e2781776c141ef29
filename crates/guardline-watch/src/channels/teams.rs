//! Microsoft Teams: an incoming webhook or a Workflows ("When a Teams webhook request is received") URL,
//! posted an Adaptive Card.

use guardline_config::watch::Secret;

use super::{Http, SendError, check_response, check_url, read_secret, transport_error};
use crate::event::{Event, Lang};
use crate::message;

/// Posts the card; Teams answers 200 (webhook) or 202 (Workflows).
pub(crate) async fn send(http: Http<'_>, url: &Secret, event: &Event, lang: Lang) -> Result<(), SendError> {
    let url = check_url(&read_secret(url)?)?;
    let response = http
        .client
        .post(url)
        .timeout(http.timeout)
        .json(&message::teams_card(event, lang))
        .send()
        .await
        .map_err(transport_error)?;
    check_response(response).await.map(drop)
}
