//! `watchpost alerts list|test|ack` and `watchpost silence add|list|expire`: clients of a
//! running watchpost's HTTP API (`--web.url`, default `http://127.0.0.1:39101`; a bearer token
//! from `WATCHPOST_API_TOKEN` when set). Exit codes: 0 success, 1 the API refused or could not
//! be reached (its message is printed), 2 bad arguments.

use clap::{Subcommand, ValueEnum};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::SystemTime;

/// Where the running watchpost listens.
#[derive(Debug, clap::Args)]
pub struct ApiArgs {
    /// The running watchpost's URL.
    #[arg(
        long = "web.url",
        default_value = "http://127.0.0.1:39101",
        global = true
    )]
    pub url: String,
}

/// How lists are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ListOutput {
    /// An aligned table.
    #[default]
    Table,
    /// The API's JSON.
    Json,
}

/// `watchpost alerts ...`.
#[derive(Debug, clap::Args)]
pub struct AlertsArgs {
    /// The API to talk to.
    #[command(flatten)]
    pub api: ApiArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: AlertsCommand,
}

/// The `alerts` subcommands.
#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// List the pending and firing alerts.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListOutput::Table)]
        output: ListOutput,
    },
    /// Send a test notification through the real pipeline.
    Test {
        /// The receiver (default: wherever the routing tree sends it).
        #[arg(long)]
        receiver: Option<String>,
    },
    /// Acknowledge an alert: its repeats stop until it resolves.
    Ack {
        /// The alert_id shown by `alerts list`.
        id: String,
        /// Who acknowledges (default: $USER).
        #[arg(long)]
        by: Option<String>,
        /// Notes.
        #[arg(long, default_value = "")]
        notes: String,
    },
}

/// `watchpost silence ...`.
#[derive(Debug, clap::Args)]
pub struct SilenceArgs {
    /// The API to talk to.
    #[command(flatten)]
    pub api: ApiArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: SilenceCommand,
}

/// The `silence` subcommands.
#[derive(Debug, Subcommand)]
pub enum SilenceCommand {
    /// Add a silence.
    Add {
        /// A label matcher (`a=b`, `a!=b`, `a=~re`, `a!~re`); repeat for several.
        #[arg(long = "matcher", required = true)]
        matchers: Vec<String>,
        /// How long it lasts from now.
        #[arg(long, default_value = "2h")]
        duration: String,
        /// Why.
        #[arg(long, default_value = "")]
        comment: String,
        /// Who (default: $USER).
        #[arg(long = "created-by")]
        created_by: Option<String>,
    },
    /// List the silences.
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListOutput::Table)]
        output: ListOutput,
    },
    /// Expire (delete) a silence.
    Expire {
        /// The silence id.
        id: String,
    },
}

/// Why a command failed: bad arguments (exit 2) or the API (exit 1).
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Api(String),
}

fn user() -> String {
    std::env::var("USER").unwrap_or_else(|_| "watchpost-cli".to_owned())
}

/// Runs `watchpost alerts ...`.
pub fn alerts(args: AlertsArgs) -> ExitCode {
    let api = Api::new(&args.api.url);
    finish(match args.command {
        AlertsCommand::List { output } => api.get("/api/v1/alerts").map(|body| match output {
            ListOutput::Json => body.to_string(),
            ListOutput::Table => alerts_table(&body),
        }),
        AlertsCommand::Test { receiver } => api
            .send(
                "POST",
                "/api/v1/alerts/test",
                Some(json!({"receiver": receiver})),
            )
            .map(|body| {
                let sent = body["data"].as_array().cloned().unwrap_or_default();
                let lines: Vec<String> = sent
                    .iter()
                    .map(|s| {
                        format!(
                            "test notification queued for {} ({})",
                            text(&s["receiver"]),
                            text(&s["id"])
                        )
                    })
                    .collect();
                lines.join("\n")
            }),
        AlertsCommand::Ack { id, by, notes } => {
            let who = by.unwrap_or_else(user);
            let body = json!({"acknowledged_by": who, "notes": notes});
            api.send(
                "POST",
                &format!("/api/v1/alerts/{id}/acknowledge"),
                Some(body),
            )
            .map(|_| format!("acknowledged {id} as {who}"))
        }
    })
}

/// Runs `watchpost silence ...`.
pub fn silence(args: SilenceArgs) -> ExitCode {
    let api = Api::new(&args.api.url);
    finish(match args.command {
        SilenceCommand::Add {
            matchers,
            duration,
            comment,
            created_by,
        } => add_silence(
            &api,
            matchers,
            &duration,
            comment,
            created_by.unwrap_or_else(user),
        ),
        SilenceCommand::List { output } => api.get("/api/v1/silences").map(|body| match output {
            ListOutput::Json => body.to_string(),
            ListOutput::Table => silences_table(&body),
        }),
        SilenceCommand::Expire { id } => api
            .send("DELETE", &format!("/api/v1/silences/{id}"), None)
            .map(|_| format!("expired silence {id}")),
    })
}

