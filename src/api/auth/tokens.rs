//! `TokenSet`: the configured API tokens, kept only as SHA-256 digests and compared in constant
//! time, so neither a token nor its length leaks through timing.

use super::config::{Scope, TokenConfig};
use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA256, digest};

/// One token, without its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenIdentity {
    /// The token's configured name.
    pub name: String,
    /// Its highest scope (`admin` implies `write` implies `read`).
    pub scope: Scope,
}

impl TokenIdentity {
    /// Whether this token may call a route that needs `required`.
    pub fn allows(&self, required: Scope) -> bool {
        self.scope >= required
    }
}

#[derive(Clone)]
struct Entry {
    digest: [u8; 32],
    identity: TokenIdentity,
}

/// The configured tokens.
#[derive(Clone, Default)]
pub struct TokenSet {
    entries: Vec<Entry>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.entries.iter().map(|e| &e.identity.name))
            .finish()
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, bytes).as_ref());
    out
}

impl TokenSet {
    /// Digests every token of the config; a token without scopes gets `read`.
    pub fn new(tokens: &[TokenConfig]) -> Self {
        let entries = tokens
            .iter()
            .map(|token| Entry {
                digest: sha256(token.token.as_bytes()),
                identity: TokenIdentity {
                    name: token.name.clone(),
                    scope: token.scopes.iter().copied().max().unwrap_or(Scope::Read),
                },
            })
            .collect();
        Self { entries }
    }

    /// True when no token is configured.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The identity of `presented`, comparing against every entry (no early exit).
    pub fn find(&self, presented: &str) -> Option<TokenIdentity> {
        let wanted = sha256(presented.as_bytes());
        let mut found = None;
        for entry in &self.entries {
            if verify_slices_are_equal(&entry.digest, &wanted).is_ok() && found.is_none() {
                found = Some(entry.identity.clone());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> TokenSet {
        TokenSet::new(&[
            TokenConfig {
                name: "ci".into(),
                token: "s3cret-read".into(),
                scopes: vec![Scope::Read],
            },
            TokenConfig {
                name: "ops".into(),
                token: "s3cret-admin".into(),
                scopes: vec![Scope::Admin, Scope::Read],
            },
        ])
    }

    #[test]
    fn finds_the_matching_token_and_nothing_else() {
        let set = set();
        assert_eq!(set.find("s3cret-read").unwrap().name, "ci");
        assert_eq!(set.find("s3cret-admin").unwrap().scope, Scope::Admin);
        assert_eq!(set.find("s3cret"), None);
        assert_eq!(set.find(""), None);
    }

    #[test]
    fn admin_implies_write_implies_read() {
        let set = set();
        let admin = set.find("s3cret-admin").unwrap();
        assert!(admin.allows(Scope::Read) && admin.allows(Scope::Write));
        let read = set.find("s3cret-read").unwrap();
        assert!(read.allows(Scope::Read));
        assert!(!read.allows(Scope::Write) && !read.allows(Scope::Admin));
    }

    #[test]
    fn debug_output_never_shows_a_secret() {
        let shown = format!("{:?}", set());
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("ops"));
    }
}
