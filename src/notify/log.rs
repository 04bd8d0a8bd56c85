//! The `log` integration: one structured `tracing` line per notification (the embedded default
//! receiver). It prints names, labels and values only — receivers' secrets never reach it.

use super::message::Message;
use super::{Notifier, NotifyFuture, Outcome};

/// Logs each notification at INFO under target `watchpost::notify`.
#[derive(Clone, Debug)]
pub struct LogNotifier {
    receiver: String,
}

impl LogNotifier {
    /// A log notifier for receiver `receiver`.
    pub fn new(receiver: &str) -> Self {
        Self {
            receiver: receiver.to_owned(),
        }
    }
}

/// The alert list of a log line: `alertname{labels}=value` separated by `; `.
pub fn describe_alerts(message: &Message) -> String {
    let parts: Vec<String> = message
        .alerts
        .iter()
        .map(|alert| {
            let value = alert.value_text();
            format!(
                "{} {}{}={value}",
                alert.status.as_str(),
                alert.name(),
                alert.labels
            )
        })
        .collect();
    parts.join("; ")
}

impl Notifier for LogNotifier {
    fn name(&self) -> &str {
        &self.receiver
    }

    fn integration(&self) -> &'static str {
        "log"
    }

    fn notify<'a>(&'a self, message: &'a Message) -> NotifyFuture<'a> {
        Box::pin(async move {
            tracing::info!(
                target: "watchpost::notify",
                receiver = %self.receiver,
                notification_id = %message.id,
                group_key = %message.group_key,
                status = message.status().as_str(),
                reason = message.reason.as_str(),
                firing = message.firing().count(),
                resolved = message.resolved().count(),
                alerts = %describe_alerts(message),
                "{}",
                message.title()
            );
            Outcome::Delivered
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::sample_message;

    #[test]
    fn describes_alerts_with_resolve_value() {
        let text = describe_alerts(&sample_message());
        assert!(
            text.starts_with(
                r#"firing DiskFull{alertname="DiskFull", instance="a", severity="critical"}=97.5; "#
            ),
            "{text}"
        );
        assert!(text.ends_with("=12"), "{text}");
    }

    #[test]
    fn log_notifier_delivers() {
        let runtime = tokio::runtime::Builder::new_current_thread().build();
        let runtime = runtime.unwrap_or_else(|e| panic!("{e}"));
        let notifier = LogNotifier::new("ops");
        assert_eq!(
            runtime.block_on(notifier.notify(&sample_message())),
            Outcome::Delivered
        );
    }
}
