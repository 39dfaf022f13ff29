#!/usr/bin/env bash
# Contract fuzzing: schemathesis drives the built binary from its own OpenAPI document.
#
#   scripts/fuzz.sh                       # uses .build/debug/gavel and config.yaml
#   scripts/fuzz.sh path/to/gavel
#   FUZZ_MAX_TIME=30 FUZZ_MAX_EXAMPLES=10 scripts/fuzz.sh   # a quicker run
#   FUZZ_SEED=1234 scripts/fuzz.sh        # replay a run (the seed is printed at the end)
#
# The server runs on a free loopback port with a throw-away SQLite file, a random JWT secret and
# bcrypt cost 4, seeded with demo users, products and auctions. A demo user's access token is
# sent with every request, so authenticated operations are exercised too. schemathesis loads the
# document the server serves at /openapi.yaml (FUZZ_SCHEMA=path/to/openapi.yaml uses a file
# instead) and runs its example, coverage, fuzzing and stateful phases (the document's links chain
# created products and items into later requests) until FUZZ_MAX_TIME seconds (default 90) are
# spent, with at most FUZZ_MAX_EXAMPLES (default 40) cases per operation and phase round. It fails
# on any 5xx, any status, content type, header or body that the document does not describe, any
# undocumented method not answered 405 with a correct Allow, and a server that dies. The two
# Server-Sent Events operations never end, so they are checked with curl instead, as is 405 + Allow.
#
# Requires curl, jq and schemathesis (make deps). Prints one line per check and a closing
# "fuzz: N passed, M failed"; exits 1 when anything failed, printing the tail of the server log.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BIN=${1:-${FUZZ_BIN:-.build/debug/gavel}}
CONFIG=${FUZZ_CONFIG:-config.yaml}
MAX_TIME=${FUZZ_MAX_TIME:-90}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-40}
SEED=${FUZZ_SEED:-}
SCHEMA=${FUZZ_SCHEMA:-}
STARTUP_TIMEOUT=30

while read -r name; do unset "$name"; done < <(compgen -e | grep '^GAVEL_' || true)

