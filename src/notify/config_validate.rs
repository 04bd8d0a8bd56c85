//! Semantic checks of the `notify:` section. Every problem carries its YAML path (e.g.
//! `notify.receivers[2].slack.webhook_url`) so the config loader can point at file:line:col.
//! Messages never include secret values.

use super::config::{InhibitRuleConfig, NotifyConfig, ReceiverConfig, RouteConfig};
use super::matcher::parse_matcher;
use super::payload_email::EmailTemplates;
use super::secret::Secret;
use std::collections::BTreeSet;

/// One problem: where (YAML path) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The YAML path, e.g. `notify.route.routes[0].matchers[1]`.
    pub path: String,
    /// What is wrong (lowercase, no secrets).
    pub message: String,
}

#[derive(Default)]
struct Problems(Vec<Problem>);

impl Problems {
    fn add(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    fn url(&mut self, path: String, url: &Secret) {
        let text = url.expose();
        let rest = text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"));
        if rest.is_none_or(|rest| rest.is_empty() || rest.starts_with('/')) {
            self.add(path, "must be an http:// or https:// URL with a host");
        }
    }

    fn matchers(&mut self, path: &str, matchers: &[String]) {
        for (i, text) in matchers.iter().enumerate() {
            if let Err(error) = parse_matcher(text) {
                self.add(format!("{path}[{i}]"), error.to_string());
            }
        }
    }
}

/// Every problem of `config`, rooted at `prefix` (normally `notify`).
pub fn validate(config: &NotifyConfig, prefix: &str) -> Vec<Problem> {
    let mut problems = Problems::default();
    let mut seen = BTreeSet::new();
    for (i, receiver) in config.receivers.iter().enumerate() {
        let path = format!("{prefix}.receivers[{i}]");
        if receiver.name.is_empty() {
            problems.add(format!("{path}.name"), "must not be empty");
        } else if !seen.insert(receiver.name.as_str()) {
            problems.add(
                format!("{path}.name"),
                format!("duplicate receiver name {:?}", receiver.name),
            );
        }
        check_receiver(&mut problems, &path, receiver);
    }
    if !config.route.matchers.is_empty() {
        problems.add(
            format!("{prefix}.route.matchers"),
            "the root route must not have matchers (it takes every alert)",
        );
    }
    check_route(
        &mut problems,
        config,
        &format!("{prefix}.route"),
        &config.route,
    );
    for (i, rule) in config.inhibit_rules.iter().enumerate() {
        check_inhibit(&mut problems, &format!("{prefix}.inhibit_rules[{i}]"), rule);
    }
    check_delivery(&mut problems, config, prefix);
    problems.0
}

fn check_receiver(problems: &mut Problems, path: &str, receiver: &ReceiverConfig) {
    if receiver.integrations().is_empty() {
        problems.add(
            path.to_owned(),
            "needs at least one of email, slack, webhook, alertmanager, log",
        );
    }
    if let Some(email) = &receiver.email {
        let path = format!("{path}.email");
        for (field, value) in [("host", &email.host), ("from", &email.from)] {
            if value.trim().is_empty() {
                problems.add(format!("{path}.{field}"), "must not be empty");
            }
        }
        if email.to.is_empty() {
            problems.add(format!("{path}.to"), "needs at least one recipient");
        }
        if email.password.is_empty() != email.username.is_empty() {
            problems.add(
                format!("{path}.password"),
                "username and password must be set together",
            );
        }
        if let Err((field, error)) = EmailTemplates::parse(email) {
            problems.add(format!("{path}.{field}"), error.to_string());
        }
    }
    if let Some(slack) = &receiver.slack {
        problems.url(format!("{path}.slack.webhook_url"), &slack.webhook_url);
    }
    if let Some(webhook) = &receiver.webhook {
        problems.url(format!("{path}.webhook.url"), &webhook.url);
    }
    if let Some(alertmanager) = &receiver.alertmanager {
        if alertmanager.urls.is_empty() {
            problems.add(
                format!("{path}.alertmanager.urls"),
                "needs at least one URL",
            );
        }
        for (i, url) in alertmanager.urls.iter().enumerate() {
            problems.url(format!("{path}.alertmanager.urls[{i}]"), url);
        }
    }
}

fn check_route(problems: &mut Problems, config: &NotifyConfig, path: &str, route: &RouteConfig) {
    if let Some(receiver) = &route.receiver
        && !config.has_receiver(receiver)
    {
        problems.add(
            format!("{path}.receiver"),
            format!("unknown receiver {receiver:?}"),
        );
    }
    problems.matchers(&format!("{path}.matchers"), &route.matchers);
    for (field, duration) in [
        ("group_interval", route.group_interval),
        ("repeat_interval", route.repeat_interval),
    ] {
        if duration.is_some_and(|d| d.is_zero()) {
            problems.add(format!("{path}.{field}"), "must be greater than zero");
        }
    }
    for (i, name) in route.group_by.iter().flatten().enumerate() {
        let valid = name == "..."
            || (!name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !valid {
            problems.add(
                format!("{path}.group_by[{i}]"),
                format!("{name:?} is not a label name"),
            );
        }
    }
    for (i, child) in route.routes.iter().enumerate() {
        check_route(problems, config, &format!("{path}.routes[{i}]"), child);
    }
}

fn check_inhibit(problems: &mut Problems, path: &str, rule: &InhibitRuleConfig) {
    problems.matchers(&format!("{path}.source_matchers"), &rule.source_matchers);
    problems.matchers(&format!("{path}.target_matchers"), &rule.target_matchers);
    if rule.source_matchers.is_empty() {
        problems.add(
            format!("{path}.source_matchers"),
            "needs at least one matcher",
        );
    }
    if rule.target_matchers.is_empty() {
        problems.add(
            format!("{path}.target_matchers"),
            "needs at least one matcher",
        );
    }
}

fn check_delivery(problems: &mut Problems, config: &NotifyConfig, prefix: &str) {
    let delivery = &config.delivery;
    let path = format!("{prefix}.delivery");
    if delivery.max_attempts == 0 {
        problems.add(format!("{path}.max_attempts"), "must be at least 1");
    }
    for (field, duration) in [
        ("max_age", delivery.max_age),
        ("initial_backoff", delivery.initial_backoff),
        ("attempt_timeout", delivery.attempt_timeout),
    ] {
        if duration.is_zero() {
            problems.add(format!("{path}.{field}"), "must be greater than zero");
        }
    }
    if delivery.max_backoff < delivery.initial_backoff {
        problems.add(
            format!("{path}.max_backoff"),
            "must not be shorter than initial_backoff",
        );
    }
    if let Some(name) = &config.fallback_receiver
        && !config.has_receiver(name)
    {
        problems.add(
            format!("{prefix}.fallback_receiver"),
            format!("unknown receiver {name:?}"),
        );
    }
}

/// Problems of rule `channels` naming receivers that do not exist (path given by the caller).
pub fn check_channels(config: &NotifyConfig, path: &str, channels: &[String]) -> Vec<Problem> {
    let mut problems = Problems::default();
    for (i, name) in channels.iter().enumerate() {
        if !config.has_receiver(name) {
            problems.add(format!("{path}[{i}]"), format!("unknown receiver {name:?}"));
        }
    }
    problems.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(yaml: &str) -> Vec<String> {
        let config: NotifyConfig = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{e}"));
        validate(&config, "notify")
            .into_iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect()
    }

    #[test]
    fn a_good_config_has_no_problems() {
        let yaml = r#"
receivers:
  - {name: hook, webhook: {url: "http://127.0.0.1:9000/x"}}
route: {receiver: hook, routes: [{matchers: [severity=critical], receiver: log}]}
inhibit_rules: [{source_matchers: [severity=critical], target_matchers: [severity=warning], equal: [instance]}]
"#;
        assert_eq!(problems(yaml), Vec::<String>::new());
    }

    #[test]
    fn reports_paths_without_secrets() {
        let yaml = r#"
receivers:
  - {name: a, log: {}}
  - {name: a}
  - {name: s, slack: {webhook_url: "hooks.slack.com/services/SECRET"}}
  - {name: m, email: {host: smtp, from: f, to: [], text: "{{ .Bad }}"}}
route:
  receiver: nobody
  matchers: [a=b]
  routes: [{matchers: ["sev=~\"(\""], group_interval: 0s, group_by: ["1x"]}]
inhibit_rules: [{source_matchers: [severity=critical]}]
delivery: {max_attempts: 0, initial_backoff: 10s, max_backoff: 1s}
fallback_receiver: gone
"#;
        let found = problems(yaml);
        let expected_prefixes = [
            "notify.receivers[1].name: duplicate receiver name \"a\"",
            "notify.receivers[1]: needs at least one of",
            "notify.receivers[2].slack.webhook_url: must be an http:// or https:// URL",
            "notify.receivers[3].email.to: needs at least one recipient",
            "notify.receivers[3].email.text: unknown field \".Bad\"",
            "notify.route.matchers: the root route must not have matchers",
            "notify.route.receiver: unknown receiver \"nobody\"",
            "notify.route.routes[0].matchers[0]: invalid regular expression",
            "notify.route.routes[0].group_interval: must be greater than zero",
            "notify.route.routes[0].group_by[0]: \"1x\" is not a label name",
            "notify.inhibit_rules[0].target_matchers: needs at least one matcher",
            "notify.delivery.max_attempts: must be at least 1",
            "notify.delivery.max_backoff: must not be shorter than initial_backoff",
            "notify.fallback_receiver: unknown receiver \"gone\"",
        ];
        for prefix in expected_prefixes {
            assert!(
                found.iter().any(|p| p.starts_with(prefix)),
                "missing {prefix:?} in {found:#?}"
            );
        }
        assert_eq!(found.len(), expected_prefixes.len(), "{found:#?}");
        assert!(!found.iter().any(|p| p.contains("SECRET")));
    }

    #[test]
    fn the_documented_example_is_valid() {
        let doc = include_str!("../../docs/notifications.md");
        let start = doc
            .find("```yaml\nnotify:\n")
            .map(|i| i + "```yaml\nnotify:\n".len());
        let yaml = start
            .and_then(|start| doc[start..].split("```").next())
            .unwrap_or_default();
        let yaml = yaml
            .replace("${SMTP_PASSWORD}", "pw")
            .replace(
                "${SLACK_WEBHOOK_URL}",
                "https://hooks.slack.com/services/T/B/X",
            )
            .replace("${HOOK_TOKEN}", "token");
        let unindented: Vec<&str> = yaml
            .lines()
            .map(|line| line.strip_prefix("  ").unwrap_or(line))
            .collect();
        assert!(unindented.len() > 40, "example not found");
        assert_eq!(problems(&unindented.join("\n")), Vec::<String>::new());
    }

    #[test]
    fn channels_must_name_receivers() {
        let config = NotifyConfig::default();
        let found = check_channels(
            &config,
            "rules[0].channels",
            &["log".into(), "slack".into()],
        );
        assert_eq!(
            found,
            [Problem {
                path: "rules[0].channels[1]".into(),
                message: "unknown receiver \"slack\"".into()
            }]
        );
    }
}
