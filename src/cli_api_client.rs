//! The HTTP side of the `alerts` and `silence` commands: a small blocking client of a running
//! watchpost's API, and how its errors become exit codes (0 success, 1 the API refused or could
//! not be reached, 2 bad arguments).

use serde_json::Value;
use std::process::ExitCode;

/// Why a command failed: bad arguments (exit 2) or the API (exit 1).
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Api(String),
}

/// Prints the command's output or its error, and gives the exit code.
pub(crate) fn finish(result: Result<String, CliError>) -> ExitCode {
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

/// A small blocking client of the API (one current-thread runtime per command).
pub(crate) struct Api {
    base: String,
    token: Option<String>,
}

impl Api {
    /// A client of the API at `url` (bearer token from `WATCHPOST_API_TOKEN`).
    pub(crate) fn new(url: &str) -> Self {
        Self {
            base: url.trim_end_matches('/').to_owned(),
            token: std::env::var("WATCHPOST_API_TOKEN")
                .ok()
                .filter(|t| !t.is_empty()),
        }
    }

    /// `GET path`, the reply's JSON.
    pub(crate) fn get(&self, path: &str) -> Result<Value, CliError> {
        self.send("GET", path, None)
    }

    /// `method path` with an optional JSON body, the reply's JSON.
    pub(crate) fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
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
