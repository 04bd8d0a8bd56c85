//! Window functions over one series' samples in `(now - range, now]`, Prometheus semantics.
//!
//! `rate`, `increase` and `delta` extrapolate like Prometheus's `extrapolatedRate`: the change
//! between the first and last sample (with counter resets added back for rate/increase) is
//! stretched towards the window edges, to the edge when the gap to it is under 1.1 × the average
//! sample spacing, else by half a spacing, and never below a counter's zero point. `irate` and
//! `idelta` use the last two samples. Functions need at least 1 sample (2 for the rate family,
//! `deriv`, `predict_linear`); a series with too few yields nothing.

/// A function from a window of samples to one value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum WindowFunc {
    Avg,
    Min,
    Max,
    Sum,
    Count,
    Last,
    Present,
    Stddev,
    Stdvar,
    /// `quantile_over_time(φ, ...)`, φ fixed at compile time.
    Quantile(f64),
    Rate,
    Irate,
    Increase,
    Delta,
    Idelta,
    Changes,
    Resets,
    Deriv,
    /// `predict_linear(..., seconds)`, seconds fixed at compile time.
    PredictLinear(f64),
}

/// The window a function sees: its end (evaluation time minus offset) and length, in ms.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    pub end_ms: i64,
    pub range_ms: i64,
}

/// Resolves a window function by name (PromQL name or alias); `param` is the leading number
/// argument of `quantile_over_time` / `predict_linear`'s trailing one.
pub(crate) fn window_func(name: &str, param: Option<f64>) -> Option<WindowFunc> {
    let func = match name {
        "avg_over_time" | "avg" => WindowFunc::Avg,
        "min_over_time" | "min" => WindowFunc::Min,
        "max_over_time" | "max" => WindowFunc::Max,
        "sum_over_time" | "sum" => WindowFunc::Sum,
        "count_over_time" | "count" => WindowFunc::Count,
        "last_over_time" | "last" => WindowFunc::Last,
        "present_over_time" => WindowFunc::Present,
        "stddev_over_time" | "stddev" => WindowFunc::Stddev,
        "stdvar_over_time" | "stdvar" => WindowFunc::Stdvar,
        "quantile_over_time" | "quantile" => WindowFunc::Quantile(param?),
        "median_over_time" | "median" => WindowFunc::Quantile(0.5),
        "rate" => WindowFunc::Rate,
        "irate" => WindowFunc::Irate,
        "increase" => WindowFunc::Increase,
        "delta" => WindowFunc::Delta,
        "idelta" => WindowFunc::Idelta,
        "changes" => WindowFunc::Changes,
        "resets" => WindowFunc::Resets,
        "deriv" => WindowFunc::Deriv,
        "predict_linear" => WindowFunc::PredictLinear(param?),
        other => WindowFunc::Quantile(percentile_alias(other)?),
    };
    Some(func)
}

/// True when `name` takes a leading (`quantile`) or trailing (`predict_linear`) number.
pub(crate) fn needs_param(name: &str) -> bool {
    matches!(name, "quantile_over_time" | "quantile" | "predict_linear")
}

/// `p95` → 0.95, `p50` → 0.5, `p999` → 0.999, `p100` → 1.
fn percentile_alias(name: &str) -> Option<f64> {
    let digits = name.strip_prefix('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits == "100" {
        return Some(1.0);
    }
    format!("0.{digits}").parse().ok()
}

