//! Planning a table push before anything changes: label limits per operation, type and
//! owner conflicts, the catalogue's declared types, and how many series each name gains.

use super::accounting::{Delta, PushSource};
use super::config::{CatalogueType, PushConfig, PushLimits};
use super::error::{Limit, PushError};
use super::intern::LabelKey;
use super::json::PushKind;
use super::store::{Op, PushStore, metric_type};
use super::table::TableFamily;
use crate::metrics::MetricType;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

impl PushStore {
    /// Checks types and owners and counts the series each name gains.
    pub(super) fn plan_ops<'a>(
        &self,
        source: PushSource,
        ops: &[Op<'a>],
        keys: &[LabelKey],
    ) -> Result<Vec<Delta<'a>>, PushError> {
        let empty = BTreeMap::new();
        let table = self.tables.get(&source).unwrap_or(&empty);
        let mut new_families: HashMap<&str, MetricType> = HashMap::new();
        let mut new_series: HashSet<(&str, &LabelKey)> = HashSet::new();
        let mut added: BTreeMap<&str, (MetricType, usize)> = BTreeMap::new();
        for (op, key) in ops.iter().zip(keys) {
            let kind = metric_type(op.kind);
            let existing = table.get(op.name);
            let known = existing
                .map(TableFamily::kind)
                .or_else(|| new_families.get(op.name).copied());
            match known {
                Some(known) if known != kind => {
                    return Err(PushError::field(
                        format!("{}[{}].type", op.field, op.index),
                        format!(
                            "metric {} exists as a {}, pushed as a {}",
                            op.name,
                            known.as_str(),
                            kind.as_str()
                        ),
                    ));
                }
                Some(_) => {}
                None => {
                    self.accounting.check_owner(op.name, source, kind, 0)?;
                    check_catalogue(&self.config, op)?;
                    new_families.insert(op.name, kind);
                }
            }
            let is_new = !existing.is_some_and(|f| f.contains(key));
            if is_new && new_series.insert((op.name, key)) {
                let width = existing.map_or_else(|| self.width_of(op), TableFamily::width);
                added.entry(op.name).or_insert((kind, 0)).1 += width;
            }
        }
        Ok(added
            .into_iter()
            .map(|(name, (kind, added))| Delta {
                name,
                kind,
                removed: 0,
                added,
            })
            .collect())
    }

    fn width_of(&self, op: &Op<'_>) -> usize {
        match op.kind {
            PushKind::Histogram => bounds_of(&self.config, &self.buckets, op.name).len() + 3,
            _ => 1,
        }
    }
}

pub(super) fn check_op_labels(op: &Op<'_>, limits: &PushLimits) -> Result<(), PushError> {
    if op.labels.len() > limits.max_labels_per_series {
        return Err(PushError::limit(
            Limit::LabelsPerSeries,
            limits.max_labels_per_series,
            format!("{}[{}] has {} labels", op.field, op.index, op.labels.len()),
        ));
    }
    for (name, value) in &op.labels {
        if value.len() > limits.max_label_value_length {
            return Err(PushError::limit(
                Limit::LabelValueLength,
                limits.max_label_value_length,
                format!(
                    "{}[{}] label {name} is {} bytes",
                    op.field,
                    op.index,
                    value.len()
                ),
            ));
        }
    }
    Ok(())
}

fn check_catalogue(config: &PushConfig, op: &Op<'_>) -> Result<(), PushError> {
    let Some(entry) = config.catalogue_entry(op.name) else {
        return Ok(());
    };
    let declared = match entry.kind {
        CatalogueType::Counter => PushKind::Counter,
        CatalogueType::Gauge => PushKind::Gauge,
        CatalogueType::Histogram => PushKind::Histogram,
    };
    if declared == op.kind {
        return Ok(());
    }
    Err(PushError::field(
        format!("{}[{}].type", op.field, op.index),
        format!(
            "the catalogue (push.metrics) declares {} a {:?}",
            op.name, entry.kind
        )
        .to_lowercase(),
    ))
}

pub(super) fn new_family(config: &PushConfig, buckets: &Arc<[f64]>, op: &Op<'_>) -> TableFamily {
    let help = match (op.help, config.catalogue_entry(op.name)) {
        ("", Some(entry)) => entry.help.as_str(),
        (help, _) => help,
    };
    match op.kind {
        PushKind::Histogram => TableFamily::histogram(help, bounds_of(config, buckets, op.name)),
        kind => TableFamily::scalar(help, metric_type(kind)),
    }
}

fn bounds_of(config: &PushConfig, default: &Arc<[f64]>, name: &str) -> Arc<[f64]> {
    config
        .catalogue_entry(name)
        .and_then(|entry| entry.buckets.as_deref())
        .map_or_else(|| Arc::clone(default), Arc::from)
}
