#!/usr/bin/env bash
# The observability loop of issue 5, against the built binary and a real Prometheus:
#   1. promtool check config / check rules / test rules
#   2. scripts/check_dashboards.py (static: JSON, panel ids, datasource uid, metric names)
#   3. start gavel on a free port with a temporary database, seed it
#   4. start Prometheus natively from prometheus/prometheus.yml, pointed at that binary
#   5. traffic: a headless Locust smoke run with every user class (no unexpected failures),
#      and scripts/observability_traffic.py for the rare paths (lockout, 2FA, closes, extensions)
#   6. every dashboard panel query and every recording rule must return data through
#      Prometheus' HTTP API (scripts/check_dashboards.py --prometheus)
#
# Usage: scripts/observability.sh [GAVEL_BINARY]     (default: $GAVEL_BIN or .build/debug/gavel)
# Environment: LOCUST_USERS (default 16: one whole round of the class weights 10/4/1/1, so every
# user class gets at least one user), LOCUST_SECONDS (default 30), KEEP_TMP=1 keeps the
# temporary directory (logs, Prometheus data, Locust CSVs) for a look afterwards.
# Needs: prometheus + promtool (Debian `prometheus`), python3 with locust and pyotp, curl.
set -euo pipefail

cd "$(dirname "$0")/.."
GAVEL_BIN=${1:-${GAVEL_BIN:-.build/debug/gavel}}
LOCUST_USERS=${LOCUST_USERS:-16}
LOCUST_SECONDS=${LOCUST_SECONDS:-30}
started=$SECONDS

say() { printf 'observability: %s\n' "$*"; }
die() { printf 'observability: FAIL %s\n' "$*" >&2; exit 1; }

for tool in promtool prometheus curl python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (make deps installs it)"
done
python3 -c 'import locust, pyotp' 2>/dev/null || die "python3 cannot import locust and pyotp (make deps installs them)"
[[ -x $GAVEL_BIN ]] || die "no gavel binary at $GAVEL_BIN (build it first, or pass its path)"
[[ -f locust/locustfile.py ]] || die "locust/locustfile.py is missing"

# --- 1. static checks -----------------------------------------------------------------------
promtool check config prometheus/prometheus.yml >/dev/null \
  || die "promtool check config prometheus/prometheus.yml"
