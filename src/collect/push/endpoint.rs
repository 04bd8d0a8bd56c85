//! Endpoint normalisation for request tracking, so raw paths with ids do not explode the
//! cardinality of `http_requests_total`: `/api/users/123/orders/9f8e...` →
//! `/api/users/:id/orders/:id`. Route names that are not paths (`chat.index`) pass unchanged.

/// The placeholder an id-like segment becomes.
pub const ID_PLACEHOLDER: &str = ":id";

/// Normalises a request path: drops the query and fragment, collapses repeated and trailing
/// slashes, and replaces id-like segments with `:id`.
pub fn normalize_endpoint(raw: &str) -> String {
    let path = raw.split(['?', '#']).next().unwrap_or("").trim();
    if !path.starts_with('/') {
        return path.to_owned();
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(if is_id_segment(segment) {
            ID_PLACEHOLDER
        } else {
            segment
        });
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// True for a segment that looks like an identifier rather than a route word: all digits, a
/// UUID, a hex string of 16+ characters, an alphanumeric token with digits that starts with a
/// digit or is 8+ characters long, or anything longer than 40 bytes.
pub fn is_id_segment(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    if bytes.len() > 40 || bytes.iter().all(u8::is_ascii_digit) || is_uuid(bytes) {
        return true;
    }
    if bytes.len() >= 16 && bytes.iter().all(u8::is_ascii_hexdigit) {
        return true;
    }
    let token_like = bytes
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    let has_digit = bytes.iter().any(u8::is_ascii_digit);
    token_like && has_digit && (bytes[0].is_ascii_digit() || bytes.len() >= 8)
}

/// `8-4-4-4-12` hex digits.
fn is_uuid(bytes: &[u8]) -> bool {
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_paths_become_placeholders() {
        assert_eq!(
            normalize_endpoint("/api/users/123/orders/9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
            "/api/users/:id/orders/:id"
        );
        assert_eq!(
            normalize_endpoint("/api/items/550e8400-e29b-41d4-a716-446655440000?x=1"),
            "/api/items/:id"
        );
        assert_eq!(normalize_endpoint("/files/9f8e/raw"), "/files/:id/raw");
        assert_eq!(normalize_endpoint("/s/abc123def4"), "/s/:id");
    }

    #[test]
    fn route_words_and_versions_stay() {
        assert_eq!(normalize_endpoint("/api/v2/chat"), "/api/v2/chat");
        assert_eq!(
            normalize_endpoint("/api/oauth2/callback/"),
            "/api/oauth2/callback"
        );
        assert_eq!(normalize_endpoint("/api/facade"), "/api/facade");
        assert_eq!(normalize_endpoint("/api/users/:id"), "/api/users/:id");
    }

    #[test]
    fn slashes_query_and_route_names() {
        assert_eq!(normalize_endpoint("//api//chat#top"), "/api/chat");
        assert_eq!(normalize_endpoint("/"), "/");
        assert_eq!(normalize_endpoint("/?q=1"), "/");
        assert_eq!(normalize_endpoint("chat.index"), "chat.index");
    }
}
