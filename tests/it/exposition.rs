//! Reading the Prometheus text format back for assertions: the shape of every family (name,
//! type, the union of its samples' label names) and the golden-file line format
//! `name type label1,label2`.

use std::collections::{BTreeMap, BTreeSet};

/// One family's shape: its `# TYPE` and the label names its samples carry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyShape {
    pub kind: String,
    pub labels: BTreeSet<String>,
}

impl FamilyShape {
    /// The golden-file line: `name type label1,label2` (`-` when there are no labels).
    pub fn line(&self, name: &str) -> String {
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        let labels = if labels.is_empty() {
            "-".to_string()
        } else {
            labels.join(",")
        };
        format!("{name} {} {labels}", self.kind)
    }
}

/// Every family with at least one sample, by name. Samples belong to the family of the last
/// `# TYPE` line (histogram and summary samples carry suffixes); untyped samples form their own.
pub fn shapes(text: &str) -> BTreeMap<String, FamilyShape> {
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut shapes: BTreeMap<String, FamilyShape> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            if let (Some(name), Some(kind)) = (parts.next(), parts.next()) {
                typed.insert(name.to_string(), kind.to_string());
                current = Some(name.to_string());
            }
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (sample_name, labels) = sample_name_and_labels(line);
        let family = match &current {
            Some(family) if belongs_to(sample_name, family) => family.clone(),
            _ => sample_name.to_string(),
        };
        let kind = typed
            .get(&family)
            .cloned()
            .unwrap_or_else(|| "untyped".to_string());
        let shape = shapes.entry(family).or_insert_with(|| FamilyShape {
            kind,
            labels: BTreeSet::new(),
        });
        shape.labels.extend(labels);
    }
    shapes
}

/// Parses the golden-file format back (comment lines start with `#`).
pub fn parse_golden(text: &str) -> BTreeMap<String, FamilyShape> {
    let mut shapes = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut parts = line.split_whitespace();
        let (Some(name), Some(kind), Some(labels)) = (parts.next(), parts.next(), parts.next())
        else {
            panic!("golden line is not `name type labels`: {line:?}");
        };
        let labels = match labels {
            "-" => BTreeSet::new(),
            labels => labels.split(',').map(str::to_string).collect(),
        };
        let kind = kind.to_string();
        shapes.insert(name.to_string(), FamilyShape { kind, labels });
    }
    shapes
}

/// Number of sample lines (what Prometheus counts as samples per scrape).
pub fn sample_count(text: &str) -> usize {
    let is_sample = |line: &&str| !line.starts_with('#') && !line.trim().is_empty();
    text.lines().filter(is_sample).count()
}

/// Whether a sample named `sample` belongs to `family` (itself or a histogram/summary part).
fn belongs_to(sample: &str, family: &str) -> bool {
    match sample.strip_prefix(family) {
        Some(suffix) => ["", "_bucket", "_sum", "_count", "_created"].contains(&suffix),
        None => false,
    }
}

/// A sample line's metric name and label names (values may hold escaped quotes and commas).
fn sample_name_and_labels(line: &str) -> (&str, Vec<String>) {
    let name_end = line.find(['{', ' ']).unwrap_or(line.len());
    let name = &line[..name_end];
    let mut labels = Vec::new();
    if line[name_end..].starts_with('{') {
        let mut rest = &line[name_end + 1..];
        while let Some(equals) = rest.find('=') {
            let label = rest[..equals].trim_start_matches([',', ' ']).trim();
            if label.starts_with('}') {
                break;
            }
            labels.push(label.to_string());
            rest = skip_quoted(&rest[equals + 1..]);
            if rest.starts_with('}') {
                break;
            }
        }
    }
    (name, labels)
}

/// Skips one `"..."` value (honouring backslash escapes) and returns what follows it.
fn skip_quoted(text: &str) -> &str {
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return &text[index + 1..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_union_labels_and_attach_suffixed_samples() {
        let text = "# HELP a_total A.\n# TYPE a_total counter\n\
                    a_total{cpu=\"0\",mode=\"idle\"} 1\na_total{cpu=\"1\",mode=\"x,y=\\\"z\\\"\"} 2\n\
                    # TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n\
                    # TYPE empty gauge\nloose 3\n";
        let shapes = shapes(text);
        let lines: Vec<String> = shapes.iter().map(|(n, s)| s.line(n)).collect();
        assert_eq!(
            lines,
            [
                "a_total counter cpu,mode",
                "h histogram le",
                "loose untyped -"
            ]
        );
        assert_eq!(sample_count(text), 6);
    }

    #[test]
    fn golden_lines_round_trip() {
        let golden = "# comment\nnode_load1 gauge -\nnode_cpu_seconds_total counter cpu,mode\n";
        let parsed = parse_golden(golden);
        assert_eq!(
            parsed["node_load1"].line("node_load1"),
            "node_load1 gauge -"
        );
        assert_eq!(parsed["node_cpu_seconds_total"].labels.len(), 2);
    }
}
