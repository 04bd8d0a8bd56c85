"""Static checks of the compose stack that no vendor tool makes, used by validate-stack.sh.

Each subcommand prints what it checked and exits non-zero with one line per problem:
  alertmanager-env COMPOSE_JSON   print `export NAME=VALUE` lines of the alertmanager service's
                                  environment as docker compose resolved it (for render-config.sh)
  compose-policy COMPOSE_JSON     every service: a healthcheck, a restart policy, a pinned image
                                  tag (or a build); data in named volumes; no literal secrets
  grafana COMPOSE_JSON            datasource uids/types/urls match the compose services; the
                                  dashboard provider reads the folder ./dashboards is mounted at
  yaml FILE...                    each file parses as YAML
  panels SCHEMA_DIR FILE...       each dashboard panel's options (and a time series' fieldConfig
                                  custom block) against the panel schema of its type beside the
                                  dashboard schema (timeseries, stat, logs); other types pass
  alloy FILE                      Alloy syntax sanity (balanced blocks, references to declared
                                  components), since the alloy binary is not installable here
Runs in the venv validate-stack.sh creates (ruamel.yaml comes with check-jsonschema).
"""

import json
import re
import shlex
import sys
from pathlib import Path

from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parent.parent
EXPECTED_DATASOURCES = {
    "prometheus": ("prometheus", "prometheus", 9090),
    "loki": ("loki", "loki", 3100),
    "alertmanager": ("alertmanager", "alertmanager", 9093),
}
SECRET_NAMES = re.compile(r"PASSWORD|WEBHOOK_URL|TOKEN|SECRET", re.IGNORECASE)


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe").load(handle)


def finish(what, problems):
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        return 1
    print(f"checked: {what}")
    return 0


def alertmanager_env(compose_json):
    environment = load_json(compose_json)["services"]["alertmanager"].get("environment") or {}
    for name, value in sorted(environment.items()):
        print(f"export {name}={shlex.quote(value or '')}")
    return 0


def compose_policy(compose_json):
    config = load_json(compose_json)
    problems = []
    for name, service in sorted(config["services"].items()):
        if not service.get("healthcheck") or service["healthcheck"].get("disable"):
            problems.append(f"service {name} has no healthcheck")
        if service.get("restart") not in ("unless-stopped", "always", "on-failure"):
            problems.append(f"service {name} has no restart policy")
        image = service.get("image", "")
        if "build" not in service and (":" not in image or image.endswith(":latest")):
            problems.append(f"service {name} image {image!r} is not pinned to a tag")
        for mount in service.get("volumes", []):
            if mount.get("type") == "volume" and not mount.get("source"):
                problems.append(f"service {name} uses an anonymous volume at {mount['target']}")
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAMES.search(key) and value and not key.endswith("__FILE"):
                problems.append(f"service {name} gets secret {key} as a plain variable")
    return finish(f"{len(config['services'])} services: healthcheck, restart, pinned image", problems)


def grafana_mount_of(config, source_suffix):
    for mount in config["services"]["grafana"].get("volumes", []):
        if mount.get("type") == "bind" and mount.get("source", "").endswith(source_suffix):
            return mount["target"]
    return None


def grafana(compose_json):
    config = load_json(compose_json)
    problems = []
    datasources = load_yaml(REPO / "grafana/provisioning/datasources/datasources.yml")["datasources"]
    by_uid = {source.get("uid"): source for source in datasources}
    for uid, (kind, service, port) in EXPECTED_DATASOURCES.items():
        source = by_uid.get(uid)
        if source is None:
            problems.append(f"no datasource with uid {uid!r}")
            continue
        if source.get("type") != kind:
            problems.append(f"datasource {uid!r} has type {source.get('type')!r}, not {kind!r}")
        if source.get("url") != f"http://{service}:{port}":
            problems.append(f"datasource {uid!r} url {source.get('url')!r} is not http://{service}:{port}")
        if service not in config["services"]:
            problems.append(f"datasource {uid!r} points at {service!r}, which is not a compose service")
    providers = load_yaml(REPO / "grafana/provisioning/dashboards/dashboards.yml")["providers"]
    dashboards_target = grafana_mount_of(config, "/dashboards")
    if dashboards_target is None:
        problems.append("grafana does not mount ./dashboards")
    for provider in providers:
        if provider["options"]["path"] != dashboards_target:
            problems.append(
                f"provider {provider['name']!r} reads {provider['options']['path']!r}, "
                f"but ./dashboards is mounted at {dashboards_target!r}")
    if grafana_mount_of(config, "/grafana/provisioning") != "/etc/grafana/provisioning":
        problems.append("grafana does not mount ./grafana/provisioning at /etc/grafana/provisioning")
    return finish("datasource uids prometheus/loki/alertmanager, urls, dashboard provider path", problems)


