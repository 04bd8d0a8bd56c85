//! The command line: `watchpost run|check|metrics|version`.
//!
//! Flags follow Prometheus's dotted style (`--config.file`, `--web.listen-address`). Exit codes:
//! 0 success, 1 runtime failure, 2 invalid input (config errors are printed as FILE:LINE:COL).

use crate::config::{Config, LogFormat};
use crate::metrics::Registry;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// watchpost: a Prometheus-compatible exporter with its own alert rules.
#[derive(Debug, Parser)]
#[command(name = "watchpost", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the exporter (embedded default config when no file is given).
    Run(RunArgs),
    /// Validate files without running.
    #[command(subcommand)]
    Check(CheckCommand),
    /// Run unit tests.
    #[command(subcommand)]
    Test(TestCommand),
    /// Collect once and print the metrics.
    Metrics(MetricsArgs),
    /// Delete history, logs and finished notifications older than N days.
    Cleanup(crate::cli_cleanup::CleanupArgs),
    /// Generate files from the config and rules (Grafana dashboards, Prometheus rules).
    #[command(subcommand)]
    Gen(crate::cli_gen::GenCommand),
    /// Print the version.
    Version,
    /// Alerts of a running watchpost: list, test notification, acknowledge.
    Alerts(crate::cli_alerts::AlertsArgs),
    /// Silences of a running watchpost: add, list, expire.
    Silence(crate::cli_alerts::SilenceArgs),
}

/// `watchpost run` options.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Configuration file (default: $WATCHPOST_CONFIG, else the embedded default).
    #[arg(long = "config.file", env = "WATCHPOST_CONFIG")]
    pub config_file: Option<PathBuf>,
    /// Address to listen on, overriding `server.listen_address`.
    #[arg(long = "web.listen-address")]
    pub listen_address: Option<String>,
    /// Log format, overriding `logging.format`.
    #[arg(long = "log.format", value_enum)]
    pub log_format: Option<LogFormat>,
    /// Log level or filter, overriding `logging.level`.
    #[arg(long = "log.level")]
    pub log_level: Option<String>,
    /// exporter-toolkit web config: TLS, basic auth users, response headers (read at start).
    #[arg(long = "web.config.file")]
    pub web_config_file: Option<PathBuf>,
}

/// `watchpost check ...`.
#[derive(Debug, Subcommand)]
pub enum CheckCommand {
    /// Validate a configuration file (and the rule files it names).
    Config {
        /// The file to check.
        file: PathBuf,
    },
    /// Validate rule files.
    Rules {
        /// The files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// `watchpost test ...`.
#[derive(Debug, Subcommand)]
pub enum TestCommand {
    /// Run rule unit tests (promtool's `test rules` format).
    Rules {
        /// The test files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// Output format of `watchpost metrics`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// The Prometheus text format.
    #[default]
    Text,
    /// JSON: a list of families with their samples.
    Json,
}

/// `watchpost metrics` options.
#[derive(Debug, clap::Args)]
pub struct MetricsArgs {
    /// Configuration file (default: $WATCHPOST_CONFIG, else the embedded default).
    #[arg(long = "config.file", env = "WATCHPOST_CONFIG")]
    pub config_file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// Parses the command line and runs it.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run(args) => run(args),
        Command::Check(CheckCommand::Config { file }) => check_config(&file),
        Command::Check(CheckCommand::Rules { files }) => check_rules(&files),
        Command::Test(TestCommand::Rules { files }) => test_rules(&files),
        Command::Metrics(args) => metrics(args),
        Command::Alerts(args) => crate::cli_alerts::alerts(args),
        Command::Silence(args) => crate::cli_alerts::silence(args),
        Command::Cleanup(args) => crate::cli_cleanup::cleanup(args),
        Command::Gen(command) => crate::cli_gen::run(command),
        Command::Version => {
            println!(
                "watchpost {} (revision {})",
                crate::VERSION,
                crate::REVISION
            );
            ExitCode::SUCCESS
        }
    }
}

/// Loads the config file, or the embedded default; prints diagnostics and gives exit code 2.
fn load_config(file: Option<&PathBuf>) -> Result<Config, ExitCode> {
    match file {
        None => Ok(Config::default()),
        Some(path) => Config::load_file(path).map_err(|diagnostics| {
            eprintln!("{diagnostics}");
            ExitCode::from(2)
        }),
    }
}

fn run(args: RunArgs) -> ExitCode {
    crate::app::allocator::tune();
    let web = match &args.web_config_file {
        None => crate::web::WebConfig::default(),
        Some(path) => match crate::web::WebConfig::load_file(path) {
            Ok(web) => web,
            Err(diagnostics) => {
                eprintln!("{diagnostics}");
                return ExitCode::from(2);
            }
        },
    };
    let options = crate::app::RunOptions {
        source: match &args.config_file {
            Some(path) => crate::app::ConfigSource::File(path.clone()),
            None => crate::app::ConfigSource::Embedded,
        },
        web,
    };
    let (mut config, groups) = match crate::app::load_everything(&options.source) {
        Ok(loaded) => loaded,
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            return ExitCode::from(2);
        }
    };
    if let Some(address) = &args.listen_address {
        config.server.listen_address = address.clone();
    }
    let format = args.log_format.unwrap_or(config.logging.format);
    let level = args.log_level.as_deref().unwrap_or(&config.logging.level);
    if let Err(message) = crate::logging::init(format, level) {
        eprintln!("{message}");
        return ExitCode::from(2);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::app::run(config, groups, options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "watchpost failed");
            ExitCode::FAILURE
        }
    }
}

