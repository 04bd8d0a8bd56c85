//! The Pushgateway grouping key: `job` plus grouping labels, parsed from the URL path
//! `/metrics/job/<job>{/<label>/<value>}` with Pushgateway's `@base64` suffix for values that
//! contain `/` or are empty (`/metrics/job@base64/<b64>/path@base64/L3Zhci90bXA=`).

use super::error::PushError;
use super::names::label_name_problem;
use crate::model::Labels;

/// The labels identifying one Pushgateway group (always containing `job`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupingKey(Labels);

impl GroupingKey {
    /// A key from `job` and further `(label, value)` pairs.
    pub fn new(job: &str, pairs: &[(&str, &str)]) -> Result<Self, PushError> {
        if job.is_empty() {
            return Err(PushError::GroupingKey(
                "the job name must not be empty".into(),
            ));
        }
        let mut labels = Labels::from_pairs([("job", job)]);
        for (name, value) in pairs {
            if let Some(problem) = label_name_problem(name) {
                return Err(PushError::GroupingKey(format!(
                    "invalid label name {name:?}: {problem}"
                )));
            }
            if labels.get(name).is_some() {
                return Err(PushError::GroupingKey(format!("duplicate label {name:?}")));
            }
            labels.insert(*name, *value);
        }
        Ok(Self(labels))
    }

    /// Parses the path after `/metrics/`: `job/<job>{/<label>/<value>}`, each segment still
    /// percent-encoded (pass the raw URI path, not a decoded one).
    pub fn from_path(path: &str) -> Result<Self, PushError> {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if !segments.len().is_multiple_of(2) {
            return Err(PushError::GroupingKey(format!(
                "{path:?} must be job/<job> followed by <label>/<value> pairs"
            )));
        }
        let mut pairs = Vec::with_capacity(segments.len() / 2);
        for pair in segments.chunks_exact(2) {
            pairs.push(decode_pair(pair[0], pair[1])?);
        }
        match pairs.first() {
            Some((name, job)) if name == "job" => {
                let rest: Vec<(&str, &str)> = pairs[1..]
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                Self::new(job, &rest)
            }
            _ => Err(PushError::GroupingKey(format!(
                "{path:?} must start with job/<job>"
            ))),
        }
    }

    /// The labels, `job` included.
    pub fn labels(&self) -> &Labels {
        &self.0
    }

    /// The job name.
    pub fn job(&self) -> &str {
        self.0.get("job").unwrap_or_default()
    }
}

fn decode_pair(name: &str, value: &str) -> Result<(String, String), PushError> {
    let name = percent_decode(name)?;
    let (name, value, encoded) = match name.strip_suffix("@base64") {
        Some(plain) => (
            plain.to_owned(),
            base64_decode(&percent_decode(value)?)?,
            true,
        ),
        None => (name, percent_decode(value)?, false),
    };
    if value.is_empty() && !encoded {
        return Err(PushError::GroupingKey(format!(
            "empty value for label {name:?} (encode it as {name}@base64/=)"
        )));
    }
    Ok((name, value))
}

fn percent_decode(text: &str) -> Result<String, PushError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            let byte = hex
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| {
                    PushError::GroupingKey(format!("bad percent-encoding in {text:?}"))
                })?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PushError::GroupingKey(format!("{text:?} is not UTF-8")))
}

/// Decodes base64 (URL-safe or standard alphabet, padding optional); `=` alone is empty.
fn base64_decode(text: &str) -> Result<String, PushError> {
    let error = || PushError::GroupingKey(format!("bad base64 value {text:?}"));
    let mut bits: u32 = 0;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for byte in text.trim_end_matches('=').bytes() {
        let sextet = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return Err(error()),
        };
        bits = (bits << 6) | u32::from(sextet);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8(out).map_err(|_| error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_base64_paths() {
        let key =
            GroupingKey::from_path("job/backup/instance/db%2D1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.job(), "backup");
        assert_eq!(key.labels().get("instance"), Some("db-1"));
        let key = GroupingKey::from_path("job@base64/YmFja3Vw/path@base64/L3Zhci90bXA")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.job(), "backup");
        assert_eq!(key.labels().get("path"), Some("/var/tmp"));
        let key = GroupingKey::from_path("job/a/empty@base64/=").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(key.labels().get("empty"), Some(""));
    }

    #[test]
    fn malformed_paths_are_refused() {
        let error = |path: &str| GroupingKey::from_path(path).err().map(|e| e.to_string());
        assert!(error("job").is_some_and(|e| e.contains("pairs")));
        assert!(error("instance/x/job/y").is_some_and(|e| e.contains("must start with job")));
        assert!(error("job/").is_some_and(|e| e.contains("empty")));
        assert!(error("job/a/__x/1").is_some_and(|e| e.contains("reserved")));
        assert!(error("job/a/x/1/x/2").is_some_and(|e| e.contains("duplicate")));
        assert!(error("job/a/x/%zz").is_some_and(|e| e.contains("percent")));
    }
}
