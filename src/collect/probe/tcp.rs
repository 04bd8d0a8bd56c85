//! One TCP probe attempt: a connect to `host:port` within the timeout, then close.

use super::outcome::{Attempt, Failure, FailureReason};
use std::time::{Duration, Instant};

/// Connects to `target` and reports how long it took or why it failed.
pub async fn tcp_attempt(target: &str, timeout: Duration) -> Attempt {
    let start = Instant::now();
    let failure = match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(target)).await
    {
        Ok(Ok(_stream)) => None,
        Ok(Err(error)) => Some(Failure::new(
            FailureReason::Connect,
            format!("connecting to {target}: {error}"),
        )),
        Err(_) => Some(Failure::new(
            FailureReason::Timeout,
            format!("no connection to {target} within {timeout:?}"),
        )),
    };
    Attempt {
        duration: start.elapsed(),
        status_code: None,
        cert_expiry: None,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_port_succeeds_and_closed_port_is_connect() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let open = listener.local_addr().unwrap().to_string();
        let attempt = tcp_attempt(&open, Duration::from_secs(5)).await;
        assert_eq!(attempt.failure, None);
        drop(listener);
        let attempt = tcp_attempt(&open, Duration::from_secs(5)).await;
        assert_eq!(
            attempt.failure.map(|f| f.reason),
            Some(FailureReason::Connect)
        );
    }
}