for tool in curl jq schemathesis; do
    command -v "$tool" >/dev/null 2>&1 || { echo "fuzz: '$tool' is required (make deps)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "fuzz: $BIN not found or not executable (make build)" >&2; exit 1; }
[ -f "$CONFIG" ] || { echo "fuzz: $CONFIG not found" >&2; exit 1; }
[ -z "$SCHEMA" ] || [ -f "$SCHEMA" ] || { echo "fuzz: FUZZ_SCHEMA=$SCHEMA not found" >&2; exit 1; }
case "$BIN" in /*) ;; *) BIN=$ROOT/$BIN ;; esac
case "$CONFIG" in /*) ;; *) CONFIG=$ROOT/$CONFIG ;; esac
case "$SCHEMA" in /* | "") ;; *) SCHEMA=$ROOT/$SCHEMA ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gavel-fuzz.XXXXXX")
LOG=$TMP/server.log
SERVER_PID=""
PASS=0
FAIL=0

cleanup() {
    local rc=$?
    set +e
    trap '' PIPE HUP INT TERM
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$SERVER_PID" 2>/dev/null
        wait "$SERVER_PID" 2>/dev/null
    fi
    if [ "$FAIL" -gt 0 ] || [ "$rc" -ne 0 ]; then
        echo "---- last lines of the server log ----"
        tail -n 40 "$LOG" 2>/dev/null
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; }

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
export GAVEL_DATABASE_SQLITE_PATH="$TMP/gavel.sqlite"
export GAVEL_AUTH_BCRYPT_COST=4
GAVEL_AUTH_JWT_SECRET="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
export GAVEL_AUTH_JWT_SECRET
export GAVEL_LOG_LEVEL=warning

"$BIN" seed --config "$CONFIG" --users 3 --products 20 --items 10 >>"$LOG" 2>&1 \
    || { fail "seed demo data"; exit 1; }
"$BIN" serve --config "$CONFIG" --port "$PORT" >>"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 $((STARTUP_TIMEOUT * 5))); do
    curl -fsS -o /dev/null "$BASE/health" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.2
done
curl -fsS -o /dev/null "$BASE/health" 2>/dev/null || { fail "server starts on $BASE"; exit 1; }
ok "server starts on $BASE"

# A demo user's access token (15 minutes: longer than the run).
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/identity/login" -H 'Content-Type: application/json' \
    -d '{"email": "user1@gavel.test", "password": "gavel-demo-password"}' | jq -r '.access_token // empty') || true
if [ -n "$TOKEN" ]; then ok "a demo user logs in"; else fail "a demo user logs in"; exit 1; fi

# 405 with Allow for known paths and methods they do not support.
check_405() {
    local method=$1 path=$2 allow=$3 headers
    local request=(-X "$method")
    [ "$method" = HEAD ] && request=(-I)  # -X HEAD would wait for the body Content-Length announces
    headers=$(curl -sS -o /dev/null -D - --max-time 5 "${request[@]}" "$BASE$path" | tr -d '\r')
    if grep -q '^HTTP/[0-9.]* 405' <<<"$headers" && grep -qi "^allow: $allow\$" <<<"$headers"; then
        ok "$method $path is 405 with Allow: $allow"
    else
        fail "$method $path is 405 with Allow: $allow" "$(head -n 1 <<<"$headers"), $(grep -i '^allow:' <<<"$headers" || echo 'no Allow')"
    fi
}
check_405 PUT /api/v1/items "GET, HEAD, POST"
check_405 DELETE /health "GET, HEAD"
check_405 POST /api/v1/products/01a2003a-28ef-7c40-a3d0-4853971cf022 "DELETE, GET, HEAD, PATCH, PUT"
check_405 HEAD /api/v1/identity/login "POST"

# HEAD on a GET route: the GET answer's status and Content-Length, and no body.
headers=$(curl -sS -I --max-time 5 "$BASE/health" | tr -d '\r')
if grep -q '^HTTP/[0-9.]* 200' <<<"$headers" && grep -qi '^content-length: 15$' <<<"$headers"; then
    ok "HEAD /health is 200 with the GET body's Content-Length"
else
    fail "HEAD /health is 200 with the GET body's Content-Length" "$(head -n 1 <<<"$headers")"
fi

# The Server-Sent Events operations stream forever: check their status and media type only.
check_stream() {
    local path=$1 headers
    headers=$(curl -sS -o /dev/null -D - --max-time 2 "$BASE$path" 2>/dev/null | tr -d '\r' || true)
    if grep -q '^HTTP/[0-9.]* 200' <<<"$headers" && grep -qi '^content-type: text/event-stream' <<<"$headers"; then
        ok "GET $path streams text/event-stream"
    else
        fail "GET $path streams text/event-stream" "$(head -n 1 <<<"$headers")"
    fi
}
ITEM_ID=$(curl -fsS "$BASE/api/v1/items?page_size=1" | jq -r '.data[0].id')
check_stream "/api/v1/events/stream?after=0"
check_stream "/api/v1/items/$ITEM_ID/events"

# The document: the one the binary serves, unless a file is named.
if [ -n "$SCHEMA" ]; then
    LOCATION=(--url "$BASE" "$SCHEMA")
elif curl -fsS -o "$TMP/openapi.yaml" "$BASE/openapi.yaml"; then
    ok "the server serves /openapi.yaml"
    LOCATION=("$BASE/openapi.yaml")
else
    fail "the server serves /openapi.yaml"
    exit 1
fi

SEED_ARGS=()
[ -n "$SEED" ] && SEED_ARGS=(--seed "$SEED")
echo "fuzz: schemathesis $(schemathesis --version 2>/dev/null | awk '{print $NF}'), ${MAX_TIME}s, up to $MAX_EXAMPLES examples per operation"
set +e
(
    cd "$TMP"  # schemathesis writes its reports and example database into the working directory
    schemathesis run "${LOCATION[@]}" \
        --header "Authorization: Bearer $TOKEN" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,unsupported_method,allow_header_conformance \
        --exclude-operation-id streamItemEvents --exclude-operation-id streamEvents \
        --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" \
        --workers 1 --request-timeout 10 --max-redirects 0 \
        --suppress-health-check too_slow,filter_too_much \
        --generation-database none --no-color \
        "${SEED_ARGS[@]}"
)
ST_RC=$?
set -e
if [ "$ST_RC" -eq 0 ]; then ok "schemathesis finds no failure"; else fail "schemathesis finds no failure" "exit $ST_RC"; fi

if kill -0 "$SERVER_PID" 2>/dev/null && curl -fsS -o /dev/null "$BASE/health"; then
    ok "the server is still alive"
else
    fail "the server is still alive"
fi
if grep -q '"level":"\(error\|critical\)"' "$LOG"; then
    fail "the server logged no errors" "$(grep -m 3 '"level":"\(error\|critical\)"' "$LOG")"
else
    ok "the server logged no errors"
fi

echo "fuzz: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
