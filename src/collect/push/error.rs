//! `PushError`: every way a push is refused, with the HTTP status it maps to and the `reason`
//! label of `watchpost_push_rejected_total`. A refused push has changed nothing.

use std::fmt;

/// A configured limit a push can break.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// `max_body_bytes`: the request body size.
    BodyBytes,
    /// `max_series`: series held in total.
    Series,
    /// `max_series_per_metric`: series of one metric name.
    SeriesPerMetric,
    /// `max_labels_per_series`: labels of one series.
    LabelsPerSeries,
    /// `max_label_value_length`: bytes of one label value.
    LabelValueLength,
}

impl Limit {
    /// The limit's name as written in config (`push.limits.<name>`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BodyBytes => "max_body_bytes",
            Self::Series => "max_series",
            Self::SeriesPerMetric => "max_series_per_metric",
            Self::LabelsPerSeries => "max_labels_per_series",
            Self::LabelValueLength => "max_label_value_length",
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a push was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PushError {
    /// The body is not valid JSON or has the wrong shape (`path` is e.g. `metrics[3].value`).
    #[error("invalid body: {path}: {message}")]
    Body {
        /// Where in the document the problem is (`.` for the top level).
        path: String,
        /// What serde reported.
        message: String,
    },
    /// A field parsed but its value is not acceptable (`metrics[0].name: invalid metric ...`).
    #[error("{field}: {message}")]
    Field {
        /// The failing field with its index, e.g. `requests[2].status`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A text-exposition body did not parse.
    #[error("line {line}: {message}")]
    Text {
        /// 1-based line number.
        line: usize,
        /// What is wrong on that line.
        message: String,
    },
    /// The Pushgateway URL path (`/metrics/job/<job>/...`) is malformed.
    #[error("invalid grouping key: {0}")]
    GroupingKey(String),
    /// A metric already exists with another type, or belongs to another push source.
    #[error("metric {name}: {message}")]
    Conflict {
        /// The metric name.
        name: String,
        /// What it conflicts with.
        message: String,
    },
    /// A configured limit would be exceeded.
    #[error("limit {limit} ({max}) exceeded: {detail}")]
    Limit {
        /// Which limit.
        limit: Limit,
        /// Its configured value.
        max: usize,
        /// What would have exceeded it.
        detail: String,
    },
}

impl PushError {
    /// A field error.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A limit error.
    pub fn limit(limit: Limit, max: usize, detail: impl Into<String>) -> Self {
        Self::Limit {
            limit,
            max,
            detail: detail.into(),
        }
    }

    /// The HTTP status: 413 body too large, 429 series limits, 400 everything else.
    pub fn status(&self) -> u16 {
        match self {
            Self::Limit {
                limit: Limit::BodyBytes,
                ..
            } => 413,
            Self::Limit {
                limit: Limit::Series | Limit::SeriesPerMetric,
                ..
            } => 429,
            _ => 400,
        }
    }

    /// The `reason` label value for `watchpost_push_rejected_total` (a bounded set).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Body { .. } => "invalid_body",
            Self::Field { .. } => "invalid_field",
            Self::Text { .. } => "invalid_text",
            Self::GroupingKey(_) => "invalid_grouping_key",
            Self::Conflict { .. } => "conflict",
            Self::Limit { limit, .. } => limit.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_kind_of_limit() {
        assert_eq!(PushError::limit(Limit::BodyBytes, 5, "x").status(), 413);
        assert_eq!(PushError::limit(Limit::Series, 5, "x").status(), 429);
        assert_eq!(
            PushError::limit(Limit::SeriesPerMetric, 5, "x").status(),
            429
        );
        assert_eq!(
            PushError::limit(Limit::LabelsPerSeries, 5, "x").status(),
            400
        );
        assert_eq!(PushError::field("metrics[0].name", "bad").status(), 400);
    }

    #[test]
    fn messages_name_the_limit_and_the_field() {
        let error = PushError::limit(Limit::Series, 10, "push adds 11 series");
        assert_eq!(
            error.to_string(),
            "limit max_series (10) exceeded: push adds 11 series"
        );
        assert_eq!(error.reason(), "max_series");
        let error = PushError::field("metrics[3].value", "must be a finite number");
        assert_eq!(
            error.to_string(),
            "metrics[3].value: must be a finite number"
        );
    }
}
