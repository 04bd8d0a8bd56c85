//! Panel builders shared by every dashboard: Prometheus and Loki queries, the panel kinds the
//! dashboards use (time series, stat, table, state timeline, logs), thresholds, and the grid
//! that gives each panel its id and position.

use serde_json::{Value, json};

/// The Prometheus datasource uid fixed by `grafana/provisioning/datasources/datasources.yml`.
pub const PROMETHEUS_UID: &str = "prometheus";
/// The Loki datasource uid fixed by the provisioning.
pub const LOKI_UID: &str = "loki";

/// Where a panel's queries go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The stack's Prometheus.
    Prometheus,
    /// The stack's Loki.
    Loki,
}

impl Source {
    /// The datasource reference by uid.
    pub fn reference(self) -> Value {
        match self {
            Source::Prometheus => json!({"type": "prometheus", "uid": PROMETHEUS_UID}),
            Source::Loki => json!({"type": "loki", "uid": LOKI_UID}),
        }
    }
}

/// One query of a panel with its legend.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// PromQL or LogQL.
    pub expr: String,
    /// The legend format (`{{service}}`); empty means Grafana's automatic legend.
    pub legend: String,
}

/// A query with a legend.
pub fn query(expr: impl Into<String>, legend: impl Into<String>) -> Query {
    Query {
        expr: expr.into(),
        legend: legend.into(),
    }
}

/// One threshold line: the value, its colour, and whether values *below* it are the bad side.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Where the line is drawn.
    pub value: f64,
    /// `orange`, `red`...
    pub color: String,
    /// True for `<` rules (the colour applies below the value).
    pub below: bool,
}

/// The colour of a severity's threshold line.
pub fn severity_color(severity: &str) -> &'static str {
    match severity {
        "critical" | "page" | "error" => "red",
        "warning" => "orange",
        _ => "yellow",
    }
}

/// What a panel is built from; `build` turns it into Grafana JSON.
#[derive(Clone, Debug)]
pub struct Panel {
    /// `timeseries`, `stat`, `table`, `state-timeline` or `logs`.
    pub kind: &'static str,
    /// The title.
    pub title: String,
    /// The description (hover text).
    pub description: String,
    /// The Grafana unit (`percent`, `bytes`, `s`...).
    pub unit: String,
    /// The queries.
    pub queries: Vec<Query>,
    /// Threshold lines (drawn as lines on time series, colours on stats).
    pub steps: Vec<Step>,
    /// The datasource.
    pub source: Source,
    /// Instant queries shown as a table (tables and stats of current values).
    pub instant: bool,
}

impl Panel {
    /// A Prometheus panel of `kind`.
    pub fn new(kind: &'static str, title: &str, unit: &str, queries: Vec<Query>) -> Self {
        Self {
            kind,
            title: title.to_owned(),
            description: String::new(),
            unit: unit.to_owned(),
            queries,
            steps: Vec::new(),
            source: Source::Prometheus,
            instant: matches!(kind, "table"),
        }
    }

    /// With a description.
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_owned();
        self
    }

    /// With threshold lines.
    pub fn thresholds(mut self, steps: Vec<Step>) -> Self {
        self.steps.extend(steps);
        self
    }

    /// Reading Loki instead of Prometheus.
    pub fn loki(mut self) -> Self {
        self.source = Source::Loki;
        self
    }

    /// The panel's JSON (id and gridPos are set by [`Grid`]).
    pub fn build(&self) -> Value {
        let targets: Vec<Value> = self
            .queries
            .iter()
            .enumerate()
            .map(|(i, q)| self.target(i, q))
            .collect();
        let mut panel = json!({
            "type": self.kind,
            "title": self.title,
            "datasource": self.source.reference(),
            "targets": targets,
            "fieldConfig": {"defaults": self.field_defaults(), "overrides": []},
            "options": self.options(),
        });
        if !self.description.is_empty() {
            panel["description"] = json!(self.description);
        }
        panel
    }

    fn target(&self, index: usize, q: &Query) -> Value {
        let ref_id = char::from(b'A' + u8::try_from(index % 26).unwrap_or(0)).to_string();
        let mut target = json!({
            "datasource": self.source.reference(),
            "refId": ref_id,
            "expr": q.expr,
            "legendFormat": if q.legend.is_empty() { "__auto" } else { q.legend.as_str() },
        });
        if self.source == Source::Prometheus {
            target["instant"] = json!(self.instant);
            target["range"] = json!(!self.instant);
            if self.kind == "table" {
                target["format"] = json!("table");
            }
        } else if self.kind == "logs" {
            target["queryType"] = json!("range");
        }
        target
    }

    fn field_defaults(&self) -> Value {
        let mut steps = vec![json!({"color": "green", "value": null})];
        let mut sorted = self.steps.clone();
        sorted.sort_by(|a, b| a.value.total_cmp(&b.value));
        if sorted.iter().any(|s| s.below) {
            steps = vec![json!({"color": sorted[0].color, "value": null})];
            steps.push(json!({"color": "green", "value": sorted[0].value}));
        } else {
            steps.extend(
                sorted
                    .iter()
                    .map(|s| json!({"color": s.color, "value": s.value})),
            );
        }
        let mut defaults = json!({
            "thresholds": {"mode": "absolute", "steps": steps},
            "color": {"mode": if self.kind == "timeseries" { "palette-classic" } else { "thresholds" }},
        });
        if !self.unit.is_empty() {
            defaults["unit"] = json!(self.unit);
        }
        if self.kind == "timeseries" {
            let style = if self.steps.is_empty() { "off" } else { "line" };
            defaults["custom"] = json!({
                "drawStyle": "line",
                "lineWidth": 1,
                "fillOpacity": 10,
                "showPoints": "never",
                "spanNulls": false,
                "thresholdsStyle": {"mode": style},
            });
        }
        defaults
    }

    fn options(&self) -> Value {
        match self.kind {
            "timeseries" => json!({
                "legend": {"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []},
                "tooltip": {"mode": "multi", "sort": "desc"},
            }),
            "stat" => json!({
                "graphMode": "area",
                "colorMode": "value",
                "justifyMode": "auto",
                "textMode": "auto",
                "wideLayout": true,
                "showPercentChange": false,
                "percentChangeColorMode": "standard",
                "orientation": "auto",
                "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false},
            }),
            "logs" => json!({
                "showLabels": false,
                "showCommonLabels": false,
                "showTime": true,
                "showLogContextToggle": true,
                "wrapLogMessage": true,
                "prettifyLogMessage": false,
                "enableLogDetails": true,
                "sortOrder": "Descending",
                "dedupStrategy": "none",
            }),
            "state-timeline" => json!({
                "mergeValues": true,
                "showValue": "never",
                "rowHeight": 0.9,
                "legend": {"displayMode": "list", "placement": "bottom", "showLegend": true},
                "tooltip": {"mode": "single", "sort": "none"},
            }),
            _ => {
                json!({"showHeader": true, "cellHeight": "sm", "footer": {"show": false, "reducer": ["sum"]}})
            }
        }
    }
}

