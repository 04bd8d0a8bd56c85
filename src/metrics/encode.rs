//! The Prometheus text exposition format 0.0.4 encoder.

use super::family::MetricFamily;
use std::fmt::Write;

/// The `Content-Type` of the text format; Prometheus 3 refuses a scrape without a valid one.
pub const CONTENT_TYPE_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Appends `families` in the text format to `out`. Families without samples are skipped.
pub fn encode_families(families: &[MetricFamily], out: &mut String) {
    for family in families {
        if family.samples.is_empty() {
            continue;
        }
        out.push_str("# HELP ");
        out.push_str(&family.name);
        out.push(' ');
        escape_help(&family.help, out);
        out.push('\n');
        out.push_str("# TYPE ");
        out.push_str(&family.name);
        out.push(' ');
        out.push_str(family.kind.as_str());
        out.push('\n');
        for sample in &family.samples {
            out.push_str(&family.name);
            out.push_str(sample.suffix);
            if !sample.labels.is_empty() {
                out.push('{');
                for (i, (name, value)) in sample.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(name);
                    out.push_str("=\"");
                    escape_label_value(value, out);
                    out.push('"');
                }
                out.push('}');
            }
            out.push(' ');
            format_value(sample.value, out);
            out.push('\n');
        }
    }
}

/// Formats a sample value as Prometheus expects (`+Inf`, `-Inf`, `NaN`, shortest round-trip).
pub fn format_value(value: f64, out: &mut String) {
    if value.is_nan() {
        out.push_str("NaN");
    } else if value.is_infinite() {
        out.push_str(if value > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        // Display for f64 is the shortest representation that round-trips; it never fails.
        let _ = write!(out, "{value}");
    }
}

/// Escapes a label value: backslash, double quote and line feed.
pub fn escape_label_value(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Escapes a HELP text: backslash and line feed.
fn escape_help(help: &str, out: &mut String) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Batch, MetricType};

    #[test]
    fn encodes_help_type_labels_and_special_values() {
        let mut batch = Batch::new();
        batch.counter(
            "node_cpu_seconds_total",
            "Seconds the CPUs spent in each mode.",
            &[("cpu", "0"), ("mode", "idle")],
            12.5,
        );
        batch.gauge("weird", "a \\ b\nc", &[("v", "q\"\\\n")], f64::INFINITY);
        batch.family("empty", "skipped", MetricType::Gauge);
        let mut out = String::new();
        encode_families(batch.families(), &mut out);
        assert_eq!(
            out,
            "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n\
             # TYPE node_cpu_seconds_total counter\n\
             node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12.5\n\
             # HELP weird a \\\\ b\\nc\n\
             # TYPE weird gauge\n\
             weird{v=\"q\\\"\\\\\\n\"} +Inf\n"
        );
    }

    #[test]
    fn formats_values() {
        let mut out = String::new();
        for v in [3.0, -0.25, f64::NAN, f64::NEG_INFINITY, 1e21] {
            format_value(v, &mut out);
            out.push(' ');
        }
        assert_eq!(out, "3 -0.25 NaN -Inf 1000000000000000000000 ");
    }
}
