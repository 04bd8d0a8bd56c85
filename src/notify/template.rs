//! A tiny template language for email subjects and bodies: literal text with `{{ .Field }}`
//! substitutions, checked when the config is validated.
//!
//! Fields: `.Status`, `.Receiver`, `.GroupKey`, `.Reason`, `.ExternalURL`, `.Title`,
//! `.FiringCount`, `.ResolvedCount`, `.Alerts` (the per-alert list), `.GroupLabels.NAME`,
//! `.CommonLabels.NAME`, `.CommonAnnotations.NAME`. HTML rendering escapes every value.

use super::alert::{Alert, format_elapsed, format_value, rfc3339};
use super::message::Message;
use thiserror::Error;

/// Why a template did not parse.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TemplateError {
    /// `{{` without `}}`.
    #[error("unclosed '{{{{' at byte {0}")]
    Unclosed(usize),
    /// A field that does not exist.
    #[error(
        "unknown field {0:?} (known: .Status .Receiver .GroupKey .Reason .ExternalURL .Title .FiringCount .ResolvedCount .Alerts .GroupLabels.X .CommonLabels.X .CommonAnnotations.X)"
    )]
    UnknownField(String),
}

/// Text or HTML output (HTML escapes values and renders `.Alerts` as a list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Plain text.
    Text,
    /// HTML.
    Html,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Field {
    Status,
    Receiver,
    GroupKey,
    Reason,
    ExternalUrl,
    Title,
    FiringCount,
    ResolvedCount,
    Alerts,
    GroupLabel(String),
    CommonLabel(String),
    CommonAnnotation(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Field(Field),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            parts.push(Part::Literal(rest[..start].to_owned()));
            let after = &rest[start + 2..];
            let end = after
                .find("}}")
                .ok_or(TemplateError::Unclosed(text.len() - rest.len() + start))?;
            parts.push(Part::Field(parse_field(after[..end].trim())?));
            rest = &after[end + 2..];
        }
        parts.push(Part::Literal(rest.to_owned()));
        Ok(Self { parts })
    }

    /// Renders for `message`.
    pub fn render(&self, message: &Message, format: Format) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Field(Field::Alerts) => out.push_str(&alert_list(message, format)),
                Part::Field(field) => out.push_str(&escape(&field_value(field, message), format)),
            }
        }
        out
    }
}

fn parse_field(text: &str) -> Result<Field, TemplateError> {
    let unknown = || TemplateError::UnknownField(text.to_owned());
    let path = text.strip_prefix('.').ok_or_else(unknown)?;
    let field = match path {
        "Status" => Field::Status,
        "Receiver" => Field::Receiver,
        "GroupKey" => Field::GroupKey,
        "Reason" => Field::Reason,
        "ExternalURL" => Field::ExternalUrl,
        "Title" => Field::Title,
        "FiringCount" => Field::FiringCount,
        "ResolvedCount" => Field::ResolvedCount,
        "Alerts" => Field::Alerts,
        _ => match path.split_once('.') {
            Some(("GroupLabels", name)) if !name.is_empty() => Field::GroupLabel(name.to_owned()),
            Some(("CommonLabels", name)) if !name.is_empty() => Field::CommonLabel(name.to_owned()),
            Some(("CommonAnnotations", name)) if !name.is_empty() => {
                Field::CommonAnnotation(name.to_owned())
            }
            _ => return Err(unknown()),
        },
    };
    Ok(field)
}

fn field_value(field: &Field, message: &Message) -> String {
    match field {
        Field::Status => message.status().as_str().to_owned(),
        Field::Receiver => message.receiver.clone(),
        Field::GroupKey => message.group_key.clone(),
        Field::Reason => message.reason.as_str().to_owned(),
        Field::ExternalUrl => message.external_url.clone(),
        Field::Title => message.title(),
        Field::FiringCount => message.firing().count().to_string(),
        Field::ResolvedCount => message.resolved().count().to_string(),
        Field::Alerts => String::new(),
        Field::GroupLabel(name) => message.group_labels.get(name).unwrap_or("").to_owned(),
        Field::CommonLabel(name) => message.common_labels().get(name).unwrap_or("").to_owned(),
        Field::CommonAnnotation(name) => message
            .common_annotations()
            .get(name)
            .cloned()
            .unwrap_or_default(),
    }
}

/// One line about one alert: status, name, labels, value and since/fired-for.
pub fn alert_line(alert: &Alert) -> String {
    let summary = alert
        .annotations
        .get("summary")
        .map(|s| format!(": {s}"))
        .unwrap_or_default();
    match alert.fired_for() {
        Some(fired_for) if !alert.is_firing() => format!(
            "[RESOLVED] {} {} value at resolve {}, fired for {}{summary}",
            alert.name(),
            alert.labels,
            alert.value_text(),
            format_elapsed(fired_for),
        ),
        _ => format!(
            "[FIRING] {} {} value {} since {}{summary}",
            alert.name(),
            alert.labels,
            format_value(alert.value),
            rfc3339(alert.starts_at),
        ),
    }
}

fn alert_list(message: &Message, format: Format) -> String {
    let lines = message.alerts.iter().map(alert_line);
    match format {
        Format::Text => lines.map(|line| format!("- {line}\n")).collect(),
        Format::Html => {
            let items: String = lines
                .map(|line| format!("<li>{}</li>", escape(&line, format)))
                .collect();
            format!("<ul>{items}</ul>")
        }
    }
}

fn escape(text: &str, format: Format) -> String {
    match format {
        Format::Text => text.to_owned(),
        Format::Html => text
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::tests::sample_message;

    #[test]
    fn substitutes_fields() {
        let template = Template::parse(
            "[{{ .Status }}] {{.GroupLabels.alertname}} x{{ .FiringCount }} {{ .CommonLabels.missing }}!",
        );
        let template = template.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            template.render(&sample_message(), Format::Text),
            "[firing] DiskFull x1 !"
        );
    }

    #[test]
    fn alert_list_shows_resolve_value_and_duration() {
        let template = Template::parse("{{ .Alerts }}").unwrap_or_else(|e| panic!("{e}"));
        let text = template.render(&sample_message(), Format::Text);
        assert!(text.contains("[FIRING] DiskFull"), "{text}");
        assert!(
            text.contains("value 97.5 since 1970-01-01T00:16:40.000Z"),
            "{text}"
        );
        assert!(text.contains("value at resolve 12, fired for 5m"), "{text}");
        let html = template.render(&sample_message(), Format::Html);
        assert!(
            html.starts_with("<ul><li>") && html.contains("instance=&quot;a&quot;"),
            "{html}"
        );
    }

    #[test]
    fn rejects_bad_templates() {
        assert_eq!(
            Template::parse("a {{ .Status"),
            Err(TemplateError::Unclosed(2))
        );
        assert_eq!(
            Template::parse("{{ .Nope }}"),
            Err(TemplateError::UnknownField(".Nope".into()))
        );
        assert!(Template::parse("{{ .GroupLabels. }}").is_err());
        assert!(Template::parse("{{ Status }}").is_err());
    }
}