fn add_silence(
    api: &Api,
    matchers: Vec<String>,
    duration: &str,
    comment: String,
    created_by: String,
) -> Result<String, CliError> {
    let length = crate::model::duration::parse_duration(duration)
        .map_err(|e| CliError::Usage(format!("--duration: {e}")))?;
    let ends_at = SystemTime::now()
        .checked_add(length)
        .ok_or_else(|| CliError::Usage("--duration is too long".to_owned()))?;
    let body = json!({
        "matchers": matchers,
        "ends_at": humantime::format_rfc3339_seconds(ends_at).to_string(),
        "created_by": created_by,
        "comment": comment,
    });
    let reply = api.send("POST", "/api/v1/silences", Some(body))?;
    Ok(format!(
        "silence {} added, ends {}",
        text(&reply["data"]["id"]),
        text(&reply["data"]["ends_at"])
    ))
}

fn finish(result: Result<String, CliError>) -> ExitCode {
    match result {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(CliError::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(CliError::Api(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A string field as text (`-` when missing; numbers as written).
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// Rows under a header, columns padded to their widest cell.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(header.iter().map(|h| (*h).to_owned()).collect())];
    lines.extend(rows.into_iter().map(line));
    lines.join("\n")
}

fn alerts_table(body: &Value) -> String {
    let alerts = body["alerts"].as_array().cloned().unwrap_or_default();
    let rows = alerts
        .iter()
        .map(|a| {
            let labels = a["labels"].as_object().map(|m| {
                let pairs: Vec<String> = m
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
                    .map(|(k, v)| format!("{k}={}", text(v)))
                    .collect();
                pairs.join(",")
            });
            [
                "alert_id",
                "name",
                "state",
                "severity",
                "current_value",
                "active_since",
            ]
            .iter()
            .map(|key| text(&a[*key]))
            .chain([labels.unwrap_or_default()])
            .collect()
        })
        .collect();
    table(
        &[
            "ID", "NAME", "STATE", "SEVERITY", "VALUE", "SINCE", "LABELS",
        ],
        rows,
    )
}

fn silences_table(body: &Value) -> String {
    let silences = body["data"].as_array().cloned().unwrap_or_default();
    let rows = silences
        .iter()
        .map(|s| {
            let matchers: Vec<String> = s["matchers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(text)
                .collect();
            ["id", "status", "ends_at", "created_by", "comment"]
                .iter()
                .map(|key| text(&s[*key]))
                .chain([matchers.join(",")])
                .collect()
        })
        .collect();
    table(
        &["ID", "STATUS", "ENDS", "CREATED_BY", "COMMENT", "MATCHERS"],
        rows,
    )
}

/// A small blocking client of the API (one current-thread runtime per command).
struct Api {
    base: String,
    token: Option<String>,
}

impl Api {
    fn new(url: &str) -> Self {
        Self {
            base: url.trim_end_matches('/').to_owned(),
            token: std::env::var("WATCHPOST_API_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
        }
    }

    fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send("GET", path, None)
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, CliError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::Api(format!("cannot start the async runtime: {e}")))?;
        runtime.block_on(self.request(method, path, body))
    }

    async fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let url = format!("{}{path}", self.base);
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| CliError::Usage(format!("bad method: {e}")))?;
        let local = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .any(|host| self.base.contains(host));
        let mut builder = reqwest::Client::builder();
        if local {
            builder = builder.no_proxy();
        }
        let client = builder
            .build()
            .map_err(|e| CliError::Api(format!("building the HTTP client: {e}")))?;
        let mut request = client
            .request(method, &url)
            .timeout(std::time::Duration::from_secs(30));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| CliError::Api(format!("cannot reach watchpost at {}: {e}", self.base)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| CliError::Api(format!("reading the reply from {url}: {e}")))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(value);
        }
        let message = value["error"]["message"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&bytes).trim().to_owned());
        let field = value["error"]["field"]
            .as_str()
            .map(|f| format!(" ({f})"))
            .unwrap_or_default();
        Err(CliError::Api(format!("{status}: {message}{field}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_and_show_missing_values() {
        let body = json!({"alerts": [
            {"alert_id": "00000000000000ff", "name": "Hot", "state": "firing", "severity": "critical",
             "current_value": 95.5, "active_since": "t", "labels": {"alertname": "Hot", "host": "a"}},
            {"alert_id": "1", "name": "LongerName", "state": "pending", "severity": "none",
             "current_value": null, "active_since": "t", "labels": {}}
        ]});
        let out = alerts_table(&body);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("ID                NAME        STATE"),
            "{out}"
        );
        assert!(
            lines[1].contains("95.5") && lines[1].ends_with("host=a"),
            "{out}"
        );
        assert!(lines[2].contains("pending  none      -"), "{out}");
        let silences = silences_table(
            &json!({"data": [{"id": "s1", "status": "active", "matchers": ["a=b", "c!=d"]}]}),
        );
        assert!(
            silences.lines().nth(1).unwrap().ends_with("a=b,c!=d"),
            "{silences}"
        );
    }
}