fn check_config(file: &Path) -> ExitCode {
    let source = crate::app::ConfigSource::File(file.to_owned());
    match crate::app::load_everything(&source) {
        Ok((_, groups)) => {
            let rules: usize = groups.iter().map(|g| g.rules.len()).sum();
            println!(
                "{}: ok ({} rule groups, {rules} rules)",
                file.display(),
                groups.len()
            );
            ExitCode::SUCCESS
        }
        Err(errors) => {
            for error in errors {
                eprintln!("{error}");
            }
            ExitCode::from(2)
        }
    }
}

fn check_rules(files: &[PathBuf]) -> ExitCode {
    match crate::rules::load_rule_files(files) {
        Ok(groups) => {
            let rules: usize = groups.iter().map(|g| g.rules.len()).sum();
            println!("ok: {} rule groups, {rules} rules", groups.len());
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            for diagnostic in diagnostics {
                eprintln!("{diagnostic}");
            }
            ExitCode::from(2)
        }
    }
}

fn test_rules(files: &[PathBuf]) -> ExitCode {
    let report = crate::rules::run_test_files(files);
    print!("{report}");
    if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn metrics(args: MetricsArgs) -> ExitCode {
    let config = match load_config(args.config_file.as_ref()) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let tasks = match crate::app::collector_tasks(&config) {
        Ok(tasks) => tasks,
        Err(error) => {
            eprintln!("{error:#}");
            return ExitCode::from(2);
        }
    };
    let self_metrics = match crate::app::self_metrics() {
        Ok(m) => m,
        Err(error) => {
            eprintln!("{error:#}");
            return ExitCode::FAILURE;
        }
    };
    let registry = Registry::new();
    crate::collect::collect_once(tasks, &registry, &self_metrics);
    match args.output {
        OutputFormat::Text => {
            let mut out = String::new();
            registry.encode_into(&mut out);
            self_metrics.encode_into(&mut out);
            print!("{out}");
        }
        OutputFormat::Json => {
            let families: Vec<_> = registry
                .snapshots()
                .iter()
                .flat_map(|s| s.families.clone())
                .collect();
            match serde_json::to_string_pretty(&families) {
                Ok(json) => println!("{json}"),
                Err(error) => {
                    eprintln!("cannot encode JSON: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
    }
    ExitCode::SUCCESS
}
