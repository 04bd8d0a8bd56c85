//! `BasicUsers`: web-config's `basic_auth_users` (user → bcrypt hash), verified with a small
//! cache of recent successes so a scraper does not pay a bcrypt round on every request.

use aws_lc_rs::digest::{SHA256, digest};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// Successful logins remembered at most (the cache is cleared when it is full).
const CACHE_CAPACITY: usize = 1024;

/// A bcrypt hash of nothing useful, checked for unknown users so timing does not tell which
/// user names exist.
const DUMMY_HASH: &str = "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi";

/// The users allowed on the listener.
#[derive(Debug, Default)]
pub struct BasicUsers {
    users: HashMap<String, String>,
    cache: Mutex<HashSet<[u8; 32]>>,
}

fn cache_key(user: &str, hash: &str, password: &str) -> [u8; 32] {
    let mut input = Vec::with_capacity(user.len() + hash.len() + password.len() + 2);
    for part in [user, hash, password] {
        input.extend_from_slice(part.as_bytes());
        input.push(0);
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(digest(&SHA256, &input).as_ref());
    key
}

impl BasicUsers {
    /// Users from `user → bcrypt hash`.
    pub fn new(users: HashMap<String, String>) -> Self {
        Self {
            users,
            cache: Mutex::new(HashSet::new()),
        }
    }

    /// True when no user is configured (basic auth is off).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }

    /// Whether `user:password` is valid; blocking (bcrypt), so call it off the async threads.
    pub fn verify(&self, user: &str, password: &str) -> bool {
        let Some(hash) = self.users.get(user) else {
            let _ = bcrypt::verify(password, DUMMY_HASH);
            return false;
        };
        let key = cache_key(user, hash, password);
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.contains(&key) {
            return true;
        }
        drop(cache);
        let valid = bcrypt::verify(password, hash).unwrap_or(false);
        if valid {
            cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if cache.len() >= CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(key);
        }
        valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> BasicUsers {
        let hash = bcrypt::hash("hunter2", 4).unwrap();
        BasicUsers::new(HashMap::from([("prometheus".to_owned(), hash)]))
    }

    #[test]
    fn accepts_the_right_password_only() {
        let users = users();
        assert!(users.verify("prometheus", "hunter2"));
        assert!(users.verify("prometheus", "hunter2"), "cached");
        assert!(!users.verify("prometheus", "hunter3"));
        assert!(!users.verify("nobody", "hunter2"));
    }

    #[test]
    fn a_broken_hash_is_a_failed_login_not_a_panic() {
        let users = BasicUsers::new(HashMap::from([("a".to_owned(), "not-bcrypt".to_owned())]));
        assert!(!users.verify("a", "x"));
    }
}
