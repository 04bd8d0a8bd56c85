//! `watchpost alerts list|test|ack` and `watchpost silence add|list|expire`: clients of a
//! running watchpost's HTTP API (`--web.url`, default `http://127.0.0.1:39101`; a bearer token
//! from `WATCHPOST_API_TOKEN` when set). Exit codes: 0 success, 1 the API refused or could not
//! be reached (its message is printed), 2 bad arguments.

use crate::cli_api_client::{Api, CliError, finish};
use crate::cli_tables::{alerts_table, silences_table, text};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
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
