//! The web-config file's schema (exporter-toolkit's format, as `--web.config.file` of
//! Prometheus and its exporters reads it): `tls_server_config`, `http_server_config`,
//! `basic_auth_users`. Unsupported keys are errors, not silently ignored.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfigFile {
    /// TLS for the listener; absent = plain HTTP.
    pub tls_server_config: Option<TlsServerConfig>,
    /// HTTP options.
    pub http_server_config: HttpServerConfig,
    /// User name → bcrypt hash; any entry turns basic auth on for every route.
    pub basic_auth_users: BTreeMap<String, String>,
}

/// `tls_server_config`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsServerConfig {
    /// PEM certificate chain (relative paths are relative to the web-config file).
    pub cert_file: String,
    /// PEM private key.
    pub key_file: String,
    /// `NoClientCert` (default), `VerifyClientCertIfGiven` or `RequireAndVerifyClientCert`.
    pub client_auth_type: Option<String>,
    /// PEM CA bundle that client certificates must chain to.
    pub client_ca_file: Option<String>,
    /// `TLS12` (default) or `TLS13`; `TLS10`/`TLS11` are accepted and mean TLS 1.2.
    pub min_version: Option<String>,
    /// `TLS12` or `TLS13` (default).
    pub max_version: Option<String>,
    /// Accepted for compatibility; rustls picks the server's preference anyway.
    pub prefer_server_cipher_suites: Option<bool>,
}

/// `http_server_config`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpServerConfig {
    /// Accepted for compatibility; the listener speaks HTTP/1.1 only.
    pub http2: Option<bool>,
    /// Headers added to every response (e.g. `Strict-Transport-Security`).
    pub headers: BTreeMap<String, String>,
}
