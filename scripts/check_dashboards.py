#!/usr/bin/env python3
"""Checks the Grafana dashboards against the provisioning, the metrics contract and, with
--prometheus, a live Prometheus.

Static checks (always): every grafana/dashboards/*.json is valid JSON with a unique uid and
title; panel ids are unique per dashboard; every datasource uid is the provisioned one; every
panel has a description, a unit, thresholds and at least one query; every query names only
metrics of SPEC §7 (histograms with their _bucket/_sum/_count series), recording rules from
prometheus/rules/, or Prometheus' own `up`. When promtool is on PATH, every query's syntax is
checked with it too.

Live checks (--prometheus URL): every panel query, with Grafana's variables substituted, and
every recording rule (its recorded series and its expression) must return at least one sample
that is not NaN — with --nonzero, one that is not 0 either, except for what a healthy run leaves
at 0 (MAY_BE_ZERO); every rule must be healthy. Queries are retried until --wait seconds have
passed, because recording rules need an evaluation or two after the traffic.

Standard library only. Exit status 0 when everything passes, 1 otherwise.
"""
import argparse
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# SPEC §7: the metric names are part of the API.
CONTRACT = {
    "gavel_http_requests_total": "counter",
    "gavel_http_request_duration_seconds": "histogram",
    "gavel_http_requests_in_flight": "gauge",
    "gavel_db_semaphore_in_use": "gauge",
    "gavel_db_semaphore_wait_seconds": "histogram",
    "gavel_db_operation_duration_seconds": "histogram",
    "gavel_bids_total": "counter",
    "gavel_bid_rejections_total": "counter",
    "gavel_bid_queue_depth": "gauge",
    "gavel_bid_queue_capacity": "gauge",
    "gavel_bid_workers_busy": "gauge",
    "gavel_bid_batch_size": "histogram",
    "gavel_bid_commit_duration_seconds": "histogram",
    "gavel_bid_dead_letters_total": "counter",
    "gavel_auction_extensions_total": "counter",
    "gavel_auctions_closed_total": "counter",
    "gavel_events_total": "counter",
    "gavel_logins_total": "counter",
    "gavel_two_factor_total": "counter",
    "gavel_rate_limited_total": "counter",
    "gavel_users_registered_total": "counter",
    "process_resident_memory_bytes": "gauge",
    "process_cpu_seconds_total": "counter",
    "process_open_fds": "gauge",
    "process_start_time_seconds": "gauge",
    "gavel_build_info": "gauge",
}
# Written by Prometheus itself for every target.
SCRAPE_SERIES = {"up"}

# With --nonzero, a query must also show a value other than 0, unless it is about something a
# healthy smoke run never does (5xx, dead letters) or is a gauge that is back at 0 when idle.
MAY_BE_ZERO = [
    r'status=~"5\.\."', r"_errors:ratio", r"gavel_bid_dead_letters_total", r"gavel_bid_queue_depth",
    r"gavel_bid_workers_busy", r"gavel_db_semaphore_in_use", r"gavel_http_requests_in_flight",
]

PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset", "inf", "nan", "atan2",
}


class Report:
    def __init__(self):
        self.errors = []

    def fail(self, where, message):
        self.errors.append(f"{where}: {message}")


def allowed_series(rule_names):
    names = set(SCRAPE_SERIES) | set(rule_names)
    for name, kind in CONTRACT.items():
        names.add(name)
        if kind == "histogram":
            names.update({name + "_bucket", name + "_sum", name + "_count"})
    return names


def recording_rule_names(rules_dir):
    names = []
    for path in sorted(glob.glob(os.path.join(rules_dir, "*.yml"))):
        with open(path, encoding="utf-8") as f:
            names += re.findall(r"^\s*-?\s*record:\s*['\"]?([A-Za-z_:][A-Za-z0-9_:]*)", f.read(), re.M)
    return names


def provisioned_uid(path, report):
    """The datasource uid, read with a regex (no YAML dependency); exactly one must be declared."""
    try:
        with open(path, encoding="utf-8") as f:
            uids = re.findall(r"^\s*uid:\s*['\"]?([^'\"\s#]+)", f.read(), re.M)
    except OSError as error:
        report.fail(path, f"cannot read the datasource provisioning: {error}")
        return None
    if len(uids) != 1:
        report.fail(path, f"expected exactly one datasource uid, found {uids or 'none'}")
        return None
    return uids[0]


def metric_names(expr):
    """The series names an expression selects (strings, matchers, ranges, groupings removed)."""
    text = re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    found = []
    for match in re.finditer(r"(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(?!\s*\()", text):
        word = match.group(1)
        if word.lower() not in PROMQL_WORDS and not word.startswith("$"):
            found.append(word)
    return found


