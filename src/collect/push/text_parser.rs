//! The Prometheus text exposition format 0.0.4 parser for Pushgateway-style pushes (what
//! `prometheus_client.push_to_gateway` sends): `# HELP`, `# TYPE`, comments, samples, and the
//! grouping of `_bucket`/`_sum`/`_count` series under their histogram or summary family.
//!
//! Like Pushgateway it refuses samples with timestamps. Errors carry the 1-based line number.
//! The parser never panics on any input (see the garbage-in test).

use super::error::PushError;
use super::text_line::{SampleLine, parse_sample_line, parse_value, unescape_help};
use crate::metrics::{MetricFamily, MetricType, Sample};
use std::collections::HashMap;

/// Parses a text-format body into metric families in order of first appearance.
pub fn parse_text(input: &[u8]) -> Result<Vec<MetricFamily>, PushError> {
    let text = std::str::from_utf8(input).map_err(|e| PushError::Text {
        line: 1 + input[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        message: "body is not valid UTF-8".to_owned(),
    })?;
    let mut parser = Parser::default();
    for (index, raw) in text.split('\n').enumerate() {
        parser.line_number = index + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        parser.line(line).map_err(|message| PushError::Text {
            line: index + 1,
            message,
        })?;
    }
    parser.finish()
}

/// One family under construction, with the line of each sample for duplicate reports.
struct Building {
    family: MetricFamily,
    typed: bool,
    has_help: bool,
    lines: Vec<usize>,
}

struct Parser {
    families: Vec<Building>,
    index: HashMap<String, usize>,
    line_number: usize,
}

impl Default for Parser {
    fn default() -> Self {
        Self {
            families: Vec::new(),
            index: HashMap::new(),
            line_number: 1,
        }
    }
}

impl Parser {
    fn line(&mut self, line: &str) -> Result<(), String> {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() {
            return Ok(());
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            return self.comment(comment);
        }
        let sample = parse_sample_line(trimmed)?;
        self.sample(sample)
    }

    /// `# HELP name text`, `# TYPE name type`, or a plain comment (ignored).
    fn comment(&mut self, comment: &str) -> Result<(), String> {
        let rest = comment.trim_start_matches([' ', '\t']);
        let (keyword, rest) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
        if keyword != "HELP" && keyword != "TYPE" {
            return Ok(());
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        let (name, text) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
        if let Some(problem) = super::names::metric_name_problem(name) {
            return Err(format!(
                "invalid metric name {name:?} in {keyword} line: {problem}"
            ));
        }
        let i = self.family_index(name);
        let building = &mut self.families[i];
        if keyword == "HELP" {
            if building.has_help {
                return Err(format!("second HELP line for {name}"));
            }
            building.has_help = true;
            building.family.help = unescape_help(text);
            return Ok(());
        }
        if building.typed {
            return Err(format!("second TYPE line for {name}"));
        }
        if !building.family.samples.is_empty() {
            return Err(format!("TYPE line for {name} after its samples"));
        }
        building.family.kind = parse_type(text.trim_matches([' ', '\t']))?;
        building.typed = true;
        Ok(())
    }

    fn family_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.families.len();
        self.families.push(Building {
            family: MetricFamily::new(name, "", MetricType::Untyped),
            typed: false,
            has_help: false,
            lines: Vec::new(),
        });
        self.index.insert(name.to_owned(), i);
        i
    }

    /// Attaches a sample to its family: `x_bucket` to histogram `x`, `x_sum`/`x_count` to
    /// histogram or summary `x`, anything else to a family of its own name.
    fn sample(&mut self, sample: SampleLine<'_>) -> Result<(), String> {
        let (i, suffix) = self.resolve(sample.name);
        let building = &mut self.families[i];
        check_special_labels(&building.family, suffix, &sample)?;
        building.family.samples.push(Sample {
            suffix,
            labels: sample.labels,
            value: sample.value,
        });
        building.lines.push(self.line_number);
        Ok(())
    }

    fn resolve(&mut self, name: &str) -> (usize, &'static str) {
        if let Some(&i) = self.index.get(name) {
            return (i, "");
        }
        for (suffix, kinds) in [
            ("_bucket", &[MetricType::Histogram][..]),
            ("_sum", &[MetricType::Histogram, MetricType::Summary][..]),
            ("_count", &[MetricType::Histogram, MetricType::Summary][..]),
        ] {
            let Some(base) = name.strip_suffix(suffix) else {
                continue;
            };
            if let Some(&i) = self.index.get(base)
                && kinds.contains(&self.families[i].family.kind)
            {
                return (i, suffix);
            }
        }
        (self.family_index(name), "")
    }

    fn finish(self) -> Result<Vec<MetricFamily>, PushError> {
        let mut out = Vec::with_capacity(self.families.len());
        for building in self.families {
            check_duplicates(&building)?;
            out.push(building.family);
        }
        Ok(out)
    }
}

fn parse_type(word: &str) -> Result<MetricType, String> {
    match word.to_ascii_lowercase().as_str() {
        "counter" => Ok(MetricType::Counter),
        "gauge" => Ok(MetricType::Gauge),
        "histogram" => Ok(MetricType::Histogram),
        "summary" => Ok(MetricType::Summary),
        "untyped" => Ok(MetricType::Untyped),
        _ => Err(format!(
            "unknown metric type {word:?} (expected counter, gauge, histogram, summary or untyped)"
        )),
    }
}

/// Histogram buckets need a numeric `le`, summary quantiles a numeric `quantile`; a plain
/// sample of a histogram does not exist.
fn check_special_labels(
    family: &MetricFamily,
    suffix: &str,
    sample: &SampleLine<'_>,
) -> Result<(), String> {
    let required = match (family.kind, suffix) {
        (MetricType::Histogram, "_bucket") => "le",
        (MetricType::Summary, "") => "quantile",
        (MetricType::Histogram, "") => {
            return Err(format!(
                "histogram {} has a sample without _bucket, _sum or _count suffix",
                family.name
            ));
        }
        _ => return Ok(()),
    };
    match sample.labels.get(required) {
        Some(text) => parse_value(text).map(|_| ()).map_err(|_| {
            format!(
                "{} has a non-numeric {required} label {text:?}",
                sample.name
            )
        }),
        None => Err(format!("{} is missing its {required} label", sample.name)),
    }
}

/// Two samples with the same suffix and labels in one family are refused, like Pushgateway.
fn check_duplicates(building: &Building) -> Result<(), PushError> {
    let samples = &building.family.samples;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    order.sort_by(|&a, &b| {
        (samples[a].suffix, &samples[a].labels, building.lines[a]).cmp(&(
            samples[b].suffix,
            &samples[b].labels,
            building.lines[b],
        ))
    });
    for pair in order.windows(2) {
        let (first, second) = (&samples[pair[0]], &samples[pair[1]]);
        if first.suffix == second.suffix && first.labels == second.labels {
            return Err(PushError::Text {
                line: building.lines[pair[1]],
                message: format!(
                    "duplicate sample {}{}{} (first on line {})",
                    building.family.name, first.suffix, first.labels, building.lines[pair[0]]
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "text_parser_tests.rs"]
mod tests;
