//! The routing tree (Alertmanager semantics) and rule `channels` that bypass it.
//!
//! An alert enters at the root and descends depth-first: the first matching child takes it
//! unless that child has `continue: true`, in which case later siblings are tried too; a route
//! none of whose children match takes the alert itself. Children inherit the receiver,
//! `group_by` and the three timers they leave unset. A rule naming `channels` sends straight to
//! those receivers with the root's grouping and timers.

use super::alert::Alert;
use super::config::{DEFAULT_RECEIVER, RouteConfig};
use super::matcher::{Matcher, MatcherError, display_all, matches_all, parse_matcher};
use crate::model::Labels;
use std::time::Duration;

/// How alerts are split into groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// By the values of these labels (empty: one group per route).
    Labels(Vec<String>),
    /// By every label (`group_by: ["..."]`): one group per alert.
    All,
}

impl GroupBy {
    /// The group labels of `labels` under this grouping.
    pub fn group_labels(&self, labels: &Labels) -> Labels {
        match self {
            Self::All => labels.clone(),
            Self::Labels(names) => Labels::from_pairs(
                names
                    .iter()
                    .filter_map(|name| labels.get(name).map(|value| (name.clone(), value))),
            ),
        }
    }
}

/// The three grouping timers of a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Before the first flush of a new group.
    pub group_wait: Duration,
    /// Between flushes of a group.
    pub group_interval: Duration,
    /// Before an unchanged firing group is sent again.
    pub repeat_interval: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            group_wait: Duration::from_secs(10),
            group_interval: Duration::from_secs(60),
            repeat_interval: Duration::from_secs(4 * 3600),
        }
    }
}

/// One compiled route.
#[derive(Clone, Debug)]
pub struct Route {
    /// Stable identity: the parent's key, `/`, the matchers and the child index.
    pub key: String,
    /// Receiver name.
    pub receiver: String,
    /// Grouping.
    pub group_by: GroupBy,
    /// Timers.
    pub timing: Timing,
    /// All must match for the route to take an alert.
    pub matchers: Vec<Matcher>,
    /// Keep trying later siblings after a match.
    pub continue_matching: bool,
    /// Child routes in order.
    pub routes: Vec<Route>,
}

/// Where one alert goes: one aggregation group's route and receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// The route key (or `channel:NAME` for rule channels).
    pub route_key: String,
    /// Receiver name.
    pub receiver: String,
    /// Grouping.
    pub group_by: GroupBy,
    /// Timers.
    pub timing: Timing,
}

impl Route {
    /// Compiles the root route: unset fields take the one-host defaults (`log`, 10s, 1m, 4h).
    pub fn compile_root(config: &RouteConfig) -> Result<Self, MatcherError> {
        let defaults = Self {
            key: String::new(),
            receiver: DEFAULT_RECEIVER.to_owned(),
            group_by: GroupBy::Labels(Vec::new()),
            timing: Timing::default(),
            matchers: Vec::new(),
            continue_matching: false,
            routes: Vec::new(),
        };
        Self::compile(config, &defaults, None)
    }

    fn compile(
        config: &RouteConfig,
        parent: &Self,
        index: Option<usize>,
    ) -> Result<Self, MatcherError> {
        let matchers = config
            .matchers
            .iter()
            .map(|text| parse_matcher(text))
            .collect::<Result<Vec<_>, _>>()?;
        let key = match index {
            None => display_all(&matchers),
            Some(i) => format!("{}/{}/{i}", parent.key, display_all(&matchers)),
        };
        let group_by = match &config.group_by {
            None => parent.group_by.clone(),
            Some(names) if names.iter().any(|n| n == "...") => GroupBy::All,
            Some(names) => GroupBy::Labels(names.clone()),
        };
        let timing = Timing {
            group_wait: config.group_wait.unwrap_or(parent.timing.group_wait),
            group_interval: config
                .group_interval
                .unwrap_or(parent.timing.group_interval),
            repeat_interval: config
                .repeat_interval
                .unwrap_or(parent.timing.repeat_interval),
        };
        let mut route = Self {
            key,
            receiver: config
                .receiver
                .clone()
                .unwrap_or_else(|| parent.receiver.clone()),
            group_by,
            timing,
            matchers,
            continue_matching: config.continue_matching,
            routes: Vec::new(),
        };
        for (i, child) in config.routes.iter().enumerate() {
            let compiled = Self::compile(child, &route, Some(i))?;
            route.routes.push(compiled);
        }
        Ok(route)
    }

