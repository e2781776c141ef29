//! Mail over SMTP with lettre: STARTTLS (required, the default), implicit TLS (SMTPS, port 465) or plain
//! text; optional authentication, refused without TLS unless the host is a loopback address; several
//! recipients in one message.

use std::time::Duration;

use guardline_config::watch::{EmailChannel, SmtpTls};
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

/// Sends one mail; the SMTP session times out after `timeout`.
pub async fn send(
    config: &EmailChannel,
    event: &Event,
    lang: Lang,
    timeout: Duration,
) -> Result<(), SendError> {
    let mail = build(config, event, lang)?;
    let host = &config.smtp_host;
    if config.username.is_some() && config.tls == SmtpTls::None && !is_loopback(host) {
        return Err(SendError::failed(format!(
            "SMTP {host}: refusing to authenticate without TLS (the password would go in clear text)"
        )));
    }
    let mut transport = match config.tls {
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|error| SendError::failed(format!("SMTP {host}: {error}")))?,
        SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|error| SendError::failed(format!("SMTP {host}: {error}")))?,
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
    }
    .port(config.smtp_port)
    .timeout(Some(timeout));
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

/// `localhost`, 127.0.0.0/8 or `::1`: a relay on this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|address| address.is_loopback())
}