def substitute(expr, variables, rate_interval, time_range):
    """Grafana's variables → values Prometheus accepts: multi/All variables match everything."""
    expr = expr.replace("$__rate_interval", rate_interval).replace("${__rate_interval}", rate_interval)
    expr = expr.replace("$__range", time_range).replace("${__range}", time_range)
    expr = expr.replace("$__interval", "15s").replace("${__interval}", "15s")
    for name, value in variables.items():
        expr = re.sub(r"\$\{" + re.escape(name) + r"(?::[a-z]+)?\}|\$" + re.escape(name) + r"\b", value, expr)
    return expr


def dashboard_variables(dashboard):
    values = {}
    for var in dashboard.get("templating", {}).get("list", []):
        if var.get("includeAll") or var.get("multi"):
            values[var["name"]] = var.get("allValue") or ".*"
        else:
            current = var.get("current", {}).get("value", "")
            values[var["name"]] = current[0] if isinstance(current, list) and current else str(current)
    return values


def walk_panels(panels):
    for panel in panels:
        yield panel
        yield from walk_panels(panel.get("panels", []))


def check_dashboard(path, uid, allowed, report, seen_uids, seen_titles):
    """Static checks of one file; returns [(where, expr)] of its queries with variables substituted."""
    name = os.path.relpath(path, ROOT)
    try:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except (OSError, ValueError) as error:
        report.fail(name, f"not valid JSON: {error}")
        return []
    for key, seen in (("uid", seen_uids), ("title", seen_titles)):
        value = dashboard.get(key)
        if not value:
            report.fail(name, f"dashboard has no {key}")
        elif value in seen:
            report.fail(name, f"dashboard {key} {value!r} is also used by {seen[value]}")
        else:
            seen[value] = name
    if not isinstance(dashboard.get("schemaVersion"), int) or dashboard["schemaVersion"] < 36:
        report.fail(name, f"schemaVersion {dashboard.get('schemaVersion')!r}: expected 36 or later")
    if dashboard.get("id") is not None:
        report.fail(name, "dashboard has an instance-specific numeric id; provisioned files should have none")

    for var in dashboard.get("templating", {}).get("list", []):
        ds = var.get("datasource")
        if var.get("type") == "query" and (not isinstance(ds, dict) or ds.get("uid") != uid):
            report.fail(name, f"variable ${var.get('name')}: datasource {ds!r} is not uid {uid!r}")

    variables = dashboard_variables(dashboard)
    queries = []
    ids = {}
    for panel in walk_panels(dashboard.get("panels", [])):
        pid = panel.get("id")
        where = f"{name} panel {pid} {panel.get('title')!r}"
        if not isinstance(pid, int):
            report.fail(where, "panel has no integer id")
        elif pid in ids:
            report.fail(where, f"panel id {pid} is also used by {ids[pid]!r}")
        else:
            ids[pid] = panel.get("title")
        if "gridPos" not in panel:
            report.fail(where, "panel has no gridPos")
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            report.fail(where, "panel has no title")
        if not str(panel.get("description", "")).strip():
            report.fail(where, "panel has no description")
        defaults = panel.get("fieldConfig", {}).get("defaults", {})
        if not defaults.get("unit"):
            report.fail(where, "panel has no unit (fieldConfig.defaults.unit)")
        if not defaults.get("thresholds", {}).get("steps"):
            report.fail(where, "panel has no thresholds (fieldConfig.defaults.thresholds.steps)")
        ds = panel.get("datasource")
        if not isinstance(ds, dict) or ds.get("uid") != uid:
            report.fail(where, f"panel datasource {ds!r} is not the provisioned uid {uid!r}")
        targets = panel.get("targets") or []
        if not targets:
            report.fail(where, "panel has no queries")
        refs = set()
        for target in targets:
            ref = target.get("refId")
            twhere = f"{where} query {ref}"
            if ref in refs:
                report.fail(twhere, "duplicate refId")
            refs.add(ref)
            tds = target.get("datasource")
            if tds is not None and (not isinstance(tds, dict) or tds.get("uid") != uid):
                report.fail(twhere, f"query datasource {tds!r} is not the provisioned uid {uid!r}")
            expr = target.get("expr", "")
            if not expr.strip():
                report.fail(twhere, "query has no expr")
                continue
            for metric in metric_names(expr):
                if metric not in allowed:
                    report.fail(twhere, f"unknown metric {metric!r} (not in SPEC §7, not a recording rule)")
            queries.append((twhere, expr, variables))
    return queries


def promtool_syntax(queries, report, rate_interval, time_range):
    """Syntax of every query, checked by promtool as a throwaway recording-rule file."""
    promtool = shutil.which("promtool")
    if not promtool:
        print("check_dashboards: promtool not on PATH; query syntax is checked only with --prometheus")
        return
    lines = ["groups:", "  - name: dashboard-queries", "    rules:"]
    for index, (_, expr, variables) in enumerate(queries):
        lines.append(f"      - record: dashboard_query_{index}")
        lines.append(f"        expr: {json.dumps(substitute(expr, variables, rate_interval, time_range))}")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        result = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()
            for index, (where, _, _) in enumerate(queries):
                if f"dashboard_query_{index}\"" in output:
                    report.fail(where, "promtool rejects this query")
            report.fail("promtool", output)
    finally:
        os.unlink(path)


