//! Plain-text tables for the `alerts` and `silence` commands' output.

use serde_json::Value;

/// A string field as text (`-` when missing; numbers as written).
pub(crate) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".to_owned(),
        other => other.to_string(),
    }
}

/// Rows under a header, columns padded to their widest cell.
pub(crate) fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(header.iter().map(|h| (*h).to_owned()).collect())];
    lines.extend(rows.into_iter().map(line));
    lines.join("\n")
}

/// `alerts list` as a table: id, name, state, severity, value, since, labels.
pub(crate) fn alerts_table(body: &Value) -> String {
    let alerts = body["alerts"].as_array().cloned().unwrap_or_default();
    let rows = alerts
        .iter()
        .map(|a| {
            let labels = a["labels"].as_object().map(|m| {
                let pairs: Vec<String> = m
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "alertname" | "severity"))
                    .map(|(k, v)| format!("{k}={}", text(v)))
                    .collect();
                pairs.join(",")
            });
            [
                "alert_id",
                "name",
                "state",
                "severity",
                "current_value",
                "active_since",
            ]
            .iter()
            .map(|key| text(&a[*key]))
            .chain([labels.unwrap_or_default()])
            .collect()
        })
        .collect();
    table(
        &[
            "ID", "NAME", "STATE", "SEVERITY", "VALUE", "SINCE", "LABELS",
        ],
        rows,
    )
}

/// `silence list` as a table: id, status, ends, creator, comment, matchers.
pub(crate) fn silences_table(body: &Value) -> String {
    let silences = body["data"].as_array().cloned().unwrap_or_default();
    let rows = silences
        .iter()
        .map(|s| {
            let matchers: Vec<String> = s["matchers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(text)
                .collect();
            ["id", "status", "ends_at", "created_by", "comment"]
                .iter()
                .map(|key| text(&s[*key]))
                .chain([matchers.join(",")])
                .collect()
        })
        .collect();
    table(
        &["ID", "STATUS", "ENDS", "CREATED_BY", "COMMENT", "MATCHERS"],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tables_align_columns_and_show_missing_values() {
        let body = json!({"alerts": [
            {"alert_id": "00000000000000ff", "name": "Hot", "state": "firing", "severity": "critical",
             "current_value": 95.5, "active_since": "t", "labels": {"alertname": "Hot", "host": "a"}},
            {"alert_id": "1", "name": "LongerName", "state": "pending", "severity": "none",
             "current_value": null, "active_since": "t", "labels": {}}
        ]});
        let out = alerts_table(&body);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(
            lines[0].starts_with("ID                NAME        STATE"),
            "{out}"
        );
        assert!(
            lines[1].contains("95.5") && lines[1].ends_with("host=a"),
            "{out}"
        );
        assert!(lines[2].contains("pending  none      -"), "{out}");
        let silences = silences_table(
            &json!({"data": [{"id": "s1", "status": "active", "matchers": ["a=b", "c!=d"]}]}),
        );
        assert!(
            silences.lines().nth(1).unwrap().ends_with("a=b,c!=d"),
            "{silences}"
        );
    }
}
