//! The listener's web config (`--web.config.file`, exporter-toolkit's format): TLS via rustls,
//! basic auth users (bcrypt), extra response headers. Loaded and checked once at start — a
//! reload does not re-read it — and every problem is reported as `FILE:LINE:COL: message`.

pub mod file;
pub mod tls;

pub use file::WebConfigFile;
pub use tls::TlsListener;

use crate::api::auth::BasicUsers;
use crate::config::source::SourceMap;
use crate::config::{Diagnostic, Diagnostics, load_yaml};
use axum::http::{HeaderName, HeaderValue};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::ServerConfig;

/// The checked web config, ready to serve with; the default is plain HTTP without basic auth.
#[derive(Clone, Debug, Default)]
pub struct WebConfig {
    /// TLS for the listener, when configured.
    pub tls: Option<Arc<ServerConfig>>,
    users: HashMap<String, String>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl WebConfig {
    /// Reads and checks `path`; relative certificate paths resolve against its directory.
    pub fn load_file(path: &Path) -> Result<Self, Diagnostics> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            Diagnostics(vec![Diagnostic {
                file: name.clone(),
                line: 1,
                column: 1,
                message: format!("cannot read file: {error}"),
            }])
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Self::load_str(&name, &text, base)
    }

    /// Checks `text` (named `file` in diagnostics), resolving files against `base`.
    pub fn load_str(file: &str, text: &str, base: &Path) -> Result<Self, Diagnostics> {
        let loaded = load_yaml::<WebConfigFile>(file, text, &crate::config::process_env)
            .map_err(Diagnostics)?;
        let (parsed, map) = (loaded.value, loaded.map);
        let mut problems = Vec::new();
        let at = |path: &str, message: String| {
            Diagnostic::new(file, map.locate(path), format!("{path}: {message}"))
        };
        let tls = match &parsed.tls_server_config {
            None => None,
            Some(config) => match tls::server_config(config, base) {
                Ok(server) => Some(Arc::new(server)),
                Err((key, message)) => {
                    problems.push(at(&format!("tls_server_config.{key}"), message));
                    None
                }
            },
        };
        for (user, hash) in &parsed.basic_auth_users {
            if !(hash.starts_with("$2") && hash.len() == 60) {
                let message = "is not a bcrypt hash (htpasswd -nBC 10 \"\" | tr -d ':\\n')";
                problems.push(at(&format!("basic_auth_users.{user}"), message.to_owned()));
            }
        }
        let headers = parse_headers(&parsed, &map, file, &mut problems);
        if !problems.is_empty() {
            return Err(Diagnostics(problems));
        }
        Ok(Self {
            tls,
            users: parsed.basic_auth_users.into_iter().collect(),
            headers,
        })
    }

    /// The basic auth users (empty: basic auth off).
    pub fn basic_users(&self) -> BasicUsers {
        BasicUsers::new(self.users.clone())
    }

    /// The headers added to every response.
    pub fn headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        self.headers.clone()
    }
}

fn parse_headers(
    parsed: &WebConfigFile,
    map: &SourceMap,
    file: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = Vec::new();
    for (name, value) in &parsed.http_server_config.headers {
        let path = format!("http_server_config.headers.{name}");
        match (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            (Ok(name), Ok(value)) => headers.push((name, value)),
            _ => problems.push(Diagnostic::new(
                file,
                map.locate(&path),
                format!("{path}: not a valid HTTP header name and value"),
            )),
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<WebConfig, Diagnostics> {
        WebConfig::load_str("web.yml", text, Path::new("/nonexistent"))
    }

    #[test]
    fn empty_file_is_plain_http_without_users() {
        let config = load("").unwrap();
        assert!(config.tls.is_none());
        assert!(config.basic_users().is_empty());
    }

    #[test]
    fn users_and_headers_load() {
        let text = "basic_auth_users:\n  prometheus: $2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n";
        let config = load(text).unwrap();
        assert!(!config.basic_users().is_empty());
        assert_eq!(config.headers()[0].0, "x-frame-options");
    }

    #[test]
    fn errors_are_located() {
        let text = "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\nbasic_auth_users:\n  bob: plain\n";
        let shown = load(text).unwrap_err().to_string();
        assert!(
            shown.contains("web.yml:2:14: tls_server_config.cert_file: cannot read"),
            "{shown}"
        );
        assert!(
            shown.contains("web.yml:5:8: basic_auth_users.bob: is not a bcrypt hash"),
            "{shown}"
        );
        let shown = load("tls_server_config:\n  cert: x\n")
            .unwrap_err()
            .to_string();
        assert!(shown.starts_with("web.yml:2:3: "), "{shown}");
    }
}