/// Applies `func` to `samples` (time-ordered, all inside the window); `scratch` is reused
/// space for the functions that need a copy of the values (quantiles), so a tick over many
/// series allocates once.
pub(crate) fn apply(
    func: WindowFunc,
    samples: &[(i64, f64)],
    window: Window,
    scratch: &mut Vec<f64>,
) -> Option<f64> {
    let (_, last) = *samples.last()?;
    let values = || samples.iter().map(|&(_, v)| v);
    let count = samples.len() as f64;
    Some(match func {
        WindowFunc::Avg => values().sum::<f64>() / count,
        WindowFunc::Min => values().fold(f64::NAN, f64::min),
        WindowFunc::Max => values().fold(f64::NAN, f64::max),
        WindowFunc::Sum => values().sum(),
        WindowFunc::Count => count,
        WindowFunc::Last => last,
        WindowFunc::Present => 1.0,
        WindowFunc::Stddev => variance(samples).sqrt(),
        WindowFunc::Stdvar => variance(samples),
        WindowFunc::Quantile(phi) => {
            scratch.clear();
            scratch.extend(values());
            quantile(phi, scratch)
        }
        WindowFunc::Rate => extrapolated_delta(samples, window, true)? / seconds(window.range_ms),
        WindowFunc::Increase => extrapolated_delta(samples, window, true)?,
        WindowFunc::Delta => extrapolated_delta(samples, window, false)?,
        WindowFunc::Irate => instant_delta(samples, true)?,
        WindowFunc::Idelta => instant_delta(samples, false)?,
        WindowFunc::Changes => count_steps(samples, |prev, next| prev != next),
        WindowFunc::Resets => count_steps(samples, |prev, next| next < prev),
        WindowFunc::Deriv => linear_regression(samples, window.end_ms)?.0,
        WindowFunc::PredictLinear(ahead) => {
            let (slope, intercept) = linear_regression(samples, window.end_ms)?;
            intercept + slope * ahead
        }
    })
}

