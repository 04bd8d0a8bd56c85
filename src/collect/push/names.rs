//! Name rules shared by every push parser: metric names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label
//! names `[a-zA-Z_][a-zA-Z0-9_]*`, the reserved `__` prefix, and the dotted-name mapping
//! (`business.user_signups` → `business_user_signups`) used by the JSON bodies.

/// Why a name was refused, as a short phrase for an error message.
pub fn metric_name_problem(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    let Some(&first) = bytes.first() else {
        return Some("is empty");
    };
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b':') {
        return Some("must start with a letter, '_' or ':'");
    }
    if !bytes[1..].iter().all(|&b| is_metric_name_byte(b)) {
        return Some("may contain only letters, digits, '_' and ':'");
    }
    if name.starts_with("__") {
        return Some("the '__' prefix is reserved");
    }
    None
}

/// Why a label name was refused, as a short phrase for an error message.
pub fn label_name_problem(name: &str) -> Option<&'static str> {
    let bytes = name.as_bytes();
    let Some(&first) = bytes.first() else {
        return Some("is empty");
    };
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return Some("must start with a letter or '_'");
    }
    if !bytes[1..].iter().all(|&b| is_label_name_byte(b)) {
        return Some("may contain only letters, digits and '_'");
    }
    if name.starts_with("__") {
        return Some("the '__' prefix is reserved");
    }
    None
}

/// True for a byte allowed after the first one in a metric name.
pub fn is_metric_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b':'
}

/// True for a byte allowed after the first one in a label name.
pub fn is_label_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Maps the dots of a dotted name to underscores (`business.user_signups`).
pub fn undot(name: &str) -> String {
    name.replace('.', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_names_follow_the_prometheus_rule() {
        assert_eq!(metric_name_problem("http_requests_total"), None);
        assert_eq!(metric_name_problem(":recorded:rule"), None);
        assert!(metric_name_problem("9x").is_some());
        assert!(metric_name_problem("a-b").is_some());
        assert!(metric_name_problem("").is_some());
        assert_eq!(
            metric_name_problem("__name"),
            Some("the '__' prefix is reserved")
        );
    }

    #[test]
    fn label_names_refuse_colons_and_reserved_prefix() {
        assert_eq!(label_name_problem("endpoint"), None);
        assert_eq!(label_name_problem("_x1"), None);
        assert!(label_name_problem("a:b").is_some());
        assert!(label_name_problem("1a").is_some());
        assert!(label_name_problem("__meta").is_some());
    }

    #[test]
    fn dots_become_underscores() {
        assert_eq!(undot("business.user_signups"), "business_user_signups");
        assert_eq!(undot("plain"), "plain");
    }
}
