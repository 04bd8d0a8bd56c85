//! `watchpost test rules TESTFILE...`: rule unit tests in promtool's format (`rule_files`,
//! `evaluation_interval`, `tests[].input_series` in expanding notation, `alert_rule_test` with
//! `eval_time`, `alertname`, `exp_alerts`). Input series go into a `metrics::History`; every group
//! is evaluated at each `evaluation_interval` step, and the firing alerts of `alertname` at the
//! last step not after `eval_time` are compared with the expected ones (labels and annotations,
//! exactly, `alertname` added to the expected labels as promtool does).

use super::file::load_rule_files;
use super::glob::expand_glob;
use super::group::GroupState;
use super::state::AlertState;
use super::unittest_series::{Point, expand_values, parse_series};
use crate::metrics::History;
use crate::model::Labels;
use crate::model::duration::{format_duration, serde_duration, serde_opt_duration};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    rule_files: Vec<String>,
    #[serde(default, with = "serde_opt_duration")]
    evaluation_interval: Option<Duration>,
    #[serde(default)]
    group_eval_order: Vec<String>,
    #[serde(default)]
    fuzzy_compare: bool,
    #[serde(default)]
    tests: Vec<TestGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    #[serde(default, with = "serde_opt_duration")]
    interval: Option<Duration>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    input_series: Vec<InputSeries>,
    #[serde(default)]
    alert_rule_test: Vec<AlertTest>,
    #[serde(default)]
    promql_expr_test: Vec<serde_yaml::Value>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSeries {
    series: String,
    values: serde_yaml::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertTest {
    #[serde(with = "serde_duration")]
    eval_time: Duration,
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<ExpectedAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedAlert {
    #[serde(default)]
    exp_labels: BTreeMap<String, String>,
    #[serde(default)]
    exp_annotations: BTreeMap<String, String>,
}

/// The outcome of one test file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The test file.
    pub path: PathBuf,
    /// How many alert test cases ran.
    pub cases: usize,
    /// One readable message per failure (load errors included).
    pub failures: Vec<String>,
}

/// The outcome of every test file.
#[derive(Clone, Debug, Default)]
pub struct TestReport {
    /// One entry per file, in argument order.
    pub files: Vec<FileReport>,
}

impl TestReport {
    /// True when every test of every file passed.
    pub fn passed(&self) -> bool {
        self.files.iter().all(|f| f.failures.is_empty())
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for file in &self.files {
            writeln!(f, "Unit Testing: {}", file.path.display())?;
            if file.failures.is_empty() {
                writeln!(f, "  SUCCESS ({} alert test cases)", file.cases)?;
                continue;
            }
            writeln!(f, "  FAILED:")?;
            for failure in &file.failures {
                for line in failure.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// Runs every test file.
pub fn run_test_files(paths: &[PathBuf]) -> TestReport {
    TestReport {
        files: paths.iter().map(|p| run_test_file(p)).collect(),
    }
}

fn run_test_file(path: &Path) -> FileReport {
    let mut report = FileReport {
        path: path.to_owned(),
        ..FileReport::default()
    };
    let parsed = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read test file: {e}"))
        .and_then(|text| {
            serde_yaml::from_str::<TestFile>(&text).map_err(|e| format!("bad test file: {e}"))
        });
    let file = match parsed {
        Ok(file) => file,
        Err(message) => {
            report.failures.push(message);
            return report;
        }
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let rule_paths: Vec<PathBuf> = file
        .rule_files
        .iter()
        .flat_map(|p| expand_glob(p, base))
        .collect();
    let groups = match load_rule_files(&rule_paths) {
        Ok(groups) => groups,
        Err(diagnostics) => {
            report
                .failures
                .extend(diagnostics.iter().map(ToString::to_string));
            return report;
        }
    };
    let interval = file.evaluation_interval.unwrap_or(Duration::from_secs(60));
    for (index, test) in file.tests.iter().enumerate() {
        let label = match &test.name {
            Some(name) => format!("test {index} ({name})"),
            None => format!("test {index}"),
        };
        report.cases += test.alert_rule_test.len();
        let mut ordered = groups.clone();
        ordered.sort_by_key(|g| {
            file.group_eval_order
                .iter()
                .position(|n| *n == g.name)
                .unwrap_or(usize::MAX)
        });
        let failures = run_test_group(test, ordered, interval, file.fuzzy_compare);
        report
            .failures
            .extend(failures.into_iter().map(|f| format!("{label}: {f}")));
    }
    report
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The test's input series in a [`History`] that keeps every sample (no retention limit: the
/// whole test's data is loaded before the first evaluation).
fn load_series(test: &TestGroup, step: Duration) -> Result<History, String> {
    let source = History::new(Duration::MAX);
    for input in &test.input_series {
        let (name, labels) = parse_series(&input.series)?;
        let values = match &input.values {
            serde_yaml::Value::String(s) => s.clone(),
            other => serde_yaml::to_string(other).unwrap_or_default(),
        };
        for (i, point) in expand_values(&values)?.into_iter().enumerate() {
            let at = millis(step).saturating_mul(i as i64);
            match point {
                Point::Value(v) => source.insert(&name, &labels, at, v),
                Point::Stale => source.insert_stale(&name, &labels, at),
                Point::Missing => {}
            }
        }
    }
    Ok(source)
}

fn run_test_group(
    test: &TestGroup,
    groups: Vec<super::model::RuleGroup>,
    interval: Duration,
    fuzzy: bool,
) -> Vec<String> {
    let mut failures = Vec::new();
    if !test.promql_expr_test.is_empty() {
        failures.push(
            "promql_expr_test is not supported by watchpost (only alert_rule_test)".to_owned(),
        );
    }
    let _ = (&test.external_labels, &test.external_url);
    let source = match load_series(test, test.interval.unwrap_or(interval)) {
        Ok(source) => source,
        Err(message) => return vec![message],
    };
    let mut states: Vec<GroupState> = groups.into_iter().map(GroupState::new).collect();
    let mut cases: Vec<&AlertTest> = test.alert_rule_test.iter().collect();
    cases.sort_by_key(|c| c.eval_time);
    let step = millis(interval).max(1);
    let mut now = 0_i64;
    let mut pending_cases = cases.into_iter().peekable();
    while let Some(case) = pending_cases.peek() {
        let eval_ms = millis(case.eval_time);
        while now <= eval_ms {
            for group in &mut states {
                let evaluation = group.evaluate(&source, now);
                for (rule, message) in evaluation.errors {
                    failures.push(format!(
                        "rule {rule} at {}: {message}",
                        format_duration(Duration::from_millis(now as u64))
                    ));
                }
            }
            now += step;
        }
        while let Some(case) = pending_cases.next_if(|c| millis(c.eval_time) < now) {
            if let Some(failure) = check_case(case, &states, fuzzy) {
                failures.push(failure);
            }
        }
    }
    failures
}

type Alert = (Labels, Labels);

fn show(alerts: &[Alert]) -> String {
    if alerts.is_empty() {
        return "      (none)\n".to_owned();
    }
    alerts
        .iter()
        .map(|(labels, annotations)| format!("      {labels}\n        annotations {annotations}\n"))
        .collect()
}

fn check_case(case: &AlertTest, states: &[GroupState], _fuzzy: bool) -> Option<String> {
    let mut got: Vec<Alert> = states
        .iter()
        .flat_map(GroupState::active_alerts)
        .filter(|(rule, alert)| rule.name == case.alertname && alert.state == AlertState::Firing)
        .map(|(_, alert)| (alert.labels.clone(), alert.annotations.clone()))
        .collect();
    let mut expected: Vec<Alert> = case
        .exp_alerts
        .iter()
        .map(|e| {
            let labels =
                Labels::from_pairs(e.exp_labels.clone()).with("alertname", case.alertname.as_str());
            (labels, Labels::from_pairs(e.exp_annotations.clone()))
        })
        .collect();
    got.sort();
    expected.sort();
    if got == expected {
        return None;
    }
    let missing: Vec<Alert> = expected
        .iter()
        .filter(|e| !got.contains(e))
        .cloned()
        .collect();
    let unexpected: Vec<Alert> = got
        .iter()
        .filter(|g| !expected.contains(g))
        .cloned()
        .collect();
    Some(format!(
        "alertname {}, eval_time {}:\n    expected (missing from got):\n{}    got (not expected):\n{}",
        case.alertname,
        format_duration(case.eval_time),
        show(&missing),
        show(&unexpected),
    ))
}

#[cfg(test)]
#[path = "unittest_tests.rs"]
mod tests;
