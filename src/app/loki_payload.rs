//! The body of a Loki push (`POST /loki/api/v1/push`, JSON): entries grouped into streams by
//! `service` and `level` plus the configured static labels; each line is a JSON object with the
//! message and the entry's metadata (a metadata key `message` is kept as `metadata_message`),
//! so LogQL's `| json` gets every field back. Pure: built from entries, no I/O.

use crate::store::StoredLog;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The JSON line of one entry.
pub fn loki_line(log: &StoredLog) -> String {
    let mut line = Map::new();
    line.insert("message".to_owned(), Value::String(log.message.clone()));
    for (key, value) in &log.metadata {
        let key = if key == "message" {
            "metadata_message".to_owned()
        } else {
            key.clone()
        };
        line.entry(key).or_insert_with(|| value.clone());
    }
    Value::Object(line).to_string()
}

/// The push body for `logs`, streams in label order, entries in arrival order per stream.
pub fn loki_body(logs: &[StoredLog], static_labels: &BTreeMap<String, String>) -> Value {
    let mut streams: BTreeMap<(&str, &str), Vec<Value>> = BTreeMap::new();
    for log in logs {
        let nanos = i128::from(log.timestamp_ms) * 1_000_000;
        streams
            .entry((log.service.as_str(), log.level.as_str()))
            .or_default()
            .push(json!([nanos.max(0).to_string(), loki_line(log)]));
    }
    let streams: Vec<Value> = streams
        .into_iter()
        .map(|((service, level), values)| {
            let mut labels: Map<String, Value> = static_labels
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            labels.insert("service".to_owned(), Value::String(service.to_owned()));
            labels.insert("level".to_owned(), Value::String(level.to_owned()));
            json!({"stream": labels, "values": values})
        })
        .collect();
    json!({ "streams": streams })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_by_service_and_level_with_static_labels() {
        let mut with_metadata = StoredLog::new(2, "error", "db", "timeout");
        with_metadata
            .metadata
            .insert("timeout_ms".into(), json!(5000));
        with_metadata
            .metadata
            .insert("message".into(), json!("inner"));
        let logs = [
            StoredLog::new(1, "info", "web", "a"),
            with_metadata,
            StoredLog::new(3, "info", "web", "b"),
        ];
        let labels = BTreeMap::from([("job".to_owned(), "watchpost".to_owned())]);
        let body = loki_body(&logs, &labels);
        let streams = body["streams"].as_array().unwrap();
        assert_eq!(streams.len(), 2);
        assert_eq!(
            streams[0]["stream"],
            json!({"job": "watchpost", "service": "db", "level": "error"})
        );
        assert_eq!(streams[1]["values"][1][0], "3000000");
        let line: Value =
            serde_json::from_str(streams[0]["values"][0][1].as_str().unwrap()).unwrap();
        assert_eq!(
            line,
            json!({"message": "timeout", "timeout_ms": 5000, "metadata_message": "inner"})
        );
    }
}
