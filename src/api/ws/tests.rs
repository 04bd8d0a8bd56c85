//! The WebSocket protocol on literal inputs: client messages, the publication diff, alert
//! events.

use super::messages::*;
use crate::app::GroupAlertEvent;
use crate::metrics::{Batch, Publication, Snapshot};
use crate::model::Labels;
use crate::rules::state::{AlertEvent, AlertInstance, AlertState, EventKind};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::SystemTime;

fn snapshot(values: &[(&str, f64)]) -> Arc<Snapshot> {
    let mut batch = Batch::new();
    for (service, value) in values {
        batch.counter(
            "http_requests_total",
            "Requests.",
            &[("service", service)],
            *value,
        );
    }
    batch.gauge("node_load1", "Load.", &[], 0.5);
    Arc::new(Snapshot {
        source: "push/requests".to_owned(),
        families: batch.into_families(),
        encoded: String::new(),
        collected_at: SystemTime::UNIX_EPOCH,
    })
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn parses_subscribe_and_names_the_bad_field() {
    assert_eq!(
        parse_client_message(r#"{"type":"subscribe","metrics":["node_load1"]}"#),
        Ok(ClientMessage::Subscribe {
            metrics: vec!["node_load1".to_owned()]
        })
    );
    let (field, message) =
        parse_client_message(r#"{"type":"subscribe","metrics":"x"}"#).unwrap_err();
    assert_eq!(field, "metrics", "{message}");
    let (field, _) = parse_client_message(r#"{"type":"dance"}"#).unwrap_err();
    assert_eq!(field, "type");
    let (field, _) =
        parse_client_message(r#"{"type":"subscribe","metrics":["a",""]}"#).unwrap_err();
    assert_eq!(field, "metrics[1]");
    assert!(parse_client_message("not json").is_err());
}

#[test]
fn only_changed_or_new_subscribed_series_are_sent() {
    let publication = Publication {
        previous: Some(snapshot(&[("auth", 1.0), ("docker", 5.0)])),
        current: snapshot(&[("auth", 2.0), ("docker", 5.0), ("qemu", 1.0)]),
    };
    let mut out = Vec::new();
    changed_updates(&publication, &names(&["http_requests_total"]), &mut out);
    assert_eq!(out.len(), 2, "{out:?}");
    let first: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
    assert_eq!(first["type"], "metric_update");
    assert_eq!(first["metric"], "http_requests_total");
    assert_eq!(first["labels"]["service"], "auth");
    assert_eq!(first["value"], 2.0);
    assert!(out[1].contains("qemu"));
    out.clear();
    changed_updates(&publication, &names(&["node_load1"]), &mut out);
    assert!(out.is_empty(), "an unchanged series is not resent: {out:?}");
    current_updates(&publication.current, &names(&["node_load1"]), &mut out);
    assert_eq!(out.len(), 1);
}

#[test]
fn firing_and_resolved_become_alert_events() {
    let labels = Labels::from_pairs([("alertname", "HighErrorRate"), ("severity", "critical")]);
    let alert = AlertInstance {
        fingerprint: labels.fingerprint(),
        labels,
        annotations: Labels::default(),
        state: AlertState::Firing,
        value: 0.25,
        active_since_ms: 0,
        fired_at_ms: Some(1_000),
        resolved_at_ms: None,
        resolved_value: None,
        keep_firing_since_ms: None,
    };
    let mut event = GroupAlertEvent {
        group: "application".to_owned(),
        event: AlertEvent {
            kind: EventKind::Firing,
            at_ms: 1_000,
            alert,
        },
    };
    let message: serde_json::Value = serde_json::from_str(&alert_event(&event).unwrap()).unwrap();
    assert_eq!(message["type"], "alert_firing");
    assert_eq!(message["labels"]["alertname"], "HighErrorRate");
    assert_eq!(message["value"], 0.25);
    assert_eq!(message["timestamp"], "1970-01-01T00:00:01.000Z");
    event.event.kind = EventKind::Resolved;
    assert!(alert_event(&event).unwrap().contains("alert_resolved"));
    event.event.kind = EventKind::Pending;
    assert!(alert_event(&event).is_none());
    assert!(heartbeat(SystemTime::UNIX_EPOCH).contains(r#""type":"heartbeat""#));
}
