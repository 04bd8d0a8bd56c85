//! `watchpost gen dashboards` and `watchpost gen prometheus-rules`: files generated from the
//! config and its loaded rules (the bundled ones plus `rules.files`).

use crate::app::{ConfigSource, load_everything};
use crate::config::Config;
use crate::rules::RuleGroup;
use std::path::PathBuf;
use std::process::ExitCode;

/// `watchpost gen ...`.
#[derive(Debug, clap::Subcommand)]
pub enum GenCommand {
    /// Write the Grafana dashboards (Host, Application, Business, Alerts, Logs) as JSON files.
    Dashboards {
        /// Configuration file (default: $WATCHPOST_CONFIG, else the embedded default).
        #[arg(long = "config.file", env = "WATCHPOST_CONFIG")]
        config_file: Option<PathBuf>,
        /// The folder to write into.
        #[arg(long, default_value = "dashboards")]
        out: PathBuf,
    },
    /// Translate the rules into a Prometheus alerting rule file (stdout without --out).
    PrometheusRules {
        /// Configuration file (default: $WATCHPOST_CONFIG, else the embedded default).
        #[arg(long = "config.file", env = "WATCHPOST_CONFIG")]
        config_file: Option<PathBuf>,
        /// The file to write.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a `gen` subcommand.
pub fn run(command: GenCommand) -> ExitCode {
    match command {
        GenCommand::Dashboards { config_file, out } => {
            let Some((config, groups)) = load(config_file) else {
                return ExitCode::from(2);
            };
            let dashboards = crate::dashboards::generate(&config.push, &groups);
            match crate::dashboards::write_all(&out, &dashboards) {
                Ok(paths) => {
                    for path in paths {
                        println!("wrote {}", path.display());
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("cannot write dashboards into {}: {error}", out.display());
                    ExitCode::FAILURE
                }
            }
        }
        GenCommand::PrometheusRules { config_file, out } => {
            let Some((_, groups)) = load(config_file) else {
                return ExitCode::from(2);
            };
            let generated = crate::rules::prometheus_rules::prometheus_rules(&groups);
            for warning in &generated.warnings {
                eprintln!("warning: {warning}");
            }
            match out {
                None => {
                    print!("{}", generated.text);
                    ExitCode::SUCCESS
                }
                Some(path) => match std::fs::write(&path, &generated.text) {
                    Ok(()) => {
                        println!("wrote {}", path.display());
                        ExitCode::SUCCESS
                    }
                    Err(error) => {
                        eprintln!("cannot write {}: {error}", path.display());
                        ExitCode::FAILURE
                    }
                },
            }
        }
    }
}

/// The config and its rules, or `None` after printing every diagnostic.
fn load(config_file: Option<PathBuf>) -> Option<(Config, Vec<RuleGroup>)> {
    let source = match config_file {
        Some(path) => ConfigSource::File(path),
        None => ConfigSource::Embedded,
    };
    match load_everything(&source) {
        Ok(loaded) => Some(loaded),
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            None
        }
    }
}
