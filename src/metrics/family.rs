//! `MetricFamily` (name, help, type, samples) and `Batch`, the unit a collector produces.

use crate::model::Labels;
use serde::Serialize;
use std::collections::HashMap;

/// The Prometheus metric type of a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    /// A monotonically increasing value.
    Counter,
    /// A value that goes up and down.
    Gauge,
    /// Buckets, sum and count.
    Histogram,
    /// Quantiles, sum and count.
    Summary,
    /// No type declared.
    Untyped,
}

impl MetricType {
    /// The word used in a `# TYPE` line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counter => "counter",
            Self::Gauge => "gauge",
            Self::Histogram => "histogram",
            Self::Summary => "summary",
            Self::Untyped => "untyped",
        }
    }
}

/// One sample: the series name suffix (`""`, `"_bucket"`, `"_sum"`, `"_count"`), labels, value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    /// Appended to the family name to form the series name (histograms and summaries).
    pub suffix: &'static str,
    /// The series' labels.
    pub labels: Labels,
    /// The sample value.
    pub value: f64,
}

/// A named family of samples sharing one HELP and TYPE.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MetricFamily {
    /// The metric name (without suffix).
    pub name: String,
    /// The HELP text.
    pub help: String,
    /// The TYPE.
    #[serde(rename = "type")]
    pub kind: MetricType,
    /// The samples, in insertion order.
    pub samples: Vec<Sample>,
}

impl MetricFamily {
    /// An empty family.
    pub fn new(name: impl Into<String>, help: impl Into<String>, kind: MetricType) -> Self {
        Self {
            name: name.into(),
            help: help.into(),
            kind,
            samples: Vec::new(),
        }
    }

    /// Adds a plain sample (no suffix).
    pub fn push(&mut self, labels: Labels, value: f64) {
        self.samples.push(Sample {
            suffix: "",
            labels,
            value,
        });
    }
}

/// What one collection run produces: metric families in the order they were first touched.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    families: Vec<MetricFamily>,
    index: HashMap<String, usize>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// The family `name`, created with `help` and `kind` on first use.
    pub fn family(&mut self, name: &str, help: &str, kind: MetricType) -> &mut MetricFamily {
        let next = self.families.len();
        let i = *self.index.entry(name.to_owned()).or_insert(next);
        if i == next {
            self.families.push(MetricFamily::new(name, help, kind));
        }
        &mut self.families[i]
    }

    /// Adds a gauge sample.
    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.family(name, help, MetricType::Gauge)
            .push(Labels::from_pairs(labels.iter().copied()), value);
    }

    /// Adds a counter sample.
    pub fn counter(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.family(name, help, MetricType::Counter)
            .push(Labels::from_pairs(labels.iter().copied()), value);
    }

    /// Adds an untyped sample.
    pub fn untyped(&mut self, name: &str, help: &str, labels: &[(&str, &str)], value: f64) {
        self.family(name, help, MetricType::Untyped)
            .push(Labels::from_pairs(labels.iter().copied()), value);
    }

    /// Adds a whole family, merging samples into an existing one of the same name.
    pub fn extend_family(&mut self, family: MetricFamily) {
        let target = self.family(&family.name, &family.help, family.kind);
        target.samples.extend(family.samples);
    }

    /// The families collected so far.
    pub fn families(&self) -> &[MetricFamily] {
        &self.families
    }

    /// Consumes the batch, returning its families.
    pub fn into_families(self) -> Vec<MetricFamily> {
        self.families
    }

    /// Total number of samples.
    pub fn sample_count(&self) -> usize {
        self.families.iter().map(|f| f.samples.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_is_created_once_and_keeps_first_help() {
        let mut batch = Batch::new();
        batch.gauge("node_load1", "1m load average.", &[], 0.5);
        batch.gauge("node_load1", "ignored", &[("x", "y")], 0.7);
        assert_eq!(batch.families().len(), 1);
        assert_eq!(batch.families()[0].help, "1m load average.");
        assert_eq!(batch.sample_count(), 2);
    }
}
