#!/usr/bin/env bash
# HTTP benchmarks of the release binary with wrk (see SPEC section 10 for reference numbers).
#
#   make bench                        # release build, then this script
#   BENCH_DURATION=30s scripts/bench.sh
#
# Seeds a throw-away SQLite database (10 users, 1000 products, 1291 auctions), starts the server
# on a free loopback port (pinned to CPU 0 with taskset when there are two or more CPUs; wrk on
# CPU 1), runs `wrk -t1 -c50 --latency` against the routes below, then login throughput with
# fewer connections, and prints req/s, p50 and p99 per route plus the server RSS before, after
# the product routes (issue 2's run) and after all routes. Raw wrk reports are kept in $BENCH_OUT.
#
# Bids (scripts/wrk/place_bid.lua): `POST /api/v1/items/{id}/bids` cycling over BENCH_ITEMS
# (1000) seeded auctions, then on one hot item, next to `GET /api/v1/items/{id}` in the same
# run. Only items without a buy-now price that end more than 30 minutes from now are used (a
# bid at or over the buy-now price would sell the item), so the seed makes a quarter more than
# needed. Amounts rise with every request (a large base plus a counter times a step over the
# largest increment) and bidders take turns, so bids are accepted unless one overtakes an
# earlier one for the same item on another connection (then 422 bid.too_low: rare when spread,
# common on the hot item). wrk's req/s is bids answered per second; accepted and rejected come
# from the server's gavel_bids_total / gavel_bid_rejections_total before and after each row.
# After the table's rows, BENCH_RATIO_ROUNDS short runs alternate GET item and spread bids and
# the median of their ratios is printed: on a noisy machine, single runs of each vary too much
# for one ratio to mean much. Then, when `gavel --help` lists it, `gavel bench-engine --items BENCH_ENGINE_ITEMS --bids
# BENCH_ENGINE_BIDS` measures the engine without HTTP (pinned like the server) and its output
# is included.
#
# The login row signs in a seeded user (user1@gavel.test, the seed's password) over and over at
# the configured bcrypt cost (config.yaml: 10, the default). It is CPU-bound: each request is
# one bcrypt verify on the server's blocking pool, so it runs with BENCH_LOGIN_CONNECTIONS (8)
# connections, which the table label shows; 50 would only queue behind the hashing. Successful
# sign-ins do not count toward the lockout, so every answer should be 200.
#
# Environment:
#   BENCH_DURATION (10s)  BENCH_CONNECTIONS (50)  BENCH_THREADS (1)
#   BENCH_LOGIN_CONNECTIONS (8)
#   BENCH_SERVER_CPUS (0) BENCH_WRK_CPUS (1)      BENCH_OUT (.build/bench)
#   BENCH_USERS (10)      BENCH_PRODUCTS (1000)  BENCH_ITEMS (1000)  BENCH_BIDDERS (8)
#   BENCH_ENGINE_ITEMS (1000)  BENCH_ENGINE_BIDS (200000)  BENCH_ENGINE_TIMEOUT (600, seconds)
#   BENCH_RATIO_ROUNDS (5)     BENCH_RATIO_DURATION (3s)    (0 rounds: no interleaved ratio)
#   BENCH_BIN (.build/release/gavel)  BENCH_CONFIG (config.yaml)
# GAVEL_* variables in the caller's environment reach the server and the seeder (e.g.
# GAVEL_DATABASE_MAX_CONCURRENCY=8 to compare settings); the server refuses unknown ones.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BIN=${BENCH_BIN:-.build/release/gavel}
CONFIG=${BENCH_CONFIG:-config.yaml}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
LOGIN_CONNECTIONS=${BENCH_LOGIN_CONNECTIONS:-8}
THREADS=${BENCH_THREADS:-1}
SERVER_CPUS=${BENCH_SERVER_CPUS:-0}
WRK_CPUS=${BENCH_WRK_CPUS:-1}
OUT_DIR=${BENCH_OUT:-.build/bench}
USERS=${BENCH_USERS:-10}
PRODUCTS=${BENCH_PRODUCTS:-1000}
ITEMS=${BENCH_ITEMS:-1000}
BIDDERS=${BENCH_BIDDERS:-8}
ENGINE_ITEMS=${BENCH_ENGINE_ITEMS:-1000}
ENGINE_BIDS=${BENCH_ENGINE_BIDS:-200000}
ENGINE_TIMEOUT=${BENCH_ENGINE_TIMEOUT:-600}
RATIO_ROUNDS=${BENCH_RATIO_ROUNDS:-5}
RATIO_DURATION=${BENCH_RATIO_DURATION:-3s}
# Seeded items that can take bids for the whole run: no buy-now (1 in 5) and not among those
# ending within 30 minutes (1 in 10, all of them also 1 in 5) — 4 in 5 — plus the hot item.
SEED_ITEMS=$(((ITEMS + 1) * 5 / 4 + 40))

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

