//! Mail over SMTP with lettre: STARTTLS (required unless `starttls = false`), optional authentication,
//! several recipients in one message.

use std::time::Duration;

use guardline_config::watch::EmailChannel;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{SendError, read_secret};
use crate::event::{Event, Lang};
use crate::message;

/// Builds the mail (the message's own text) for `event`.
pub fn build(config: &EmailChannel, event: &Event, lang: Lang) -> Result<Message, SendError> {
    let (subject, body) = message::mail(event, lang);
    let from: Mailbox =
        config.from.parse().map_err(|error| SendError::failed(format!("`from` {}: {error}", config.from)))?;
    let mut builder = Message::builder().from(from).subject(subject);
    for to in &config.to {
        let to: Mailbox = to.parse().map_err(|error| SendError::failed(format!("`to` {to}: {error}")))?;
        builder = builder.to(to);
    }
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|error| SendError::failed(format!("building the mail: {error}")))
}

/// Sends one mail.
pub async fn send(config: &EmailChannel, event: &Event, lang: Lang) -> Result<(), SendError> {
    let mail = build(config, event, lang)?;
    let mut transport = if config.starttls {
        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.smtp_host)
            .map_err(|error| SendError::failed(format!("SMTP {}: {error}", config.smtp_host)))?
    } else {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.smtp_host)
    }
    .port(config.smtp_port)
    .timeout(Some(Duration::from_secs(30)));
    if let Some(username) = &config.username {
        let password = match &config.password {
            Some(secret) => read_secret(secret)?,
            None => String::new(),
        };
        transport = transport.credentials(Credentials::new(username.clone(), password));
    }
    let response = transport.build().send(mail).await.map_err(|error| {
        SendError::failed(format!("SMTP {}:{}: {error}", config.smtp_host, config.smtp_port))
    })?;
    if response.is_positive() {
        Ok(())
    } else {
        Err(SendError::failed(format!("SMTP answered {}", response.code())))
    }
}