def yaml_files(paths):
    problems = []
    for path in paths:
        try:
            load_yaml(path)
        except Exception as error:  # any parse error is the finding itself
            problems.append(f"{path}: {error}")
    return finish(f"{len(paths)} YAML files parse", problems)


ALLOY_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|//[^\n]*|/\*.*?\*/', re.DOTALL)


def strip_alloy(text, keep_strings):
    """Blanks out comments, and strings unless keep_strings (line numbers are kept)."""
    def replace(match):
        token = match.group(0)
        if token[0] in '"`':
            return token if keep_strings else '""'
        return "\n" * token.count("\n")
    return ALLOY_TOKEN.sub(replace, text)


def alloy(path):
    text = Path(path).read_text(encoding="utf-8")
    code = strip_alloy(text, keep_strings=False)
    uncommented = strip_alloy(text, keep_strings=True)
    problems = []
    depth = {"{": 0, "[": 0, "(": 0}
    closing = {"}": "{", "]": "[", ")": "("}
    for line_number, line in enumerate(code.splitlines(), start=1):
        for char in line:
            if char in depth:
                depth[char] += 1
            elif char in closing:
                depth[closing[char]] -= 1
                if depth[closing[char]] < 0:
                    problems.append(f"line {line_number}: unbalanced {char!r}")
                    depth[closing[char]] = 0
    problems += [f"{count} unclosed {opener!r}" for opener, count in depth.items() if count]
    declared = set(re.findall(r'^\s*([a-z_]+(?:\.[a-z_]+)+)\s+"([A-Za-z0-9_]+)"\s*\{', uncommented, re.MULTILINE))
    referenced = re.findall(r"\b((?:discovery|loki|prometheus)(?:\.[a-z_]+)+)\.([A-Za-z0-9_]+)\.(receiver|targets|rules|output)\b", code)
    for component, label, _export in referenced:
        if (component, label) not in declared:
            problems.append(f"reference to undeclared component {component} {label!r}")
    return finish(f"{path}: {len(declared)} components, {len(referenced)} references, blocks balanced", problems)


PANEL_PARTS = {
    "timeseries": [("options", "Options"), ("fieldConfig.defaults.custom", "FieldConfig")],
    "stat": [("options", "Options")],
    "logs": [("options", "Options")],
}


def part_of(panel, path):
    value = panel
    for key in path.split("."):
        value = (value or {}).get(key)
    return value


def panels(schema_dir, paths):
    from jsonschema import Draft7Validator  # installed with check-jsonschema
    problems = []
    checked = 0
    for path in paths:
        dashboard = load_json(path)
        for panel in dashboard.get("panels", []):
            for part, definition in PANEL_PARTS.get(panel.get("type"), []):
                schema = load_json(Path(schema_dir) / f"{panel['type']}.jsonschema.json")
                validator = Draft7Validator({"$ref": f"#/definitions/{definition}",
                                             "definitions": schema["definitions"]})
                checked += 1
                for error in validator.iter_errors(part_of(panel, part) or {}):
                    problems.append(f"{path}: panel {panel.get('title')!r} {part}: {error.message}")
    return finish(f"{checked} panel parts of {len(paths)} dashboards", problems)


def main(argv):
    commands = {
        "alertmanager-env": lambda args: alertmanager_env(args[0]),
        "compose-policy": lambda args: compose_policy(args[0]),
        "grafana": lambda args: grafana(args[0]),
        "yaml": yaml_files,
        "alloy": lambda args: alloy(args[0]),
        "panels": lambda args: panels(args[0], args[1:]),
    }
    if len(argv) < 2 or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
