//! TTL expiry of the push store: table series not updated within their metric's TTL,
//! Pushgateway families not pushed within it, and groups left empty. The caller runs
//! `expire(now)` on a tick and republishes the sources it reports.

use super::accounting::{Delta, PushSource};
use super::store::{Applied, PushStore, unix_seconds};
use std::collections::BTreeSet;
use std::time::SystemTime;

impl PushStore {
    /// Drops series older than their TTL; returns the names that lost series.
    pub fn expire(&mut self, now: SystemTime) -> Applied {
        let now = unix_seconds(now);
        let mut applied = Applied::default();
        let mut names: BTreeSet<String> = BTreeSet::new();
        for (&source, table) in &mut self.tables {
            let mut deltas = Vec::new();
            for (name, family) in table.iter_mut() {
                let Some(ttl) = self.config.ttl_of(name) else {
                    continue;
                };
                let removed = family.expire(now.saturating_sub(ttl.as_secs()));
                if removed > 0 {
                    deltas.push((name.clone(), family.kind(), removed));
                }
            }
            table.retain(|_, family| family.series_count() > 0);
            if deltas.is_empty() {
                continue;
            }
            let planned: Vec<Delta<'_>> = deltas
                .iter()
                .map(|(name, kind, removed)| Delta {
                    name,
                    kind: *kind,
                    removed: *removed,
                    added: 0,
                })
                .collect();
            self.accounting.commit(source, &planned);
            applied.sources.push(source);
            names.extend(deltas.into_iter().map(|(name, _, _)| name));
        }
        let gateway_names = self.expire_gateway(now);
        if !gateway_names.is_empty() {
            applied.sources.push(PushSource::Gateway);
            names.extend(gateway_names);
        }
        self.health.prune(now);
        self.interner.collect_garbage();
        applied.changed_metric_names = names.into_iter().collect();
        applied
    }

    /// Drops gateway families older than their TTL, and groups left empty and older than
    /// the default TTL; returns the names that lost series.
    fn expire_gateway(&mut self, now: u64) -> BTreeSet<String> {
        let mut owned = Vec::new();
        for group in self.gateway.groups.values_mut() {
            group.families.retain(|name, family| {
                let expired = self
                    .config
                    .ttl_of(name)
                    .is_some_and(|ttl| family.pushed_at.saturating_add(ttl.as_secs()) < now);
                if expired {
                    owned.push((name.clone(), family.kind, family.samples.len(), 0));
                }
                !expired
            });
        }
        let group_ttl = self.config.ttl_of("push_time_seconds");
        self.gateway.groups.retain(|_, group| {
            !group.families.is_empty()
                || group_ttl.is_none_or(|ttl| group.pushed_at.saturating_add(ttl.as_secs()) >= now)
        });
        self.commit_owned(&owned);
        owned.into_iter().map(|(name, ..)| name).collect()
    }
}
