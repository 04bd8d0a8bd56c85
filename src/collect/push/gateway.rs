//! Pushgateway groups in the push store. PUT replaces a whole group, POST replaces only the
//! families it pushes, DELETE removes the group. Stored samples keep their exposed label set
//! (interned): their own labels plus `job`, the grouping labels and an empty `instance` when
//! none is set, as Pushgateway does; `push_time_seconds` is added per group on the way out.
//! A pushed label that is also a grouping label is overridden by the grouping key's value.

use super::accounting::{Delta, PushSource};
use super::error::{Limit, PushError};
use super::grouping::GroupingKey;
use super::intern::LabelKey;
use super::store::{Applied, PushStore, unix_seconds};
use crate::metrics::{MetricFamily, MetricType, Sample};
use crate::model::Labels;
use std::collections::BTreeMap;
use std::time::SystemTime;

/// How a Pushgateway push treats the group's existing families.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushMethod {
    /// `PUT`: the push replaces every family of the group.
    Put,
    /// `POST`: the push replaces only the families it contains.
    Post,
}

#[derive(Debug)]
pub(super) struct StoredSample {
    suffix: &'static str,
    key: LabelKey,
    value: f64,
}

#[derive(Debug)]
pub(super) struct GroupFamily {
    help: String,
    pub(super) kind: MetricType,
    pub(super) samples: Vec<StoredSample>,
    pub(super) pushed_at: u64,
}

#[derive(Debug, Default)]
pub(super) struct Group {
    pub(super) pushed_at: u64,
    pub(super) families: BTreeMap<String, GroupFamily>,
}

/// Every Pushgateway group, by grouping key.
#[derive(Debug, Default)]
pub struct Gateway {
    pub(super) groups: BTreeMap<GroupingKey, Group>,
}

impl Gateway {
    /// The families of every group merged by name (one HELP/TYPE per name), plus
    /// `push_time_seconds`.
    pub fn families(&self) -> Vec<MetricFamily> {
        let mut merged: BTreeMap<&str, MetricFamily> = BTreeMap::new();
        let mut push_time = MetricFamily::new(
            "push_time_seconds",
            "Last Unix time when changing this group in the Pushgateway succeeded.",
            MetricType::Gauge,
        );
        for (key, group) in &self.groups {
            for (name, family) in &group.families {
                let target = merged.entry(name).or_insert_with(|| {
                    MetricFamily::new(name.as_str(), family.help.as_str(), family.kind)
                });
                for sample in &family.samples {
                    target.samples.push(Sample {
                        suffix: sample.suffix,
                        labels: sample.key.clone(),
                        value: sample.value,
                    });
                }
            }
            push_time.push(with_instance(key.labels().clone()), group.pushed_at as f64);
        }
        let mut out: Vec<MetricFamily> = merged.into_values().collect();
        out.push(push_time);
        out
    }
}

/// Adds `instance=""` when a series has no instance label, as Pushgateway does.
fn with_instance(mut labels: Labels) -> Labels {
    if labels.get("instance").is_none() {
        labels.insert("instance", "");
    }
    labels
}

impl PushStore {
    /// Applies a Pushgateway push (`parse_text` output) to `group` whole, or not at all.
    pub fn push_group(
        &mut self,
        group: &GroupingKey,
        method: PushMethod,
        families: Vec<MetricFamily>,
        now: SystemTime,
    ) -> Result<Applied, PushError> {
        let result = self.try_push_group(group, method, families, unix_seconds(now));
        if result.is_err() {
            self.interner.collect_garbage();
        }
        result
    }

    fn try_push_group(
        &mut self,
        group: &GroupingKey,
        method: PushMethod,
        families: Vec<MetricFamily>,
        now: u64,
    ) -> Result<Applied, PushError> {
        let mut prepared: BTreeMap<String, GroupFamily> = BTreeMap::new();
        for family in families.into_iter().filter(|f| !f.samples.is_empty()) {
            let stored = self.prepare_family(group, family, now)?;
            prepared.insert(stored.0, stored.1);
        }
        let old = self.gateway.groups.get(group);
        let old_series = |name: &str| {
            old.and_then(|g| g.families.get(name))
                .map_or(0, |f| f.samples.len())
        };
        let mut deltas: Vec<Delta<'_>> = Vec::new();
        for (name, family) in &prepared {
            let removed = old_series(name);
            self.accounting
                .check_owner(name, PushSource::Gateway, family.kind, removed)?;
            deltas.push(Delta {
                name,
                kind: family.kind,
                removed,
                added: family.samples.len(),
            });
        }
        if method == PushMethod::Put {
            for (name, family) in old.map(|g| &g.families).into_iter().flatten() {
                if !prepared.contains_key(name) {
                    deltas.push(removal(name, family));
                }
            }
        }
        self.accounting.check_limits(&deltas, &self.config.limits)?;
        let mut changed: Vec<String> = deltas.iter().map(|d| d.name.to_owned()).collect();
        changed.push("push_time_seconds".to_owned());
        let added = deltas
            .iter()
            .map(|d| d.added.saturating_sub(d.removed))
            .sum();
        let owned: Vec<(String, MetricType, usize, usize)> = deltas
            .iter()
            .map(|d| (d.name.to_owned(), d.kind, d.removed, d.added))
            .collect();
        let target = self.gateway.groups.entry(group.clone()).or_default();
        if method == PushMethod::Put {
            target.families.clear();
        }
        target.families.extend(prepared);
        target.pushed_at = now;
        self.commit_owned(&owned);
        Ok(gateway_applied(changed, added))
    }

