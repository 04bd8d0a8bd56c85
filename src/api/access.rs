//! The access rule while no API tokens are configured (the embedded default): reads are open,
//! endpoints that change state (push, silences, reload) and admin endpoints answer only clients
//! on loopback; everyone else gets a 403 naming the rule.

use super::auth::Scope;
use super::error::ApiError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// `Ok` when a client at `remote` may call a route needing `required` without a token.
pub fn fallback(required: Scope, remote: IpAddr) -> Result<(), Box<Response>> {
    if required == Scope::Read || remote.is_loopback() {
        return Ok(());
    }
    let message = format!(
        "{required} endpoints answer only loopback clients while no API tokens are configured (client {remote})"
    );
    let error = ApiError {
        status: StatusCode::FORBIDDEN,
        code: "forbidden",
        field: None,
        message,
    };
    Err(Box::new(error.into_response()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_open_and_writes_stay_on_loopback() {
        let remote = IpAddr::from([192, 0, 2, 7]);
        assert!(fallback(Scope::Read, remote).is_ok());
        assert!(fallback(Scope::Write, IpAddr::from([127, 0, 0, 1])).is_ok());
        assert_eq!(
            fallback(Scope::Write, remote).unwrap_err().status(),
            StatusCode::FORBIDDEN
        );
        assert!(fallback(Scope::Admin, remote).is_err());
    }
}
