//! Prometheus's template helpers for numbers: `humanize`, `humanize1024`, `humanizeDuration`,
//! `humanizePercentage`, and the Go-style `%g` and `printf` formatting they rest on.

/// Go's `%.{precision}g`: shortest of fixed and exponent form, trailing zeros removed.
pub fn format_g(value: f64, precision: usize) -> String {
    if value.is_nan() {
        return "NaN".to_owned();
    }
    if value.is_infinite() {
        return if value > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if value == 0.0 {
        return "0".to_owned();
    }
    let precision = precision.max(1);
    let scientific = format!("{:.*e}", precision - 1, value);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    if exponent < -4 || exponent >= precision as i32 {
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{}e{sign}{:02}", trim_zeros(mantissa), exponent.abs());
    }
    let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
    trim_zeros(&format!("{value:.decimals$}")).to_owned()
}

/// Go's `%v` for a float: the shortest exact representation (`91.26`, `1e+21`, `NaN`, `+Inf`).
pub fn format_shortest(value: f64) -> String {
    let magnitude = value.abs();
    if !value.is_finite() {
        return format_g(value, 4);
    }
    if value == 0.0 || (1e-4..1e21).contains(&magnitude) {
        return format!("{value}");
    }
    let text = format!("{value:e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) if exponent.starts_with('-') => {
            format!("{mantissa}e-{:0>2}", &exponent[1..])
        }
        Some((mantissa, exponent)) => format!("{mantissa}e+{exponent:0>2}"),
        None => text,
    }
}

fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// SI prefixes: `1234` → `1.234k`, `0.001` → `1m`.
pub fn humanize(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format_g(value, 4);
    }
    let mut v = value;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", format_g(v, 4))
}

/// Binary prefixes: `1048576` → `1Mi`.
pub fn humanize_1024(value: f64) -> String {
    if value.abs() <= 1.0 || !value.is_finite() {
        return format_g(value, 4);
    }
    let mut v = value;
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", format_g(v, 4))
}

/// Seconds as `1d 2h 3m 4s`, `5m 0s`, `1.5s`, `250ms`.
pub fn humanize_duration(value: f64) -> String {
    if !value.is_finite() {
        return format_g(value, 4);
    }
    if value == 0.0 {
        return "0s".to_owned();
    }
    if value.abs() >= 1.0 {
        let sign = if value < 0.0 { "-" } else { "" };
        let whole = value.abs() as i64;
        let (days, hours) = (whole / 86_400, (whole / 3600) % 24);
        let (minutes, seconds) = ((whole / 60) % 60, whole % 60);
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", format_g(value.abs(), 4))
        };
    }
    let mut v = value;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", format_g(v, 4))
}

/// A ratio as a percentage: `0.1234` → `12.34%`.
pub fn humanize_percentage(value: f64) -> String {
    format!("{}%", format_g(value * 100.0, 4))
}

/// An argument of `printf`.
#[derive(Clone, Debug, PartialEq)]
pub enum FormatArg {
    /// A number.
    Number(f64),
    /// A string.
    Text(String),
}

/// Go's `printf` for the verbs templates use: `%f %e %g %d %s %v %q %%`, with width and precision.
pub fn printf(format: &str, args: &[FormatArg]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next_arg = args.iter();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&d) = chars.peek() {
            if d.is_ascii_digit() || d == '.' || d == '-' || d == '+' {
                spec.push(d);
                chars.next();
            } else {
                break;
            }
        }
        let verb = chars.next().ok_or("printf format ends inside a verb")?;
        if verb == '%' {
            out.push('%');
            continue;
        }
        let arg = next_arg
            .next()
            .ok_or("printf has fewer arguments than verbs")?;
        out.push_str(&format_verb(&spec, verb, arg)?);
    }
    Ok(out)
}

fn format_verb(spec: &str, verb: char, arg: &FormatArg) -> Result<String, String> {
    let left = spec.starts_with('-');
    let spec = spec.trim_start_matches(['-', '+']);
    let (width, precision) = match spec.split_once('.') {
        Some((w, p)) => (w.parse().unwrap_or(0), Some(p.parse().unwrap_or(0))),
        None => (spec.parse().unwrap_or(0), None),
    };
    let number = match arg {
        FormatArg::Number(n) => Some(*n),
        FormatArg::Text(t) => t.trim().parse::<f64>().ok(),
    };
    let need_number = || number.ok_or_else(|| format!("printf %{verb} needs a number"));
    let text = match verb {
        'f' | 'F' => format!("{:.*}", precision.unwrap_or(6), need_number()?),
        'e' => format!("{:.*e}", precision.unwrap_or(6), need_number()?),
        'g' => format_g(need_number()?, precision.unwrap_or(17)),
        'd' => format!("{}", need_number()?.trunc() as i64),
        's' | 'v' => match arg {
            FormatArg::Number(n) => format_shortest(*n),
            FormatArg::Text(t) => t.clone(),
        },
        'q' => match arg {
            FormatArg::Number(n) => format!("{:?}", format_shortest(*n)),
            FormatArg::Text(t) => format!("{t:?}"),
        },
        other => return Err(format!("printf verb %{other} is not supported")),
    };
    Ok(if left {
        format!("{text:<width$}")
    } else {
        format!("{text:>width$}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_format() {
        assert_eq!(format_g(1234.5, 4), "1234");
        assert_eq!(format_g(1.5, 4), "1.5");
        assert_eq!(format_g(12345.0, 4), "1.234e+04");
        assert_eq!(format_g(0.0001234, 4), "0.0001234");
        assert_eq!(format_g(f64::INFINITY, 4), "+Inf");
        assert_eq!(format_shortest(91.26), "91.26");
        assert_eq!(format_shortest(1e21), "1e+21");
        assert_eq!(format_shortest(1.5e-7), "1.5e-07");
    }

    #[test]
    fn humanizers_match_prometheus() {
        assert_eq!(humanize(1234567.0), "1.235M");
        assert_eq!(humanize(0.0012), "1.2m");
        assert_eq!(humanize(12.0), "12");
        assert_eq!(humanize_1024(1048576.0), "1Mi");
        assert_eq!(humanize_1024(1536.0), "1.5ki");
        assert_eq!(humanize_duration(90061.0), "1d 1h 1m 1s");
        assert_eq!(humanize_duration(300.0), "5m 0s");
        assert_eq!(humanize_duration(1.5), "1.5s");
        assert_eq!(humanize_duration(0.25), "250ms");
        assert_eq!(humanize_percentage(0.1234), "12.34%");
    }

    #[test]
    fn printf_verbs() {
        let args = [FormatArg::Number(91.256), FormatArg::Text("/".into())];
        assert_eq!(printf("%.1f%% on %s", &args).unwrap(), "91.3% on /");
        assert_eq!(
            printf("%5d|", &[FormatArg::Number(42.9)]).unwrap(),
            "   42|"
        );
        assert!(printf("%f %f", &[FormatArg::Number(1.0)]).is_err());
        assert!(printf("%f", &[FormatArg::Text("x".into())]).is_err());
    }
}
