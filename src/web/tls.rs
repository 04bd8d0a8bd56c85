//! TLS for the listener: a rustls `ServerConfig` from web-config's `tls_server_config`, and
//! `TlsListener`, an axum `Listener` whose handshakes run on their own tasks (a slow or broken
//! client never blocks `accept`).

use super::file::TlsServerConfig;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::WebPkiClientVerifier;
use tokio_rustls::rustls::{self, RootCertStore, ServerConfig, SupportedProtocolVersion};
use tokio_rustls::server::TlsStream;

/// A TLS handshake that takes longer than this is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A problem with one key of `tls_server_config`: `(key, message)`.
pub type TlsProblem = (&'static str, String);

fn versions(
    min: Option<&str>,
    max: Option<&str>,
) -> Result<Vec<&'static SupportedProtocolVersion>, TlsProblem> {
    let rank = |key: &'static str, value: &str| match value {
        "TLS10" | "TLS11" | "TLS12" if key == "min_version" => Ok(12),
        "TLS12" => Ok(12),
        "TLS13" => Ok(13),
        other => Err((
            key,
            format!("unsupported TLS version {other:?} (expected TLS12 or TLS13)"),
        )),
    };
    let low = min.map_or(Ok(12), |v| rank("min_version", v))?;
    let high = max.map_or(Ok(13), |v| rank("max_version", v))?;
    if low > high {
        return Err(("min_version", "is above max_version".to_owned()));
    }
    let mut out = Vec::new();
    if low <= 12 {
        out.push(&rustls::version::TLS12);
    }
    if high >= 13 {
        out.push(&rustls::version::TLS13);
    }
    Ok(out)
}

fn client_verifier(
    config: &TlsServerConfig,
    base: &Path,
    provider: &Arc<rustls::crypto::CryptoProvider>,
) -> Result<Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>, TlsProblem> {
    let kind = config.client_auth_type.as_deref().unwrap_or("NoClientCert");
    let optional = match kind {
        "NoClientCert" => return Ok(None),
        "VerifyClientCertIfGiven" => true,
        "RequireAndVerifyClientCert" => false,
        other => {
            return Err((
                "client_auth_type",
                format!(
                    "unsupported client_auth_type {other:?} (expected NoClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert)"
                ),
            ));
        }
    };
    let Some(ca_file) = &config.client_ca_file else {
        return Err(("client_auth_type", format!("{kind} needs client_ca_file")));
    };
    let path = base.join(ca_file);
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&path).map_err(|e| {
        (
            "client_ca_file",
            format!("cannot read {}: {e}", path.display()),
        )
    })? {
        let cert = cert.map_err(|e| ("client_ca_file", format!("{}: {e}", path.display())))?;
        roots
            .add(cert)
            .map_err(|e| ("client_ca_file", format!("{}: {e}", path.display())))?;
    }
    let builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    let builder = if optional {
        builder.allow_unauthenticated()
    } else {
        builder
    };
    let verifier = builder
        .build()
        .map_err(|e| ("client_ca_file", format!("{}: {e}", path.display())))?;
    Ok(Some(verifier))
}

/// Builds the rustls server config; relative file names resolve against `base`.
pub fn server_config(config: &TlsServerConfig, base: &Path) -> Result<ServerConfig, TlsProblem> {
    if config.cert_file.is_empty() {
        return Err((
            "cert_file",
            "is required when tls_server_config is set".to_owned(),
        ));
    }
    if config.key_file.is_empty() {
        return Err((
            "key_file",
            "is required when tls_server_config is set".to_owned(),
        ));
    }
    let cert_path = base.join(&config.cert_file);
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&cert_path)
        .and_then(|iter| iter.collect::<Result<_, _>>())
        .map_err(|e| {
            (
                "cert_file",
                format!("cannot read {}: {e}", cert_path.display()),
            )
        })?;
    if certs.is_empty() {
        return Err((
            "cert_file",
            format!("{} holds no certificate", cert_path.display()),
        ));
    }
    let key_path = base.join(&config.key_file);
    let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| {
        (
            "key_file",
            format!("cannot read {}: {e}", key_path.display()),
        )
    })?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let protocol_versions = versions(config.min_version.as_deref(), config.max_version.as_deref())?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&protocol_versions)
        .map_err(|e| ("min_version", e.to_string()))?;
    let builder = match client_verifier(config, base, &provider)? {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut server = builder
        .with_single_cert(certs, key)
        .map_err(|e| ("key_file", format!("does not match cert_file: {e}")))?;
    // axum serves HTTP/1.1 here (its http2 feature is off): never offer h2.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(server)
}

/// An axum listener that hands out connections after their TLS handshake.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: tokio::task::JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `listener`, handshaking with `config`.
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> io::Result<Self> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (sender, connections) = mpsc::channel(64);
        let acceptor_task = tokio::spawn(async move {
            loop {
                let (stream, remote) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _ = sender.send((tls, remote)).await;
                        }
                        Ok(Err(error)) => {
                            tracing::debug!(%error, %remote, "TLS handshake failed")
                        }
                        Err(_) => tracing::debug!(%remote, "TLS handshake timed out"),
                    }
                });
            }
        });
        Ok(Self {
            connections,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_min_and_max() {
        assert_eq!(versions(None, None).unwrap().len(), 2);
        assert_eq!(versions(Some("TLS13"), None).unwrap().len(), 1);
        assert_eq!(versions(Some("TLS10"), Some("TLS12")).unwrap().len(), 1);
        assert_eq!(versions(None, Some("TLS11")).unwrap_err().0, "max_version");
        assert_eq!(
            versions(Some("TLS13"), Some("TLS12")).unwrap_err().0,
            "min_version"
        );
    }

    #[test]
    fn missing_files_name_the_key() {
        let config = TlsServerConfig {
            cert_file: "nope.crt".into(),
            key_file: "nope.key".into(),
            ..Default::default()
        };
        assert_eq!(
            server_config(&config, Path::new("/nonexistent"))
                .unwrap_err()
                .0,
            "cert_file"
        );
        let config = TlsServerConfig::default();
        assert_eq!(
            server_config(&config, Path::new("/")).unwrap_err().0,
            "cert_file"
        );
    }
}