fn seconds(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// Population variance (Welford), as Prometheus's `stdvar_over_time`.
fn variance(samples: &[(i64, f64)]) -> f64 {
    let (mut mean, mut m2, mut n) = (0.0, 0.0, 0.0);
    for &(_, value) in samples {
        n += 1.0;
        let delta = value - mean;
        mean += delta / n;
        m2 += delta * (value - mean);
    }
    m2 / n
}

/// Prometheus's quantile: linear interpolation between the closest ranks; φ outside [0, 1]
/// gives ±Inf, an empty set NaN. Reorders `values` (selects the two ranks, no full sort).
pub(crate) fn quantile(phi: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || phi.is_nan() {
        return f64::NAN;
    }
    if phi < 0.0 {
        return f64::NEG_INFINITY;
    }
    if phi > 1.0 {
        return f64::INFINITY;
    }
    let rank = phi * (values.len() - 1) as f64;
    let lower = rank.floor() as usize;
    let weight = rank - rank.floor();
    let (_, &mut below, above) = values.select_nth_unstable_by(lower, f64::total_cmp);
    if weight == 0.0 {
        // An exact rank: the value above must not leak in (0 × NaN is NaN).
        return below;
    }
    // The next rank is the least of the values ordered after `lower` (itself at the top).
    let next = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(below);
    below * (1.0 - weight) + next * weight
}

fn count_steps(samples: &[(i64, f64)], step: impl Fn(f64, f64) -> bool) -> f64 {
    samples
        .windows(2)
        .filter(|pair| step(pair[0].1, pair[1].1))
        .count() as f64
}

/// The last two samples' difference (per second for `irate`), a counter reset counting from 0.
fn instant_delta(samples: &[(i64, f64)], is_rate: bool) -> Option<f64> {
    let [.., (t0, v0), (t1, v1)] = *samples else {
        return None;
    };
    if !is_rate {
        return Some(v1 - v0);
    }
    let change = if v1 < v0 { v1 } else { v1 - v0 };
    Some(change / seconds(t1 - t0))
}

/// Prometheus's `extrapolatedRate` without the per-second division.
fn extrapolated_delta(samples: &[(i64, f64)], window: Window, is_counter: bool) -> Option<f64> {
    let [(first_t, first_v), .., (last_t, last_v)] = *samples else {
        return None;
    };
    let mut result = last_v - first_v;
    if is_counter {
        let mut previous = first_v;
        for &(_, value) in &samples[1..] {
            if value < previous {
                result += previous;
            }
            previous = value;
        }
    }
    let range_start = window.end_ms - window.range_ms;
    let sampled = seconds(last_t - first_t);
    let average_gap = sampled / (samples.len() - 1) as f64;
    let threshold = average_gap * 1.1;
    let mut to_start = seconds(first_t - range_start);
    let mut to_end = seconds(window.end_ms - last_t);
    if to_start >= threshold {
        to_start = average_gap / 2.0;
    }
    if is_counter && result > 0.0 && first_v >= 0.0 {
        let to_zero = sampled * (first_v / result);
        to_start = to_start.min(to_zero);
    }
    if to_end >= threshold {
        to_end = average_gap / 2.0;
    }
    Some(result * (sampled + to_start + to_end) / sampled)
}

/// Least-squares slope (per second) and value at `at_ms`.
fn linear_regression(samples: &[(i64, f64)], at_ms: i64) -> Option<(f64, f64)> {
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let (mut sum_x, mut sum_y, mut sum_xy, mut sum_x2) = (0.0, 0.0, 0.0, 0.0);
    for &(t, v) in samples {
        let x = seconds(t - at_ms);
        sum_x += x;
        sum_y += v;
        sum_xy += x * v;
        sum_x2 += x * x;
    }
    let covariance = sum_xy - sum_x * sum_y / n;
    let variance = sum_x2 - sum_x * sum_x / n;
    let slope = covariance / variance;
    let intercept = sum_y / n - slope * sum_x / n;
    Some((slope, intercept))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: Window = Window {
        end_ms: 60_000,
        range_ms: 60_000,
    };

    #[test]
    fn names_and_aliases_resolve() {
        assert_eq!(window_func("avg", None), Some(WindowFunc::Avg));
        assert_eq!(window_func("p95", None), Some(WindowFunc::Quantile(0.95)));
        assert_eq!(window_func("p5", None), Some(WindowFunc::Quantile(0.5)));
        assert_eq!(window_func("p999", None), Some(WindowFunc::Quantile(0.999)));
        assert_eq!(window_func("quantile_over_time", None), None);
        assert_eq!(window_func("pxx", None), None);
        assert_eq!(window_func("nosuch", None), None);
    }

    #[test]
    fn empty_windows_yield_nothing_and_rates_need_two_samples() {
        assert_eq!(apply(WindowFunc::Avg, &[], WINDOW, &mut Vec::new()), None);
        assert_eq!(
            apply(WindowFunc::Rate, &[(1000, 1.0)], WINDOW, &mut Vec::new()),
            None
        );
        assert_eq!(
            apply(WindowFunc::Deriv, &[(1000, 1.0)], WINDOW, &mut Vec::new()),
            None
        );
        assert_eq!(
            apply(WindowFunc::Count, &[(1000, 1.0)], WINDOW, &mut Vec::new()),
            Some(1.0)
        );
    }

    #[test]
    fn quantile_edges() {
        assert!(quantile(0.5, &mut []).is_nan());
        assert_eq!(quantile(-0.1, &mut [1.0]), f64::NEG_INFINITY);
        assert_eq!(quantile(0.0, &mut [3.0, 1.0, 2.0]), 1.0);
        assert_eq!(quantile(0.25, &mut [4.0, 1.0, 2.0, 3.0, 5.0]), 2.0);
        assert_eq!(quantile(1.0, &mut [4.0, 1.0, 2.0]), 4.0);
        assert!((quantile(0.9, &mut [10.0, 0.0, 5.0, 7.0]) - 9.1).abs() < 1e-9);
        assert_eq!(
            quantile(0.5, &mut [2.0, f64::NAN, 1.0]),
            2.0,
            "NaN orders last"
        );
    }

    #[test]
    fn rate_over_a_full_window_is_slope() {
        // Samples exactly on the window edges: no extrapolation needed.
        let samples = [(0, 0.0), (30_000, 30.0), (60_000, 60.0)];
        let window = Window {
            end_ms: 60_000,
            range_ms: 61_000,
        };
        let rate = apply(WindowFunc::Rate, &samples, window, &mut Vec::new()).unwrap_or(f64::NAN);
        assert!((rate - 60.0 / 61.0).abs() < 1e-9, "{rate}");
    }
}