[ -x "$BIN" ] || die "$BIN not found or not executable (run: make build-release, or make bench)"
[ -f "$CONFIG" ] || die "$CONFIG not found"
for tool in curl jq python3; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required (make deps)"
done
if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "wrk is missing and neither root nor sudo is available"
        SUDO=sudo
    fi
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
    command -v wrk >/dev/null 2>&1 || die "wrk installation failed"
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gavel-bench.XXXXXX")
LOG=$TMP/server.log
SERVER_PID=""
cleanup() {
    local rc=$?
    set +e
    trap '' PIPE HUP INT TERM  # finish cleaning up even if the reader went away
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ "$rc" -ne 0 ] && [ -s "$LOG" ]; then
        echo "---- server log (last 40 lines) ----" >&2
        tail -n 40 "$LOG" >&2
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE="http://127.0.0.1:$PORT"
SECRET="bench-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
GAVEL_ENV=(
    "GAVEL_SERVER_HOST=127.0.0.1"
    "GAVEL_SERVER_PORT=$PORT"
    "GAVEL_DATABASE_SQLITE_PATH=$TMP/gavel.sqlite"
    "GAVEL_AUTH_JWT_SECRET=$SECRET"
    "GAVEL_LOG_LEVEL=error"
)

# CPU pinning: server and load generator on different cores, as in SPEC section 10.
PIN_SERVER=()
PIN_WRK=()
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ]; then
    PIN_SERVER=(taskset -c "$SERVER_CPUS")
    PIN_WRK=(taskset -c "$WRK_CPUS")
    PINNING="server on CPU $SERVER_CPUS, wrk on CPU $WRK_CPUS"
    ENGINE_PINNING="pinned to CPU $SERVER_CPUS like the server"
else
    PINNING="not pinned (taskset missing or fewer than 2 CPUs)"
    ENGINE_PINNING="not pinned"
fi

log "seeding $USERS users, $PRODUCTS products, $SEED_ITEMS auctions"
env "${GAVEL_ENV[@]}" "$BIN" seed --config "$CONFIG" --users "$USERS" --products "$PRODUCTS" --items "$SEED_ITEMS" \
    >"$TMP/seed.log" 2>&1 </dev/null || { cat "$TMP/seed.log" >&2; die "seed failed"; }

log "starting $BIN on port $PORT ($PINNING)"
"${PIN_SERVER[@]}" env "${GAVEL_ENV[@]}" "$BIN" serve --config "$CONFIG" >"$LOG" 2>&1 </dev/null &
SERVER_PID=$!

deadline=$((SECONDS + 30))
until curl -fsS --max-time 1 -o /dev/null "$BASE/health" 2>/dev/null; do
    kill -0 "$SERVER_PID" 2>/dev/null || die "server exited during start-up"
    [ "$SECONDS" -lt "$deadline" ] || die "server did not answer /health within 30s"
    sleep 0.2
done