promtool check rules prometheus/rules/*.yml >/dev/null || die "promtool check rules prometheus/rules/*.yml"
promtool test rules prometheus/tests/*.yml >/dev/null \
  || { promtool test rules prometheus/tests/*.yml; die "promtool test rules prometheus/tests/*.yml"; }
say "promtool: config, rules and rule tests OK"
python3 scripts/check_dashboards.py || die "dashboard checks"

# --- 2. the real loop -----------------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gavel-observability.XXXXXX")
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ $status -ne 0 ]]; then
    for log in gavel.log prometheus.log locust.log; do
      [[ -s $tmp/$log ]] || continue
      printf -- '--- last lines of %s ---\n' "$log" >&2
      tail -n 25 "$tmp/$log" >&2
    done
  fi
  if [[ ${KEEP_TMP:-0} == 1 ]]; then say "kept $tmp"; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for URL SECONDS PID — until URL answers 2xx, or fail when PID dies or time runs out.
wait_for() {
  local url=$1 limit=$2 pid=$3 deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "process $pid exited before $url answered"
    ((SECONDS < deadline)) || die "$url did not answer within ${limit}s"
    sleep 0.2
  done
}

gavel_port=$(free_port)
gavel_url="http://127.0.0.1:$gavel_port"
export GAVEL_DATABASE_SQLITE_PATH="$tmp/gavel.sqlite"
GAVEL_AUTH_JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export GAVEL_AUTH_JWT_SECRET
seed_users=10   # the demo accounts Locust's bidders and sellers sign in with
"$GAVEL_BIN" seed --config config.yaml --users "$seed_users" --products 40 --items 20 >"$tmp/seed.log" 2>&1 \
  || { cat "$tmp/seed.log" >&2; die "gavel seed"; }
"$GAVEL_BIN" serve --config config.yaml --host 127.0.0.1 --port "$gavel_port" >"$tmp/gavel.log" 2>&1 &
gavel_pid=$!
pids+=("$gavel_pid")
wait_for "$gavel_url/ready" 30 "$gavel_pid"
say "gavel $("$GAVEL_BIN" --version 2>/dev/null || echo '?') serving on $gavel_url (seeded)"

# The repository's prometheus.yml, with the compose target replaced by the local binary and the
# 5 s intervals shortened so rates exist seconds after the traffic. rules/ is copied beside it
# because rule_files are resolved relative to the config file (as in compose's /etc/prometheus).
prom_port=$(free_port)
prom_url="http://127.0.0.1:$prom_port"
mkdir -p "$tmp/prometheus"
cp -R prometheus/rules "$tmp/prometheus/rules"
sed -e "s/gavel:8080/127.0.0.1:$gavel_port/" -e 's/: 5s$/: 1s/' \
  prometheus/prometheus.yml >"$tmp/prometheus/prometheus.yml"
grep -q "127.0.0.1:$gavel_port" "$tmp/prometheus/prometheus.yml" \
  || die "prometheus/prometheus.yml no longer names the target gavel:8080 (see its header comment)"
grep -q 'scrape_interval: 1s' "$tmp/prometheus/prometheus.yml" \
  || die "prometheus/prometheus.yml no longer has 'scrape_interval: 5s' (see its header comment)"
promtool check config "$tmp/prometheus/prometheus.yml" >/dev/null || die "generated Prometheus config is invalid"
prometheus --config.file="$tmp/prometheus/prometheus.yml" --storage.tsdb.path="$tmp/prometheus/data" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
prom_pid=$!
pids+=("$prom_pid")
wait_for "$prom_url/-/ready" 30 "$prom_pid"
# Traffic only after Prometheus has scraped the idle service: a counter's first increment is
# invisible to rate() unless a sample from before it exists.
deadline=$((SECONDS + 20))
until [[ $(curl -fsS "$prom_url/api/v1/query?query=up%7Bjob%3D%22gavel%22%7D" 2>/dev/null || true) == *'"1"]'* ]]; do
  ((SECONDS < deadline)) || die "Prometheus did not scrape gavel within 20s"
  sleep 0.5
done
sleep 1
say "prometheus scraping it every 1s on $prom_url"

# Locust with every user class the locustfile defines, headless. The rare-path driver runs
# alongside it with accounts of its own, in the run's last 20 s or so, so what it causes is
# still inside the one-minute windows of the recording rules when the queries run.
say "locust: $LOCUST_USERS users for ${LOCUST_SECONDS}s"
python3 scripts/observability_traffic.py "$gavel_url" --delay $((LOCUST_SECONDS > 20 ? LOCUST_SECONDS - 20 : 0)) \
  >"$tmp/traffic.log" 2>&1 &
traffic_pid=$!
pids+=("$traffic_pid")
locust_status=0
# LOADTEST_SEED_USERS tells Locust how many seeded accounts exist.
LOADTEST_SEED_USERS=$seed_users locust -f locust/locustfile.py --headless --host "$gavel_url" \
  -u "$LOCUST_USERS" -r "$LOCUST_USERS" -t "${LOCUST_SECONDS}s" --stop-timeout 5 \
  --exit-code-on-error 1 --only-summary --csv "$tmp/locust" >"$tmp/locust.log" 2>&1 || locust_status=$?
traffic_status=0
wait "$traffic_pid" || traffic_status=$?
cat "$tmp/traffic.log"
[[ $traffic_status -eq 0 ]] || die "scripts/observability_traffic.py"

# Locust's verdict, its CSV totals, and its log's "All users spawned: {class: count}" line: every
# user class must have run.
python3 - "$tmp/locust" "$locust_status" <<'PY' || die "locust smoke run"
import csv, json, re, sys
prefix, status = sys.argv[1], int(sys.argv[2])
with open(prefix + ".log", encoding="utf-8", errors="replace") as f:
    spawned = re.findall(r"All users spawned: (\{.*?\})", f.read())
classes = json.loads(spawned[-1]) if spawned else {}
idle = sorted(name for name, count in classes.items() if count < 1)
print(f"observability: locust user classes {classes or 'unknown'}")
if not classes or idle:
    print(f"  user classes without users: {idle or 'no spawn line in the log'}", file=sys.stderr)
    status = status or 1
with open(prefix + "_stats.csv", newline="") as f:
    rows = list(csv.DictReader(f))
total = next((r for r in rows if r["Name"] == "Aggregated"), None)
requests = int(total["Request Count"]) if total else 0
failures = int(total["Failure Count"]) if total else 0
print(f"observability: locust made {requests} requests over {len(rows) - 1} names, {failures} failures")
try:
    with open(prefix + "_failures.csv", newline="") as f:
        for row in csv.DictReader(f):
            print(f"  failure x{row['Occurrences']}: {row['Method']} {row['Name']}: {row['Error']}", file=sys.stderr)
except FileNotFoundError:
    pass
try:
    with open(prefix + "_exceptions.csv", newline="") as f:
        for row in csv.DictReader(f):
            print(f"  exception x{row['Count']}: {row['Message']}", file=sys.stderr)
except FileNotFoundError:
    pass
sys.exit(0 if status == 0 and failures == 0 and requests > 0 else 1)
PY

# No 5xx anywhere: a smoke run that overloads or crashes the service is a failure in itself.
exposition=$(curl -fsS "$gavel_url/metrics") || die "gavel stopped answering /metrics"
errors=$(awk '/^gavel_http_requests_total\{/ && /status="5/ && $NF > 0' <<<"$exposition")
[[ -z $errors ]] || die "the service answered 5xx during the smoke run: $errors"

# Let Prometheus take a couple more scrapes and rule evaluations after the last request.
sleep 3
python3 scripts/check_dashboards.py --prometheus "$prom_url" --nonzero --wait 30 \
  || die "dashboard panels or recording rules without data (Prometheus at $prom_url)"
say "OK in $((SECONDS - started))s"