    /// Checks one pushed family against the limits and stores its samples compactly.
    fn prepare_family(
        &mut self,
        group: &GroupingKey,
        family: MetricFamily,
        now: u64,
    ) -> Result<(String, GroupFamily), PushError> {
        if family.name.starts_with("watchpost_") || is_gateway_own(&family.name) {
            return Err(PushError::Conflict {
                name: family.name,
                message: "is reserved for watchpost itself".to_owned(),
            });
        }
        let limits = &self.config.limits;
        let grouping = group.labels();
        check_value_lengths(&family.name, grouping.iter(), limits.max_label_value_length)?;
        let mut samples = Vec::with_capacity(family.samples.len());
        let mut overridden = false;
        for sample in family.samples {
            let own: Vec<(&str, &str)> = sample
                .labels
                .iter()
                .filter(|(name, _)| grouping.get(name).is_none())
                .collect();
            overridden |= own.len() != sample.labels.len();
            let instance_added =
                grouping.get("instance").is_none() && sample.labels.get("instance").is_none();
            let count = own.len() + grouping.len() + usize::from(instance_added);
            if count > limits.max_labels_per_series {
                return Err(PushError::limit(
                    Limit::LabelsPerSeries,
                    limits.max_labels_per_series,
                    format!(
                        "a sample of {} has {count} labels with the grouping key",
                        family.name
                    ),
                ));
            }
            check_value_lengths(
                &family.name,
                own.iter().copied(),
                limits.max_label_value_length,
            )?;
            let instance = instance_added.then_some(("instance", ""));
            let exposed = own.iter().copied().chain(grouping.iter()).chain(instance);
            samples.push(StoredSample {
                suffix: sample.suffix,
                key: self.interner.key(exposed),
                value: sample.value,
            });
        }
        if overridden {
            check_unique_after_override(&family.name, &mut samples)?;
        }
        Ok((
            family.name,
            GroupFamily {
                help: family.help,
                kind: family.kind,
                samples,
                pushed_at: now,
            },
        ))
    }

    /// Removes a group (`DELETE /metrics/job/...`); removing an absent group is a no-op.
    pub fn delete_group(&mut self, group: &GroupingKey) -> Applied {
        let Some(removed) = self.gateway.groups.remove(group) else {
            return Applied::default();
        };
        let owned: Vec<(String, MetricType, usize, usize)> = removed
            .families
            .iter()
            .map(|(name, family)| (name.clone(), family.kind, family.samples.len(), 0))
            .collect();
        drop(removed);
        self.commit_owned(&owned);
        self.interner.collect_garbage();
        gateway_applied(owned.into_iter().map(|(name, ..)| name).collect(), 0)
    }

    pub(super) fn commit_owned(&mut self, owned: &[(String, MetricType, usize, usize)]) {
        let deltas: Vec<Delta<'_>> = owned
            .iter()
            .map(|(name, kind, removed, added)| Delta {
                name,
                kind: *kind,
                removed: *removed,
                added: *added,
            })
            .collect();
        self.accounting.commit(PushSource::Gateway, &deltas);
    }
}

fn check_value_lengths<'a>(
    family: &str,
    mut labels: impl Iterator<Item = (&'a str, &'a str)>,
    max: usize,
) -> Result<(), PushError> {
    match labels.find(|(_, value)| value.len() > max) {
        Some((name, value)) => Err(PushError::limit(
            Limit::LabelValueLength,
            max,
            format!("label {name} of {family} is {} bytes", value.len()),
        )),
        None => Ok(()),
    }
}

fn is_gateway_own(name: &str) -> bool {
    name == "push_time_seconds" || name == "push_failure_time_seconds"
}

fn removal<'a>(name: &'a str, family: &GroupFamily) -> Delta<'a> {
    Delta {
        name,
        kind: family.kind,
        removed: family.samples.len(),
        added: 0,
    }
}

fn gateway_applied(mut changed: Vec<String>, series_added: usize) -> Applied {
    changed.sort();
    changed.dedup();
    Applied {
        sources: vec![PushSource::Gateway],
        changed_metric_names: changed,
        series_added,
    }
}

/// Overriding pushed labels with the grouping key can make two samples equal; refuse that.
fn check_unique_after_override(name: &str, samples: &mut [StoredSample]) -> Result<(), PushError> {
    samples.sort_by(|a, b| (a.suffix, &a.key).cmp(&(b.suffix, &b.key)));
    if samples
        .windows(2)
        .any(|pair| pair[0].suffix == pair[1].suffix && pair[0].key == pair[1].key)
    {
        return Err(PushError::Conflict {
            name: name.to_owned(),
            message: "two samples become equal once the grouping key's labels override theirs"
                .to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "gateway_tests.rs"]
mod tests;
