//! A tiny glob for rule file lists: `*` and `?` in the last path component only
//! (`rules/*.yml`); a pattern without wildcards is returned as is.

use std::path::{Path, PathBuf};

fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            matches(&pattern[1..], name) || (!name.is_empty() && matches(pattern, &name[1..]))
        }
        (Some(b'?'), Some(_)) => matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

/// Expands `pattern` (relative ones against `base`), sorted; a wildcard matching nothing gives
/// nothing, a plain path is kept even if missing (so loading reports it).
pub fn expand_glob(pattern: &str, base: &Path) -> Vec<PathBuf> {
    let full = base.join(pattern);
    let file_name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !file_name.contains(['*', '?']) {
        return vec![full];
    }
    let dir = full
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| {
            matches(
                file_name.as_bytes(),
                e.file_name().to_string_lossy().as_bytes(),
            )
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_wildcards_in_the_file_name() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.yml", "b.yml", "c.txt"] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let got = expand_glob("*.yml", dir.path());
        assert_eq!(got, [dir.path().join("a.yml"), dir.path().join("b.yml")]);
        assert_eq!(expand_glob("?.txt", dir.path()).len(), 1);
        assert_eq!(
            expand_glob("missing.yml", dir.path()),
            [dir.path().join("missing.yml")]
        );
    }
}