/// Lays panels out left to right in rows of 24 columns and numbers them.
#[derive(Debug, Default)]
pub struct Grid {
    panels: Vec<Value>,
    x: u64,
    y: u64,
    row_height: u64,
    next_id: u64,
}

impl Grid {
    /// Starts a new row with a collapsed=false row header titled `title`.
    pub fn row(&mut self, title: &str) {
        self.newline();
        self.next_id += 1;
        self.panels.push(json!({
            "type": "row",
            "id": self.next_id,
            "title": title,
            "collapsed": false,
            "panels": [],
            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y},
        }));
        self.y += 1;
    }

    /// Places `panel` `width` columns wide and `height` rows high.
    pub fn place(&mut self, panel: &Panel, width: u64, height: u64) {
        if self.x + width > 24 {
            self.newline();
        }
        self.next_id += 1;
        let mut value = panel.build();
        value["id"] = json!(self.next_id);
        value["gridPos"] = json!({"h": height, "w": width, "x": self.x, "y": self.y});
        self.panels.push(value);
        self.x += width;
        self.row_height = self.row_height.max(height);
    }

    fn newline(&mut self) {
        self.y += self.row_height;
        self.x = 0;
        self.row_height = 0;
    }

    /// The panels placed so far.
    pub fn into_panels(self) -> Vec<Value> {
        self.panels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_time_series_with_threshold_lines() {
        let panel = Panel::new(
            "timeseries",
            "CPU",
            "percent",
            vec![query("cpu", "{{instance}}")],
        )
        .thresholds(vec![Step {
            value: 80.0,
            color: "orange".into(),
            below: false,
        }]);
        let json = panel.build();
        assert_eq!(
            json["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"],
            "line"
        );
        assert_eq!(
            json["fieldConfig"]["defaults"]["thresholds"]["steps"][1]["value"],
            80.0
        );
        assert_eq!(json["targets"][0]["datasource"]["uid"], "prometheus");
        assert_eq!(json["targets"][0]["legendFormat"], "{{instance}}");
    }

    #[test]
    fn below_thresholds_colour_the_low_side() {
        let panel =
            Panel::new("stat", "Sessions", "", vec![query("s", "")]).thresholds(vec![Step {
                value: 1.0,
                color: "orange".into(),
                below: true,
            }]);
        let steps = &panel.build()["fieldConfig"]["defaults"]["thresholds"]["steps"];
        assert_eq!(steps[0]["color"], "orange");
        assert_eq!(steps[1]["color"], "green");
    }

    #[test]
    fn grid_wraps_rows_and_numbers_panels() {
        let mut grid = Grid::default();
        grid.row("Row");
        let panel = Panel::new("stat", "A", "", vec![]);
        grid.place(&panel, 12, 4);
        grid.place(&panel, 12, 4);
        grid.place(&panel, 12, 4);
        let panels = grid.into_panels();
        assert_eq!(panels.len(), 4);
        assert_eq!(panels[3]["gridPos"]["y"], 5);
        assert_eq!(panels[3]["id"], 4);
    }
}
