//! The email a receiver gets: subject, plain-text and HTML bodies rendered from the receiver's
//! templates (see `template`), with defaults that show every alert, its value and duration.

use super::config::EmailConfig;
use super::message::Message;
use super::template::{Format, Template, TemplateError};

/// Default subject: `[FIRING:2] DiskFull`.
pub const DEFAULT_SUBJECT: &str = "{{ .Title }}";
/// Default plain-text body.
pub const DEFAULT_TEXT: &str =
    "{{ .Title }} ({{ .Reason }})\n\n{{ .Alerts }}\n-- \nwatchpost {{ .ExternalURL }}\n";
/// Default HTML body.
pub const DEFAULT_HTML: &str = "<h2>{{ .Title }}</h2><p>{{ .Reason }}</p>{{ .Alerts }}<p><a href=\"{{ .ExternalURL }}\">watchpost</a></p>";

/// A rendered email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailBody {
    /// Subject line (one line).
    pub subject: String,
    /// text/plain part.
    pub text: String,
    /// text/html part.
    pub html: String,
}

/// The three parsed templates of an email receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailTemplates {
    subject: Template,
    text: Template,
    html: Template,
}

impl EmailTemplates {
    /// Parses the templates of `config`; the error names the field.
    pub fn parse(config: &EmailConfig) -> Result<Self, (&'static str, TemplateError)> {
        Ok(Self {
            subject: Template::parse(&config.subject).map_err(|e| ("subject", e))?,
            text: Template::parse(&config.text).map_err(|e| ("text", e))?,
            html: Template::parse(&config.html).map_err(|e| ("html", e))?,
        })
    }

    /// Renders the email for `message`; the subject is folded onto one line.
    pub fn render(&self, message: &Message) -> EmailBody {
        let subject = self.subject.render(message, Format::Text);
        EmailBody {
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: self.text.render(message, Format::Text),
            html: self.html.render(message, Format::Html),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::sample_message;

    #[test]
    fn default_templates_render() {
        let templates = EmailTemplates::parse(&EmailConfig::default());
        let body = templates.map(|t| t.render(&sample_message()));
        let body = body.unwrap_or_else(|(field, e)| panic!("{field}: {e}"));
        assert_eq!(body.subject, "[FIRING:1] DiskFull");
        assert!(
            body.text
                .starts_with("[FIRING:1] DiskFull (alerts_resolved)\n\n- [FIRING]"),
            "{}",
            body.text
        );
        assert!(body.text.contains("fired for 5m"));
        assert!(
            body.html.contains("<a href=\"http://watchpost:39101\">"),
            "{}",
            body.html
        );
    }

    #[test]
    fn bad_template_names_its_field() {
        let config = EmailConfig {
            html: "{{ .Oops }}".to_owned(),
            ..EmailConfig::default()
        };
        assert!(matches!(EmailTemplates::parse(&config), Err(("html", _))));
    }
}