LIST=$(curl -fsS --max-time 5 "$BASE/api/v1/products?page_size=100") || die "cannot list products"
PRODUCT_ID=$(jq -r '.data[0].id // empty' <<<"$LIST")
SELLER_ID=$(jq -r '.data[0].seller_id // empty' <<<"$LIST")
[ -n "$PRODUCT_ID" ] || die "the product list is empty after seeding"
# Act as a seeded user (an existing account) when creating products.
[ -n "$SELLER_ID" ] || SELLER_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')
TOKEN=$(python3 "$ROOT/scripts/mint_token.py" --secret "$SECRET" --sub "$SELLER_ID" --ttl 3600)
NONCE=$(python3 -c 'import secrets; print(secrets.token_hex(4))')

# Login: a seeded account (the seeder's documented password). One sign-in first, so a binary
# without the identity API, or a wrong password, stops here instead of filling a table row
# with errors. The bcrypt cost is read off the stored hash ($2b$<cost>$...).
LOGIN_EMAIL=user1@gavel.test
LOGIN_PASSWORD=gavel-demo-password
LOGIN_STATUS=$(curl -sS --max-time 10 -o "$TMP/login.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "$(jq -cn --arg e "$LOGIN_EMAIL" --arg p "$LOGIN_PASSWORD" '{email: $e, password: $p}')" \
    "$BASE/api/v1/identity/login" 2>"$TMP/login.err") || true
if [ "$LOGIN_STATUS" != 200 ] || ! jq -e '.access_token | length > 0' "$TMP/login.json" >/dev/null 2>&1; then
    die "POST /api/v1/identity/login as $LOGIN_EMAIL answered ${LOGIN_STATUS:-nothing}: $(head -c 300 "$TMP/login.json" "$TMP/login.err" 2>/dev/null | tr '\n' ' ')"
fi
BCRYPT_COST=$(python3 -c 'import sqlite3, sys
h = sqlite3.connect(sys.argv[1]).execute("select password_hash from users where email = ?", (sys.argv[2],)).fetchone()[0]
print(int(h.split("$")[2]))' "$TMP/gavel.sqlite" "$LOGIN_EMAIL" 2>/dev/null) || BCRYPT_COST="?"

# Auctions to bid on: active, no buy-now price, ending more than 30 minutes from now. The first
# ITEMS take the spread bids, the next one is the hot item.
page=1
: >"$TMP/biddable.txt"
cutoff=$(python3 -c 'import datetime, time; print(datetime.datetime.fromtimestamp(time.time() + 1800, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"))')
while :; do
    curl -fsS --max-time 10 -o "$TMP/items-page.json" "$BASE/api/v1/items?status=active&page_size=100&page=$page" \
        || die "cannot list items (page $page)"
    jq -r --arg cutoff "$cutoff" '.data[] | select(.buyout_price == null and .ends_at > $cutoff) | "\(.id) \(.bid_increment)"' \
        "$TMP/items-page.json" >>"$TMP/biddable.txt"
    [ "$(jq '.data | length' "$TMP/items-page.json")" -eq 100 ] || break
    [ "$(wc -l <"$TMP/biddable.txt")" -le "$ITEMS" ] || break
    page=$((page + 1))
done
[ "$(wc -l <"$TMP/biddable.txt")" -gt "$ITEMS" ] \
    || die "only $(wc -l <"$TMP/biddable.txt") seeded items can take bids, $((ITEMS + 1)) needed (is this binary's seed creating auctions?)"
head -n "$ITEMS" "$TMP/biddable.txt" | cut -d' ' -f1 >"$TMP/bid-items.txt"
sed -n "$((ITEMS + 1))p" "$TMP/biddable.txt" | cut -d' ' -f1 >"$TMP/hot-item.txt"
ITEM_ID=$(head -n 1 "$TMP/bid-items.txt")
# The step between consecutive amounts: the largest increment of those items (at least 100).
BID_STEP=$(head -n "$((ITEMS + 1))" "$TMP/biddable.txt" | awk 'BEGIN { m = 100 } $2 > m { m = $2 } END { print m }')
for _ in $(seq 1 "$BIDDERS"); do
    python3 "$ROOT/scripts/mint_token.py" --secret "$SECRET" --sub "$(python3 -c 'import uuid; print(uuid.uuid4())')" --ttl 7200
done >"$TMP/bidders.txt"

# bid_counters — "accepted rejected failed codes" from gavel_bids_total and
# gavel_bid_rejections_total (codes as code=N,code=N).
bid_counters() {
    curl -fsS --max-time 10 "$BASE/metrics" 2>/dev/null | awk '
        /^gavel_bids_total\{/ {
            if (match($0, /outcome="[^"]*"/)) { k = substr($0, RSTART + 9, RLENGTH - 10); n[k] += $NF }
        }
        /^gavel_bid_rejections_total\{/ {
            if (match($0, /code="[^"]*"/)) { c[substr($0, RSTART + 6, RLENGTH - 7)] += $NF }
        }
        END {
            codes = ""
            for (k in c) codes = codes (codes == "" ? "" : ",") k "=" c[k]
            printf "%d %d %d %s\n", n["accepted"], n["rejected"], n["failed"], (codes == "" ? "-" : codes)
        }'
}
# code_delta BEFORE AFTER — per-code differences of two "code=N,..." lists.
code_delta() {
    awk -v before="$1" -v after="$2" 'BEGIN {
        n = split(before, b, ","); for (i = 1; i <= n; i++) { split(b[i], kv, "="); if (kv[1] != "-") prev[kv[1]] = kv[2] }
        n = split(after, a, ","); out = ""
        for (i = 1; i <= n; i++) {
            split(a[i], kv, "="); if (kv[1] == "-") continue
            d = kv[2] - prev[kv[1]]; if (d > 0) out = out (out == "" ? "" : " ") kv[1] " " d
        }
        print (out == "" ? "none" : out)
    }'
}
secs() { # secs DURATION — wrk duration (10s, 1m, 500ms) in seconds
    awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /ms$/) n /= 1000; else if (d ~ /m$/) n *= 60; else if (d ~ /h$/) n *= 3600; print (n > 0 ? n : 1) }'
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
fmt_mb() { awk -v kb="${1:-0}" 'BEGIN { printf "%.1f MB", kb / 1024 }'; }

# parse_wrk FILE — prints "rps p50_ms p99_ms non2xx socket_errors" ("-" when not found).
parse_wrk() {
    awk '
        function ms(v,   n) {
            n = v + 0
            if (v ~ /us$/) return n / 1000
            if (v ~ /ms$/) return n
            if (v ~ /s$/)  return n * 1000
            if (v ~ /m$/)  return n * 60000
            if (v ~ /h$/)  return n * 3600000
            return n
        }
        /^Requests\/sec:/              { rps = $2 }
        $1 == "50%" && lat             { p50 = ms($2) }
        $1 == "99%" && lat             { p99 = ms($2) }
        /Latency Distribution/         { lat = 1 }
        /Non-2xx or 3xx responses:/    { non2xx = $NF }
        /Socket errors:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { x = $i; sub(/,/, "", x); sockerr += x }
        }
        END {
            printf "%s %s %s %s %s\n", (rps == "" ? "-" : rps),
                (p50 == "" ? "-" : sprintf("%.2f", p50)), (p99 == "" ? "-" : sprintf("%.2f", p99)),
                (non2xx == "" ? 0 : non2xx), (sockerr == "" ? 0 : sockerr)
        }' "$1"
}

mkdir -p "$OUT_DIR"
RSS_BEFORE=$(rss_kb)
# Issue 2's run ends with the product writes; its RSS bound is about that run.
PRODUCT_WRITES="POST /api/v1/products"
RSS_PRODUCTS=0

# name | path | wrk script (optional) | connections (optional) | script arguments (optional,
# separated by spaces) | "bids" to count accepted/rejected bids around the row (optional)
BID_ARGS="$TMP/bidders.txt 100000000 $BID_STEP $THREADS"
ROUTES=(
    "GET /health|/health|"
    "GET /api/v1/products/{id}|/api/v1/products/$PRODUCT_ID|"
    "GET /api/v1/products?page_size=100|/api/v1/products?page_size=100|"
    "GET /api/v1/items/{id}|/api/v1/items/$ITEM_ID|"
    "$PRODUCT_WRITES|/api/v1/products|$ROOT/scripts/wrk/create_product.lua||$TOKEN $NONCE"
    "POST /api/v1/items/{id}/bids ($ITEMS items)|/api/v1/items|$ROOT/scripts/wrk/place_bid.lua||$TMP/bid-items.txt $BID_ARGS|bids"
    "POST bids on one hot item|/api/v1/items|$ROOT/scripts/wrk/place_bid.lua||$TMP/hot-item.txt $BID_ARGS|bids"
    "POST /api/v1/identity/login (-c$LOGIN_CONNECTIONS)|/api/v1/identity/login|$ROOT/scripts/wrk/login.lua|$LOGIN_CONNECTIONS|$LOGIN_EMAIL $LOGIN_PASSWORD"
)

RESULTS=()
BID_RESULTS=()
declare -A BID_ROWS=()
i=0
for entry in "${ROUTES[@]}"; do
    IFS='|' read -r name path script conns script_args kind <<<"$entry"
    conns=${conns:-$CONNECTIONS}
    i=$((i + 1))
    out="$OUT_DIR/$i-$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_' | sed 's/__*/_/g; s/_$//').txt"
    threads=$THREADS
    [ "$conns" -ge "$threads" ] || threads=$conns  # wrk needs a connection per thread
    args=(-t"$threads" -c"$conns" -d"$DURATION" --latency)
    [ -n "$script" ] && args+=(-s "$script")
    args+=("$BASE$path")
    if [ -n "$script_args" ]; then
        read -r -a extra <<<"$script_args"
        args+=(-- "${extra[@]}")
    fi
    log "wrk $name ($DURATION, $conns connections)"
    if [ "$kind" = bids ]; then
        BID_ROWS[$name]=1
        read -r acc0 rej0 fail0 codes0 < <(bid_counters)
    fi
    if ! "${PIN_WRK[@]}" wrk "${args[@]}" >"$out" 2>&1; then
        log "wrk failed for $name: $(tail -n 3 "$out" | tr '\n' ' ')"
    fi
    read -r rps p50 p99 non2xx sockerr < <(parse_wrk "$out")
    RESULTS+=("$name|$rps|$p50|$p99|$non2xx|$sockerr")
    if [ "$kind" = bids ]; then
        read -r acc1 rej1 fail1 codes1 < <(bid_counters)
        accepted=$((acc1 - acc0))
        BID_RESULTS+=("$name|$rps|$accepted|$((rej1 - rej0))|$((fail1 - fail0))|$(awk -v a="$accepted" -v s="$(secs "$DURATION")" 'BEGIN { printf "%.0f", a / s }')|$non2xx|$(code_delta "$codes0" "$codes1")")
    fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "server died during '$name' (raw output: $out)"
    [ "$name" != "$PRODUCT_WRITES" ] || RSS_PRODUCTS=$(rss_kb)
done
RSS_AFTER=$(rss_kb)

# The bids-to-reads ratio again, from RATIO_ROUNDS short runs that alternate GET item and spread
# bids. On a noisy machine one 10-second run of each can differ by half between runs; the median
# of interleaved pairs is the steadier figure. Each round bids from a new base above every
# earlier amount, so its bids are accepted like the main row's.
RATIO_LINES=()
RATIO_VALUES=()
if [ "$RATIO_ROUNDS" -gt 0 ]; then
    log "interleaved GET item / spread bids: $RATIO_ROUNDS rounds of $RATIO_DURATION each"
    for round in $(seq 1 "$RATIO_ROUNDS"); do
        "${PIN_WRK[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$RATIO_DURATION" "$BASE/api/v1/items/$ITEM_ID" \
            >"$OUT_DIR/ratio-$round-get.txt" 2>&1 || log "wrk failed (ratio round $round, GET)"
        "${PIN_WRK[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$RATIO_DURATION" -s "$ROOT/scripts/wrk/place_bid.lua" \
            "$BASE/api/v1/items" -- "$TMP/bid-items.txt" "$TMP/bidders.txt" "$((round * 1000000000))" "$BID_STEP" "$THREADS" \
            >"$OUT_DIR/ratio-$round-bids.txt" 2>&1 || log "wrk failed (ratio round $round, bids)"
        read -r get_rps _ < <(parse_wrk "$OUT_DIR/ratio-$round-get.txt")
        read -r bid_rps _ _ bid_non2xx _ < <(parse_wrk "$OUT_DIR/ratio-$round-bids.txt")
        value=$(awk -v a="$bid_rps" -v b="$get_rps" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.1f", 100 * a / b; else print "-" }')
        RATIO_LINES+=("round $round: GET item $get_rps req/s, bids $bid_rps req/s ($bid_non2xx non-2xx): $value%")
        [ "$value" = - ] || RATIO_VALUES+=("$value")
        kill -0 "$SERVER_PID" 2>/dev/null || die "server died during ratio round $round"
    done
fi

# The engine alone (no HTTP), when this binary has the subcommand.
ENGINE_OUT=""
if "$BIN" --help 2>/dev/null | grep -q 'bench-engine'; then
    log "gavel bench-engine --items $ENGINE_ITEMS --bids $ENGINE_BIDS ($ENGINE_PINNING)"
    if ! "${PIN_SERVER[@]}" env "GAVEL_AUTH_JWT_SECRET=$SECRET" "GAVEL_LOG_LEVEL=error" timeout "$ENGINE_TIMEOUT" \
        "$BIN" bench-engine --config "$CONFIG" --items "$ENGINE_ITEMS" --bids "$ENGINE_BIDS" >"$OUT_DIR/engine.txt" 2>&1 </dev/null; then
        log "bench-engine failed or timed out after ${ENGINE_TIMEOUT}s: $(tail -n 3 "$OUT_DIR/engine.txt" | tr '\n' ' ')"
    fi
    ENGINE_OUT=$(cat "$OUT_DIR/engine.txt")
else
    log "$BIN has no bench-engine subcommand; skipping the engine-only benchmark"
fi

{
    echo
    echo "Gavel benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $("$BIN" --version 2>/dev/null | head -n 1 || echo 'version unknown')"
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency; $PINNING; $PRODUCTS products"
    echo "login: $LOGIN_EMAIL, bcrypt cost $BCRYPT_COST, -c$LOGIN_CONNECTIONS (CPU-bound: one bcrypt verify per request)"
    echo
    printf '%-42s %11s %10s %10s %9s %9s\n' route 'req/s' 'p50 ms' 'p99 ms' non-2xx sock-err
    printf '%-42s %11s %10s %10s %9s %9s\n' "$(printf '%.0s-' {1..42})" ----------- ---------- ---------- --------- ---------
    for r in "${RESULTS[@]}"; do
        IFS='|' read -r name rps p50 p99 non2xx sockerr <<<"$r"
        printf '%-42s %11s %10s %10s %9s %9s\n' "$name" "$rps" "$p50" "$p99" "$non2xx" "$sockerr"
    done
    if [ "${#BID_RESULTS[@]}" -gt 0 ]; then
        echo
        echo "bids: answered/s is wrk's req/s; accepted and rejected from gavel_bids_total; $BIDDERS bidders, amounts rising by $BID_STEP"
        printf '%-42s %11s %10s %10s %9s %11s  %s\n' route 'answered/s' accepted rejected failed 'accepted/s' 'rejections by code'
        for r in "${BID_RESULTS[@]}"; do
            IFS='|' read -r name rps accepted rejected failed accepted_rate _ codes <<<"$r"
            printf '%-42s %11s %10s %10s %9s %11s  %s\n' "$name" "$rps" "$accepted" "$rejected" "$failed" "$accepted_rate" "$codes"
        done
        get_rps=""; spread_rps=""; hot_rps=""
        for r in "${RESULTS[@]}"; do
            IFS='|' read -r name rps _ <<<"$r"
            case $name in
                "GET /api/v1/items/{id}") get_rps=$rps ;;
                "POST /api/v1/items/{id}/bids"*) spread_rps=$rps ;;
                "POST bids on one hot item") hot_rps=$rps ;;
            esac
        done
        ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.0f%%", 100 * a / b; else print "-" }'; }
        echo "bids spread / GET item: $(ratio "$spread_rps" "$get_rps") (target >= 60%); hot / spread: $(ratio "$hot_rps" "$spread_rps") (target >= 50%)"
        if [ "${#RATIO_LINES[@]}" -gt 0 ]; then
            echo "bids spread / GET item, interleaved ($RATIO_ROUNDS rounds of $RATIO_DURATION each, after the RSS reading):"
            printf '  %s\n' "${RATIO_LINES[@]}"
            median=$(printf '%s\n' "${RATIO_VALUES[@]+"${RATIO_VALUES[@]}"}" | sort -n | awk '{ v[NR] = $1 } END {
                if (NR == 0) print "-"; else if (NR % 2) printf "%.0f%%", v[(NR + 1) / 2]; else printf "%.0f%%", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
            echo "  median: $median (target >= 60%)"
        fi
    fi
    if [ -n "$ENGINE_OUT" ]; then
        echo
        echo "engine only (gavel bench-engine --items $ENGINE_ITEMS --bids $ENGINE_BIDS; $ENGINE_PINNING):"
        printf '%s\n' "$ENGINE_OUT"
    fi
    echo
    echo "server RSS before: $(fmt_mb "$RSS_BEFORE"), after the product routes: $(fmt_mb "$RSS_PRODUCTS"), after all routes: $(fmt_mb "$RSS_AFTER")"
    for r in "${RESULTS[@]}"; do
        IFS='|' read -r name _ _ _ non2xx sockerr <<<"$r"
        # Rejected bids (bid.too_low when one overtakes another) are part of a bid row's result.
        [ -z "${BID_ROWS[$name]:-}" ] || non2xx=0
        if [ "$non2xx" != 0 ] || [ "$sockerr" != 0 ]; then
            echo "WARNING: $name had $non2xx non-2xx responses and $sockerr socket errors"
        fi
    done
    for r in "${BID_RESULTS[@]+"${BID_RESULTS[@]}"}"; do
        IFS='|' read -r name _ _ rejected failed _ non2xx _ <<<"$r"
        if [ "$failed" != 0 ]; then echo "WARNING: $name: $failed bids failed (dead-lettered)"; fi
        if [ "$non2xx" -gt "$rejected" ] 2>/dev/null; then
            echo "WARNING: $name: $non2xx non-2xx answers but only $rejected rule rejections (the rest: 503 overload or errors)"
        fi
    done
    line="bench:"
    sep=""
    for r in "${RESULTS[@]}"; do
        IFS='|' read -r name rps _ p99 _ _ <<<"$r"
        line+="$sep $name ${rps} req/s p99 ${p99}ms"
        sep=" |"
    done
    line+=" | rss $(fmt_mb "$RSS_BEFORE") -> $(fmt_mb "$RSS_AFTER")"
    echo "$line"
} | tee "$OUT_DIR/results.txt"