    /// The routes that take `labels`, depth-first; empty only when this route does not match.
    pub fn match_labels(&self, labels: &Labels) -> Vec<&Route> {
        if !matches_all(&self.matchers, labels) {
            return Vec::new();
        }
        let mut taken = Vec::new();
        for child in &self.routes {
            let child_taken = child.match_labels(labels);
            if child_taken.is_empty() {
                continue;
            }
            taken.extend(child_taken);
            if !child.continue_matching {
                break;
            }
        }
        if taken.is_empty() {
            taken.push(self);
        }
        taken
    }

    /// Where `alert` goes: its rule `channels` if any (the tree is bypassed), else the tree.
    pub fn destinations(&self, alert: &Alert) -> Vec<Destination> {
        if !alert.channels.is_empty() {
            let mut names: Vec<&String> = alert.channels.iter().collect();
            names.sort();
            names.dedup();
            return names
                .into_iter()
                .map(|name| Destination {
                    route_key: format!("channel:{name}"),
                    receiver: name.clone(),
                    group_by: self.group_by.clone(),
                    timing: self.timing,
                })
                .collect();
        }
        self.match_labels(&alert.labels)
            .into_iter()
            .map(|route| Destination {
                route_key: route.key.clone(),
                receiver: route.receiver.clone(),
                group_by: route.group_by.clone(),
                timing: route.timing,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::alert::tests::firing;

    fn tree() -> Route {
        let yaml = r#"
receiver: default
group_by: [alertname]
routes:
  - matchers: [severity=critical]
    receiver: pager
    group_wait: 0s
    continue: true
    routes:
      - matchers: [team=db]
        receiver: dba
  - matchers: ['severity=~"critical|warning"']
    receiver: slack
    group_by: ["..."]
  - matchers: [severity=info]
    receiver: never
"#;
        let config: RouteConfig = serde_yaml::from_str(yaml).unwrap_or_default();
        match Route::compile_root(&config) {
            Ok(route) => route,
            Err(error) => panic!("{error}"),
        }
    }

    fn receivers(route: &Route, alert: &Alert) -> Vec<String> {
        route
            .destinations(alert)
            .into_iter()
            .map(|d| d.receiver)
            .collect()
    }

    #[test]
    fn depth_first_with_continue() {
        let root = tree();
        assert_eq!(
            receivers(&root, &firing("A", "critical", "x", 0)),
            ["pager", "slack"]
        );
        assert_eq!(receivers(&root, &firing("A", "warning", "x", 0)), ["slack"]);
        assert_eq!(receivers(&root, &firing("A", "none", "x", 0)), ["default"]);
        let mut db = firing("A", "critical", "x", 0);
        db.labels.insert("team", "db");
        assert_eq!(receivers(&root, &db), ["dba", "slack"]);
    }

    #[test]
    fn children_inherit_grouping_and_timers() {
        let root = tree();
        let pager = &root.routes[0];
        assert_eq!(pager.timing.group_wait, Duration::ZERO);
        assert_eq!(pager.timing.repeat_interval, Duration::from_secs(4 * 3600));
        assert_eq!(pager.routes[0].timing.group_wait, Duration::ZERO);
        assert_eq!(
            pager.group_by,
            GroupBy::Labels(vec!["alertname".to_owned()])
        );
        assert_eq!(root.routes[1].group_by, GroupBy::All);
        assert_eq!(
            pager.routes[0].key,
            r#"{}/{severity="critical"}/0/{team="db"}/0"#
        );
    }

    #[test]
    fn channels_bypass_the_tree() {
        let mut alert = firing("A", "critical", "x", 0);
        alert.channels = vec!["slack".to_owned(), "email".to_owned(), "slack".to_owned()];
        let destinations = tree().destinations(&alert);
        let names: Vec<&str> = destinations.iter().map(|d| d.receiver.as_str()).collect();
        assert_eq!(names, ["email", "slack"]);
        assert_eq!(destinations[0].route_key, "channel:email");
        assert_eq!(destinations[0].timing.group_wait, Duration::from_secs(10));
    }

    #[test]
    fn empty_config_routes_everything_to_log() {
        let root = Route::compile_root(&RouteConfig::default());
        let root = root.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(receivers(&root, &firing("A", "critical", "x", 0)), ["log"]);
        let labels = Labels::from_pairs([("alertname", "A"), ("x", "1")]);
        let by = GroupBy::Labels(vec!["alertname".to_owned(), "missing".to_owned()]);
        assert_eq!(
            by.group_labels(&labels),
            Labels::from_pairs([("alertname", "A")])
        );
    }
}
