//! The `email` integration: one SMTP submission (lettre, tokio, rustls) of a
//! multipart/alternative mail whose subject, text and HTML parts come from the receiver's
//! templates (see [`payload_email`](super::payload_email)).
//!
//! TLS mode `none` (plain), `starttls` (required, not opportunistic) or `tls` (implicit TLS,
//! port 465); AUTH only when a username is configured. SMTP 4xx replies are retryable, 5xx and
//! client-side errors (no usable AUTH mechanism) permanent, connection, TLS and timeout errors
//! retryable. The password lives in lettre's `Credentials` and never reaches an error.

use super::config::{EmailConfig, TlsMode};
use super::message::Message;
use super::payload_email::EmailTemplates;
use super::{Notifier, NotifyFuture, Outcome};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// lettre's own per-command timeout (the pipeline's `attempt_timeout` bounds the whole attempt).
pub const SMTP_COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends each notification as one mail to every recipient.
pub struct EmailNotifier {
    receiver: String,
    server: String,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    templates: EmailTemplates,
}

impl EmailNotifier {
    /// Builds the transport, parses addresses and templates; errors name the field.
    pub fn new(receiver: &str, config: &EmailConfig) -> Result<Self, String> {
        let from = parse_mailbox(&config.from).map_err(|e| format!("from: {e}"))?;
        let to = config
            .to
            .iter()
            .enumerate()
            .map(|(i, text)| parse_mailbox(text).map_err(|e| format!("to[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        if to.is_empty() {
            return Err("to: needs at least one recipient".to_owned());
        }
        let templates =
            EmailTemplates::parse(config).map_err(|(field, error)| format!("{field}: {error}"))?;
        Ok(Self {
            receiver: receiver.to_owned(),
            server: format!("{}:{}", config.host, config.port),
            transport: transport(config)?,
            from,
            to,
            templates,
        })
    }

    fn mail(&self, message: &Message) -> Result<lettre::Message, String> {
        let body = self.templates.render(message);
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .subject(body.subject);
        for recipient in &self.to {
            builder = builder.to(recipient.clone());
        }
        builder
            .multipart(MultiPart::alternative_plain_html(body.text, body.html))
            .map_err(|e| format!("cannot build the mail: {e}"))
    }
}

fn parse_mailbox(text: &str) -> Result<Mailbox, String> {
    text.parse::<Mailbox>()
        .map_err(|e| format!("invalid address {text:?}: {e}"))
}

/// The SMTP transport for `config` (connects lazily, on each send).
fn transport(config: &EmailConfig) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    if config.host.is_empty() {
        return Err("host: must not be empty".to_owned());
    }
    let tls_parameters = || tls_parameters(config);
    let tls = match config.tls {
        TlsMode::None => Tls::None,
        TlsMode::Starttls => Tls::Required(tls_parameters()?),
        TlsMode::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
        .port(config.port)
        .tls(tls)
        .timeout(Some(SMTP_COMMAND_TIMEOUT));
    if !config.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            config.username.clone(),
            config.password.expose().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// The TLS parameters for `config.host`: the system roots plus `ca_file`'s certificates.
fn tls_parameters(config: &EmailConfig) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(config.host.clone());
    if !config.ca_file.is_empty() {
        let pem = std::fs::read(&config.ca_file)
            .map_err(|e| format!("ca_file: cannot read {}: {e}", config.ca_file))?;
        let certificate = Certificate::from_pem(&pem)
            .map_err(|e| format!("ca_file: {}: not a PEM certificate: {e}", config.ca_file))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder.build().map_err(|e| format!("tls: {e}"))
}

/// Maps a lettre SMTP error to an outcome (4xx retry, 5xx and client errors permanent).
pub fn classify_smtp_error(server: &str, error: &SmtpError) -> Outcome {
    let mut reason = format!("smtp {server}: {error}");
    if reason.contains("STARTTLS") || reason.contains("authentication mechanism") {
        reason.push_str(" (if the server requires STARTTLS, set tls: starttls)");
    }
    if error.is_permanent() || error.is_client() {
        Outcome::Permanent(reason)
    } else {
        Outcome::retryable(reason)
    }
}

impl Notifier for EmailNotifier {
    fn name(&self) -> &str {
        &self.receiver
    }

    fn integration(&self) -> &'static str {
        "email"
    }

    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a> {
        Box::pin(async move {
            let mail = match self.mail(message) {
                Ok(mail) => mail,
                Err(reason) => return Outcome::Permanent(reason),
            };
            match self.transport.send(mail).await {
                Ok(_) => Outcome::Delivered,
                Err(error) => classify_smtp_error(&self.server, &error),
            }
        })
    }
}
