//! `Credentials`: what a request's `Authorization` header carries (Bearer token, Basic user and
//! password, nothing, or something unreadable).

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The parsed `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No header.
    None,
    /// `Bearer <token>`.
    Bearer(String),
    /// `Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
    /// A header of another scheme or that does not decode.
    Unreadable,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::Bearer(_) => f.write_str("Bearer(<secret>)"),
            Credentials::Basic { user, .. } => write!(f, "Basic({user:?}, <secret>)"),
            Credentials::Unreadable => f.write_str("Unreadable"),
        }
    }
}

/// Splits `"<scheme> <rest>"` with a case-insensitive scheme.
fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (found, rest) = value.split_once(' ')?;
    found.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

impl Credentials {
    /// Reads the `Authorization` header of `headers`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return Credentials::None;
        };
        let Ok(value) = value.to_str() else {
            return Credentials::Unreadable;
        };
        if let Some(token) = strip_scheme(value, "bearer") {
            return Credentials::Bearer(token.to_owned());
        }
        let decoded = strip_scheme(value, "basic")
            .and_then(|encoded| STANDARD.decode(encoded).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok());
        match decoded.as_deref().and_then(|text| text.split_once(':')) {
            Some((user, password)) => Credentials::Basic {
                user: user.to_owned(),
                password: password.to_owned(),
            },
            None => Credentials::Unreadable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Credentials {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().unwrap());
        Credentials::from_headers(&headers)
    }

    #[test]
    fn reads_bearer_and_basic() {
        assert_eq!(parse("Bearer abc"), Credentials::Bearer("abc".into()));
        assert_eq!(parse("bearer  abc "), Credentials::Bearer("abc".into()));
        assert_eq!(
            parse("Basic dXNlcjpwYTpzcw=="),
            Credentials::Basic {
                user: "user".into(),
                password: "pa:ss".into()
            }
        );
        assert_eq!(
            Credentials::from_headers(&HeaderMap::new()),
            Credentials::None
        );
    }

    #[test]
    fn garbage_is_unreadable_and_debug_hides_secrets() {
        assert_eq!(parse("Basic !!!"), Credentials::Unreadable);
        assert_eq!(parse("Digest x"), Credentials::Unreadable);
        assert_eq!(format!("{:?}", parse("Bearer abc")), "Bearer(<secret>)");
    }
}