def prom_get(base, path, params=None):
    url = base.rstrip("/") + path + ("?" + urllib.parse.urlencode(params) if params else "")
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    if body.get("status") != "success":
        raise RuntimeError(body.get("error", "query failed"))
    return body["data"]


def has_data(base, expr, nonzero=False):
    """(ok, detail): ok when the instant query returns a sample that is not NaN (with nonzero,
    one that is neither NaN nor 0, unless the expression is one of MAY_BE_ZERO)."""
    try:
        data = prom_get(base, "/api/v1/query", {"query": expr})
    except Exception as error:  # HTTP errors carry Prometheus' message in the body
        detail = error.read().decode(errors="replace") if hasattr(error, "read") else str(error)
        return False, f"query error: {detail.strip()}"
    result = data.get("result")
    if data.get("resultType") == "scalar":
        result = [{"value": result}]
    if not result:
        return False, "no data"
    values = [float(sample["value"][1]) for sample in result]
    if all(math.isnan(v) for v in values):
        return False, f"only NaN ({len(values)} series)"
    real = [v for v in values if not math.isnan(v)]
    detail = f"{len(values)} series, {min(real):.4g} to {max(real):.4g}"
    if nonzero and not any(real) and not any(re.search(p, expr) for p in MAY_BE_ZERO):
        return False, f"only zeros ({detail}): the traffic never moved it while Prometheus watched"
    return True, detail


def live_checks(base, queries, rate_interval, time_range, wait, nonzero, verbose):
    checks = []
    for where, expr, variables in queries:
        checks.append((where, substitute(expr, variables, rate_interval, time_range)))
    report = Report()
    groups = prom_get(base, "/api/v1/rules")["groups"]
    rule_count = 0
    for group in groups:
        for rule in group["rules"]:
            rule_count += 1
            label = rule.get("name")
            if rule.get("health") not in ("ok", "unknown"):
                report.fail(f"rule {label}", f"health {rule.get('health')}: {rule.get('lastError')}")
            if rule["type"] == "recording":
                checks.append((f"recording rule {label} (series)", label))
                checks.append((f"recording rule {label} (expression)", rule["query"]))
    if rule_count == 0:
        report.fail("prometheus", "no rules loaded")

    deadline = time.monotonic() + wait
    pending = checks
    while True:
        failed = []
        for where, expr in pending:
            ok, detail = has_data(base, expr, nonzero)
            if ok:
                if verbose:
                    print(f"  ok   {where}: {detail}")
            else:
                failed.append((where, expr, detail))
        if not failed or time.monotonic() >= deadline:
            break
        pending = [(w, e) for w, e, _ in failed]
        time.sleep(2)
    for where, expr, detail in failed:
        report.fail(where, f"{detail}\n      {expr}")
    print(f"check_dashboards: evaluated {len(checks)} queries ({len(queries)} panel queries, "
          f"{rule_count} rules) against {base}; {len(failed)} without data")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus", metavar="URL", help="also evaluate every query against this Prometheus")
    parser.add_argument("--wait", type=float, default=30, help="seconds to keep retrying queries without data")
    parser.add_argument("--rate-interval", default="1m", help="value for $__rate_interval (default 1m)")
    parser.add_argument("--range", default="5m", help="value for $__range (default 5m)")
    parser.add_argument("--nonzero", action="store_true",
                        help="with --prometheus: also fail queries whose every value is 0 (see MAY_BE_ZERO)")
    parser.add_argument("--verbose", action="store_true", help="print every query that passes")
    args = parser.parse_args()

    report = Report()
    uid = provisioned_uid(os.path.join(ROOT, "grafana/provisioning/datasources/prometheus.yml"), report)
    rules = recording_rule_names(os.path.join(ROOT, "prometheus/rules"))
    if not rules:
        report.fail("prometheus/rules", "no recording rules found")
    allowed = allowed_series(rules)
    files = sorted(glob.glob(os.path.join(ROOT, "grafana/dashboards/*.json")))
    if not files:
        report.fail("grafana/dashboards", "no dashboards")
    queries = []
    seen_uids, seen_titles = {}, {}
    for path in files:
        queries += check_dashboard(path, uid, allowed, report, seen_uids, seen_titles)
    promtool_syntax(queries, report, args.rate_interval, args.range)
    print(f"check_dashboards: {len(files)} dashboards, {len(queries)} queries, {len(rules)} recording rules, "
          f"datasource uid {uid!r}")

    if args.prometheus and not report.errors:
        report.errors += live_checks(args.prometheus, queries, args.rate_interval, args.range, args.wait,
                                     args.nonzero, args.verbose).errors

    if report.errors:
        for error in report.errors:
            print(f"FAIL {error}", file=sys.stderr)
        print(f"check_dashboards: {len(report.errors)} problem(s)", file=sys.stderr)
        return 1
    print("check_dashboards: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
