#!/usr/bin/env bash
# End-to-end test: drives the built debug binary over real HTTP with curl and checks with jq.
#
#   scripts/e2e.sh                      # uses .build/debug/gavel and config.yaml
#   E2E_BIN=path/to/gavel E2E_CONFIG=path/to/config.yaml scripts/e2e.sh
#
# The server runs on a free loopback port with a throw-away SQLite file, a random JWT secret,
# a 4 KiB body limit and bcrypt cost 4 (the minimum, so the many logins stay fast). Each check
# prints one line ("ok" or "FAIL"); the last line is "e2e: N passed, M failed". Exit status 1
# when anything failed. On failure the tail of the server log is printed. Requires: curl, jq,
# python3 (scripts/mint_token.py, scripts/e2e_bids.py) and its module pyotp, an independent TOTP
# implementation for the two-factor checks (make deps installs it). Those checks wait for the
# next 30 s TOTP step once (a step already accepted is refused as a replay), so a run takes up
# to ~30 s more.
#
# Auctions run on the same server: items, bids and their rejection codes, proxy bidding, soft
# close, items that close a few seconds after creation (polled), live per-item SSE. Durability
# runs on a second server with its own port and database: scripts/e2e_bids.py drives 8 bidding
# clients, the server gets SIGKILL mid-load, then (after a restart on the same database) SIGTERM
# mid-load; after each restart every bid that was answered 201 must be stored with its
# bid.placed event. E2E_DURABILITY_MIN_ACKS (300) is how many bids are acknowledged before the
# signal (the load runs at least 2 s, at most 10 s, before it).
# GAVEL_* variables inherited from the caller are removed (the server rejects unknown ones and
# the run must not depend on the caller's environment); the script sets the ones it needs.
# shellcheck disable=SC2016  # jq filters are single-quoted on purpose
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BIN=${E2E_BIN:-.build/debug/gavel}
CONFIG=${E2E_CONFIG:-config.yaml}
STARTUP_TIMEOUT=${E2E_STARTUP_TIMEOUT:-30}
SHUTDOWN_TIMEOUT=${E2E_SHUTDOWN_TIMEOUT:-15}
MAX_BODY=4096

while read -r name; do unset "$name"; done < <(compgen -e | grep '^GAVEL_' || true)

for tool in curl jq python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "e2e: '$tool' is required (make deps)" >&2; exit 1; }
done
python3 -c 'import pyotp' >/dev/null 2>&1 || { echo "e2e: the Python module pyotp is required (make deps)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "e2e: $BIN not found or not executable (make build)" >&2; exit 1; }
[ -f "$CONFIG" ] || { echo "e2e: $CONFIG not found" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/gavel-e2e.XXXXXX")
LOG=$TMP/server.log
HDRS=$TMP/headers
BODY=$TMP/body
SERVER_PID=""
SERVER2_PID=""  # the durability section's server
LOAD_PID=""     # its bidding clients
LOG2=$TMP/server2.log
PASS=0
FAIL=0
SUMMARY_PRINTED=0
FINISHED=0

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
uuid4() { python3 -c 'import uuid; print(uuid.uuid4())'; }

PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
SECRET="e2e-$(python3 -c 'import secrets; print(secrets.token_hex(24))')" # 52 chars

summary() {
    [ "$SUMMARY_PRINTED" = 1 ] && return 0
    SUMMARY_PRINTED=1
    echo "e2e: $PASS passed, $FAIL failed"
}

cleanup() {
    local rc=$?
    set +e
    trap '' PIPE HUP INT TERM  # finish cleaning up even if the reader went away
    if [ "$rc" -ne 0 ] && [ "$FINISHED" = 0 ]; then
        FAIL=$((FAIL + 1))
        echo "FAIL e2e script aborted (exit $rc)"
    fi
    if [ -n "$LOAD_PID" ]; then
        kill "$LOAD_PID" 2>/dev/null
        wait "$LOAD_PID" 2>/dev/null
    fi
    local pid
    for pid in "$SERVER_PID" "$SERVER2_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
        fi
    done
    if [ "$FAIL" -gt 0 ] && [ -s "$LOG" ]; then
        echo "---- server log (last 60 lines) ----"
        tail -n 60 "$LOG"
        echo "------------------------------------"
    fi
    if [ "$FAIL" -gt 0 ] && [ -s "$LOG2" ]; then
        echo "---- durability server log (last 40 lines) ----"
        tail -n 40 "$LOG2"
        echo "-----------------------------------------------"
    fi
    summary
    rm -rf "$TMP"
    if [ "$FAIL" -gt 0 ] && [ "$rc" -eq 0 ]; then rc=1; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "e2e: command failed at line $LINENO: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# bail — stop after a failure that was already counted (no extra "aborted" line).
bail() { FINISHED=1; exit 1; }

# ---------------------------------------------------------------------------------------------
# check helpers: `begin NAME`, any number of want_* assertions, `end_check`.
CHECK=""
ERRS=()
begin() { CHECK=$1; ERRS=(); }
err() { ERRS+=("$1"); }
end_check() {
    if [ "${#ERRS[@]}" -eq 0 ]; then
        PASS=$((PASS + 1))
        echo "ok   $CHECK"
    else
        FAIL=$((FAIL + 1))
        echo "FAIL $CHECK"
        local e
        for e in "${ERRS[@]}"; do echo "       - $e"; done
    fi
}

# Every response must carry X-Request-ID and X-Content-Type-Options: nosniff and must not leak
# a server version; violations are collected here and reported by one check at the end.
RESPONSES=0
HEADER_VIOLATIONS=()

# hdr NAME — value of a response header from the last request (case-insensitive, first match).
hdr() {
    awk -v name="$1" 'BEGIN { name = tolower(name) }
        { sub(/\r$/, "") }
        index($0, ":") > 0 {
            key = tolower(substr($0, 1, index($0, ":") - 1))
            if (key == name) { v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); print v; exit }
        }' "$HDRS"
}

record_headers() { # record_headers LABEL
    RESPONSES=$((RESPONSES + 1))
    local rid nosniff server
    rid=$(hdr X-Request-ID)
    nosniff=$(hdr X-Content-Type-Options)
    server=$(hdr Server)
    [ -n "$rid" ] || HEADER_VIOLATIONS+=("$1: no X-Request-ID")
    [ "$(printf '%s' "$nosniff" | tr '[:upper:]' '[:lower:]')" = nosniff ] || HEADER_VIOLATIONS+=("$1: X-Content-Type-Options='$nosniff'")
    if printf '%s' "$server" | grep -q '[0-9]'; then HEADER_VIOLATIONS+=("$1: Server header leaks a version: '$server'"); fi
}

# req METHOD PATH [extra curl args...] — sets STATUS; headers in $HDRS, body in $BODY.
# `Expect:` is suppressed so curl sends large bodies at once instead of waiting for 100-continue.
req() {
    local method=$1 path=$2
    shift 2
    : >"$HDRS"
    : >"$BODY"
    # A non-zero curl exit with a status code (e.g. the server closing the connection after an
    # early 413) still counts as an answer; only "no status at all" is a transport failure.
    STATUS=$(curl -sS -o "$BODY" -D "$HDRS" -w '%{http_code}' --max-time 10 -H 'Expect:' \
        -X "$method" "$@" "$BASE$path" 2>"$TMP/curl.err") || true
    [ -n "$STATUS" ] || STATUS=000
    if [ "$STATUS" = 000 ]; then
        err "$method $path: curl failed: $(head -c 200 "$TMP/curl.err")"
    else
        record_headers "$method $path -> $STATUS"
    fi
}

body_excerpt() { head -c 300 "$BODY" | tr '\n' ' '; }

want_status() {
    [ "$STATUS" = "$1" ] || err "expected HTTP $1, got $STATUS; body: $(body_excerpt)"
}
# want_json FILTER [DESCRIPTION] [jq args...] — jq -e FILTER on the body must be true.
want_json() {
    local filter=$1 desc=${2:-$1}
    shift 2 || shift $#
    jq -e "$@" "$filter" "$BODY" >/dev/null 2>&1 || err "body fails: $desc; body: $(body_excerpt)"
}
# want_header NAME ERE — header must be present and match the extended regex.
want_header() {
    local v
    v=$(hdr "$1")
    if [ -z "$v" ]; then err "missing header $1"
    elif ! printf '%s' "$v" | grep -Eq -- "$2"; then err "header $1='$v' does not match /$2/"; fi
}
want_problem() { # want_problem STATUS [CODE]
    want_status "$1"
    want_header Content-Type '^application/problem\+json'
    want_json '(.code | type == "string") and (.code | length > 0)' 'problem has a string "code"'
    want_json ".status == $1" "problem .status == $1"
    if [ -n "${2:-}" ]; then want_json '.code == $c' ".code == \"$2\"" --arg c "$2"; fi
}
json_get() { jq -r "$1" "$BODY" 2>/dev/null || true; }

mint() { # mint SUB [extra mint_token.py args]
    local sub=$1
    shift
    python3 "$ROOT/scripts/mint_token.py" --secret "$SECRET" --sub "$sub" "$@"
}

# ---------------------------------------------------------------------------------------------
# Configuration errors: exit code 2 and a line naming the key.
config_check() { # config_check NAME KEY [VAR=VALUE...] -- [gavel args]
    local name=$1 key=$2
    shift 2
    local envs=()
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    begin "$name"
    local out=$TMP/config-check.out rc=0
    env GAVEL_SERVER_HOST=127.0.0.1 GAVEL_SERVER_PORT="$(free_port)" \
        GAVEL_DATABASE_SQLITE_PATH="$TMP/config-check.sqlite" GAVEL_AUTH_JWT_SECRET="$SECRET" \
        GAVEL_LOG_LEVEL=warning "${envs[@]}" \
        timeout 10 "$BIN" "$@" >"$out" 2>&1 </dev/null || rc=$?
    [ "$rc" = 2 ] || err "expected exit code 2, got $rc; output: $(head -c 300 "$out" | tr '\n' ' ')"
    grep -q -- "$key" "$out" || err "output does not mention $key: $(head -c 300 "$out" | tr '\n' ' ')"
    end_check
}

echo "e2e: binary $BIN, config $CONFIG, port $PORT"

config_check "config: GAVEL_SERVER_PORT=70000 exits 2 naming server.port" server.port \
    GAVEL_SERVER_PORT=70000 -- serve --config "$CONFIG"
config_check "config: short GAVEL_AUTH_JWT_SECRET exits 2 naming auth.jwt_secret" auth.jwt_secret \
    GAVEL_AUTH_JWT_SECRET=short -- serve --config "$CONFIG"
cp "$CONFIG" "$TMP/bad-config.yaml"
printf '\ne2e_unknown_key: 1\n' >>"$TMP/bad-config.yaml"
config_check "config: unknown key in YAML exits 2 naming it" e2e_unknown_key \
    -- serve --config "$TMP/bad-config.yaml"
config_check "config: unknown GAVEL_ variable exits 2 naming it" GAVEL_SERVER_PROT \
    GAVEL_SERVER_PROT=8080 -- serve --config "$CONFIG"

# ---------------------------------------------------------------------------------------------
# Start the server.
GAVEL_SERVER_PORT=$PORT \
GAVEL_SERVER_HOST=127.0.0.1 \
GAVEL_DATABASE_SQLITE_PATH=$TMP/gavel.sqlite \
GAVEL_AUTH_JWT_SECRET=$SECRET \
GAVEL_SERVER_MAX_BODY_BYTES=$MAX_BODY \
GAVEL_AUTH_BCRYPT_COST=4 \
GAVEL_LOG_LEVEL=warning \
    "$BIN" serve --config "$CONFIG" >"$LOG" 2>&1 </dev/null &
SERVER_PID=$!

begin "server answers GET /health within ${STARTUP_TIMEOUT}s"
deadline=$((SECONDS + STARTUP_TIMEOUT))
up=0
while [ "$SECONDS" -lt "$deadline" ]; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    if curl -fsS --max-time 1 -o /dev/null "$BASE/health" 2>/dev/null; then up=1; break; fi
    sleep 0.2
done
if [ "$up" != 1 ]; then
    if kill -0 "$SERVER_PID" 2>/dev/null; then err "no answer within ${STARTUP_TIMEOUT}s"
    else err "server exited during start-up"; fi
    end_check
    bail
fi
end_check

# ---------------------------------------------------------------------------------------------
# Operational endpoints and common headers.
begin "GET /health -> 200"
req GET /health
want_status 200
end_check

begin "GET /ready -> 200"
req GET /ready
want_status 200
end_check

begin "GET /metrics exposes gavel_http_requests_total, gavel_build_info, process_resident_memory_bytes"
req GET /metrics
want_status 200
for metric in gavel_http_requests_total gavel_build_info process_resident_memory_bytes; do
    grep -Eq "^${metric}([{ ]|$)" "$BODY" || err "metric $metric missing"
done
end_check

begin "unknown route -> 404 problem+json with code"
req GET /api/v1/e2e-no-such-route
want_problem 404
end_check

begin "supplied X-Request-ID is echoed"
req GET /health -H 'X-Request-ID: e2e-abc-123'
want_status 200
[ "$(hdr X-Request-ID)" = e2e-abc-123 ] || err "X-Request-ID='$(hdr X-Request-ID)'"
end_check

# ---------------------------------------------------------------------------------------------
# Authentication.
USER1=$(uuid4)
USER2=$(uuid4)
TOKEN1=$(mint "$USER1")
TOKEN2=$(mint "$USER2")
AUTH1=(-H "Authorization: Bearer $TOKEN1")
AUTH2=(-H "Authorization: Bearer $TOKEN2")
JSON=(-H 'Content-Type: application/json')
RUN=$(python3 -c 'import secrets; print(secrets.token_hex(4))')
NAME="E2E Lamp $RUN"
CREATE_BODY=$(jq -cn --arg n "  $NAME  " '{name: $n, description: "a lamp for the e2e test", price: 2499, currency: "EUR", stock: 5}')

begin "POST /api/v1/products without token -> 401 + WWW-Authenticate: Bearer"
req POST /api/v1/products "${JSON[@]}" --data "$CREATE_BODY"
want_problem 401
want_header WWW-Authenticate '^Bearer'
end_check

begin "POST /api/v1/products with an expired token -> 401"
req POST /api/v1/products "${JSON[@]}" -H "Authorization: Bearer $(mint "$USER1" --ttl -120)" --data "$CREATE_BODY"
want_problem 401
end_check

begin "POST /api/v1/products with a token signed by another secret -> 401"
req POST /api/v1/products "${JSON[@]}" --data "$CREATE_BODY" \
    -H "Authorization: Bearer $(python3 "$ROOT/scripts/mint_token.py" --secret "not-the-server-secret-0123456789abcdef" --sub "$USER1")"
want_problem 401
end_check

# ---------------------------------------------------------------------------------------------
# Products.
TS_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$'

begin "POST /api/v1/products -> 201 product, Location, ETag"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data "$CREATE_BODY"
want_status 201
PRODUCT_ID=$(json_get '.id')
want_json '.id | type == "string" and test("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")' 'id is a UUID'
want_json '(.seller_id | ascii_downcase) == ($u | ascii_downcase)' "seller_id == token sub" --arg u "$USER1"
want_json '.price == 2499 and .currency == "EUR" and .stock == 5' 'price 2499, currency EUR, stock 5'
want_json '.description == "a lamp for the e2e test"' 'description stored'
want_json '.version | type == "number" and . >= 1' 'version is a number'
want_json '(.created_at | test($re)) and (.updated_at | test($re))' 'created_at/updated_at RFC 3339 UTC with ms' --arg re "$TS_RE"
want_json 'has("id") and has("seller_id") and has("name") and has("price") and has("currency") and has("stock") and has("version") and has("created_at") and has("updated_at")' 'all product fields present'
want_header Location "/api/v1/products/${PRODUCT_ID:-<none>}\$"
want_header ETag '.'
ETAG1=$(hdr ETag)
VERSION1=$(json_get '.version')
end_check
if [ -z "$PRODUCT_ID" ] || [ "$PRODUCT_ID" = null ]; then echo "e2e: cannot continue without a product id"; bail; fi

begin "product name is stored trimmed"
want_json '.name == $n' "name == \"$NAME\"" --arg n "$NAME"
end_check

begin "POST same name by same seller -> 409 product.name_taken"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data "$(jq -cn --arg n "$NAME" '{name: $n, price: 100}')"
want_problem 409 product.name_taken
end_check

begin "GET /api/v1/products/{id} -> 200 with ETag"
req GET "/api/v1/products/$PRODUCT_ID"
want_status 200
want_json '.id == $id and .name == $n and .price == 2499' 'same product' --arg id "$PRODUCT_ID" --arg n "$NAME"
want_header ETag '.'
[ "$(hdr ETag)" = "$ETAG1" ] || err "ETag '$(hdr ETag)' differs from the one returned on create '$ETAG1'"
end_check

begin "GET /api/v1/products/not-a-uuid -> 404"
req GET /api/v1/products/not-a-uuid
want_problem 404
end_check

begin "GET /api/v1/products/{unknown uuid} -> 404"
req GET "/api/v1/products/$(uuid4)"
want_problem 404
end_check

begin "GET /api/v1/products?page_size=100 -> page"
req GET '/api/v1/products?page_size=100'
want_status 200
want_json '(.data | type == "array") and (.page | type == "number") and (.page_size == 100) and (.total | type == "number")' 'data[], page, page_size == 100, total'
want_json 'any(.data[]; .id == $id)' 'contains the new product' --arg id "$PRODUCT_ID"
end_check

begin "GET /api/v1/products?q=<run id> -> only matching products"
req GET "/api/v1/products?q=$RUN&page_size=100"
want_status 200
want_json '(.data | length) >= 1 and all(.data[]; .name | ascii_downcase | contains($q))' "every result matches q=$RUN" --arg q "$RUN"
want_json 'any(.data[]; .id == $id)' 'contains the new product' --arg id "$PRODUCT_ID"
end_check

begin "GET /api/v1/products?q=<no match> -> empty list []"
req GET "/api/v1/products?q=e2e-nomatch-$RUN"
want_status 200
want_json '.data == [] and .total == 0' 'data == [] and total == 0'
end_check

begin "PATCH merge-patch {price: 1999} with If-Match -> 200 whole product, version+1"
req PATCH "/api/v1/products/$PRODUCT_ID" "${AUTH1[@]}" -H 'Content-Type: application/merge-patch+json' \
    -H "If-Match: $ETAG1" --data '{"price": 1999}'
want_status 200
want_json '.id == $id and .price == 1999 and .name == $n and .stock == 5 and .currency == "EUR"' 'whole product with price 1999' --arg id "$PRODUCT_ID" --arg n "$NAME"
want_json '.version == ($v + 1)' "version == $VERSION1 + 1" --argjson v "${VERSION1:-0}"
want_header ETag '.'
ETAG2=$(hdr ETag)
[ "$ETAG2" != "$ETAG1" ] || err "ETag did not change after the update"
end_check

begin "PATCH with stale If-Match -> 412"
req PATCH "/api/v1/products/$PRODUCT_ID" "${AUTH1[@]}" -H 'Content-Type: application/merge-patch+json' \
    -H "If-Match: $ETAG1" --data '{"price": 1500}'
want_problem 412
end_check

begin "PATCH empty merge patch -> 422"
req PATCH "/api/v1/products/$PRODUCT_ID" "${AUTH1[@]}" -H 'Content-Type: application/merge-patch+json' --data '{}'
want_problem 422
end_check

begin "PUT by another user -> 403"
req PUT "/api/v1/products/$PRODUCT_ID" "${AUTH2[@]}" "${JSON[@]}" -H "If-Match: $ETAG2" \
    --data "$(jq -cn --arg n "$NAME" '{name: $n, description: "hijacked", price: 1, currency: "EUR", stock: 1}')"
want_problem 403
end_check

begin "GET after rejected writes -> unchanged (price 1999)"
req GET "/api/v1/products/$PRODUCT_ID"
want_status 200
want_json '.price == 1999 and .description == "a lamp for the e2e test"' 'price 1999, description unchanged'
end_check

begin "POST with an unknown JSON field -> 400"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data "{\"name\": \"E2E typo $RUN\", \"price\": 100, \"colour\": \"red\"}"
want_problem 400
end_check

begin "POST malformed JSON -> 400"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data '{"name": "broken", "price": '
want_problem 400
end_check

begin "POST price 0 -> 422 with errors[0].field == price"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data "{\"name\": \"E2E free $RUN\", \"price\": 0}"
want_problem 422
want_json '.errors[0].field == "price"' 'errors[0].field == "price"'
end_check

begin "POST with Content-Type text/plain -> 415"
req POST /api/v1/products "${AUTH1[@]}" -H 'Content-Type: text/plain' --data "{\"name\": \"E2E text $RUN\", \"price\": 100}"
want_problem 415
end_check

begin "POST body over server.max_body_bytes ($MAX_BODY) -> 413"
python3 -c 'import json, sys; print(json.dumps({"name": "E2E big " + sys.argv[1], "description": "x" * 10240, "price": 100}))' "$RUN" >"$TMP/big.json"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" --data-binary "@$TMP/big.json"
want_problem 413
end_check

begin "DELETE /api/v1/products -> 405 with Allow"
req DELETE /api/v1/products "${AUTH1[@]}"
want_problem 405
want_header Allow 'GET'
want_header Allow 'POST'
end_check

# Idempotency-Key
IDEM_KEY="e2e-idem-$RUN"
IDEM_BODY=$(jq -cn --arg n "E2E Idem $RUN" '{name: $n, price: 700}')
begin "POST with Idempotency-Key twice -> 201 and the same id"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEM_KEY" --data "$IDEM_BODY"
want_status 201
IDEM_ID1=$(json_get '.id')
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEM_KEY" --data "$IDEM_BODY"
want_status 201
IDEM_ID2=$(json_get '.id')
{ [ -n "$IDEM_ID1" ] && [ "$IDEM_ID1" != null ] && [ "$IDEM_ID1" = "$IDEM_ID2" ]; } || err "ids differ: '$IDEM_ID1' vs '$IDEM_ID2'"
end_check

begin "POST with the same Idempotency-Key and a different body -> 422"
req POST /api/v1/products "${AUTH1[@]}" "${JSON[@]}" -H "Idempotency-Key: $IDEM_KEY" \
    --data "$(jq -cn --arg n "E2E Idem other $RUN" '{name: $n, price: 800}')"
want_problem 422
end_check

begin "DELETE /api/v1/products/{id} with If-Match -> 204"
req DELETE "/api/v1/products/$PRODUCT_ID" "${AUTH1[@]}" -H "If-Match: $ETAG2"
want_status 204
end_check

begin "GET deleted product -> 404"
req GET "/api/v1/products/$PRODUCT_ID"
want_problem 404
end_check

# ---------------------------------------------------------------------------------------------
# Events.
begin "GET /api/v1/events?after=0&limit=100 -> product.created/updated/deleted envelopes"
req GET '/api/v1/events?after=0&limit=100'
want_status 200
want_json '.data | type == "array"' 'data is an array'
for ev in product.created product.updated product.deleted; do
    want_json 'any(.data[]; .event == $e and (.payload | tostring | contains($id)))' "has $ev for the product" --arg e "$ev" --arg id "$PRODUCT_ID"
done
want_json 'all(.data[]; (.seq | type == "number") and (.id | type == "string") and .version == "v1" and .source == "gavel" and (.payload | type == "object") and (.event | type == "string"))' 'every envelope has seq, id, event, version v1, source gavel, payload'
want_json '[.data[].seq] as $s | $s == ($s | sort) and ($s | unique | length) == ($s | length)' 'seq strictly ascending'
want_json 'has("next_after")' 'has next_after'
FIRST_SEQ=$(json_get '.data[0].seq')
[[ "$FIRST_SEQ" =~ ^[0-9]+$ ]] || FIRST_SEQ=0
end_check

begin "GET /api/v1/events?after=<first seq>&limit=1 -> the next event only"
req GET "/api/v1/events?after=$FIRST_SEQ&limit=1"
want_status 200
want_json '(.data | length) == 1 and .data[0].seq > $f' "one event with seq > $FIRST_SEQ" --argjson f "$FIRST_SEQ"
end_check

sse() { # sse OUTFILE [curl args...] — read the stream for 3 s
    local out=$1
    shift
    : >"$HDRS"
    : >"$out"
    curl -sS -N --max-time 3 -D "$HDRS" -o "$out" "$@" 2>/dev/null || true
    sed -i 's/\r$//' "$out"
    if [ -s "$HDRS" ]; then record_headers "SSE $*"; fi
}

begin "SSE /api/v1/events/stream?after=0 -> id/event/data lines"
sse "$TMP/sse.txt" "$BASE/api/v1/events/stream?after=0"
want_header Content-Type '^text/event-stream'
grep -Eq '^id: ?[0-9]+$' "$TMP/sse.txt" || err "no 'id: <seq>' line"
grep -Eq '^event: ?product\.created$' "$TMP/sse.txt" || err "no 'event: product.created' line"
grep -Eq '^data: ?\{' "$TMP/sse.txt" || err "no 'data: {...}' line"
if first_data=$(grep -m1 -E '^data: ?\{' "$TMP/sse.txt" | sed -E 's/^data: ?//'); then
    printf '%s' "$first_data" | jq -e '.event and .seq' >/dev/null 2>&1 || err "first data line is not an envelope: ${first_data:0:200}"
fi
end_check

begin "SSE resumes after Last-Event-ID"
sse "$TMP/sse-resume.txt" -H "Last-Event-ID: $FIRST_SEQ" "$BASE/api/v1/events/stream"
resume_first=$(grep -m1 -E '^id: ?[0-9]+$' "$TMP/sse-resume.txt" | sed -E 's/^id: ?//' || true)
if [ -z "$resume_first" ]; then err "no events after Last-Event-ID: $FIRST_SEQ"
elif [ "$resume_first" -le "$FIRST_SEQ" ]; then err "first id $resume_first is not after $FIRST_SEQ"; fi
end_check

# ---------------------------------------------------------------------------------------------
# Identity: accounts, sessions, refresh-token rotation, TOTP two-factor (checked with pyotp, an
# implementation independent of the server's), recovery codes and lockouts.
ID_PATH=/api/v1/identity
id_post() { # id_post PATH JSON [extra curl args...]
    local path=$1 data=$2
    shift 2
    req POST "$ID_PATH$path" "${JSON[@]}" --data "$data" "$@"
}
login_json() { jq -cn --arg e "$1" --arg p "$2" '{email: $e, password: $p}'; }
# jwt_claims TOKEN — the decoded payload of a JWT as JSON ({} when it is not one).
jwt_claims() {
    python3 -c 'import base64, json, sys
p = sys.argv[1].split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))))' "$1" 2>/dev/null || echo '{}'
}
# otp_now URI — "CODE STEP": pyotp's current code for the otpauth:// URI and its 30 s step.
otp_now() {
    python3 -c 'import sys, time, pyotp
t = pyotp.parse_uri(sys.argv[1]); now = time.time()
print(t.at(now), int(now // t.interval))' "$1"
}
# otp_wrong URI — a 6-digit code matching none of the steps the server accepts now (±1).
otp_wrong() {
    python3 -c 'import sys, time, pyotp
t = pyotp.parse_uri(sys.argv[1]); now = time.time()
near = {t.at(now + d * t.interval) for d in range(-2, 3)}
print(next(c for c in (str((int(t.at(now)) + k) % 10**6).zfill(6) for k in range(1, 10)) if c not in near))' "$1"
}
totp_step() { python3 -c 'import time; print(int(time.time() // 30))'; }
# The body of the last response without the per-request fields, to compare two answers.
problem_core() { jq -cS 'del(.instance, .request_id, .trace_id)' "$BODY" 2>/dev/null || cat "$BODY"; }

ID_EMAIL_RAW="E2E.Ident.$RUN@Example.TEST"
ID_EMAIL=$(printf '%s' "$ID_EMAIL_RAW" | tr '[:upper:]' '[:lower:]')
ID_PASS="e2e-correct-horse-$RUN"

begin "identity: POST /register -> 201 account, email normalised to lower case, name trimmed, no password echoed"
id_post /register "$(jq -cn --arg e " $ID_EMAIL_RAW " --arg p "$ID_PASS" '{email: $e, password: $p, name: "  E2E Ident  "}')"
want_status 201
ID_USER=$(json_get '.id')
want_json '.id | type == "string" and test("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")' 'id is a UUID'
want_json '.email == $e' "email == \"$ID_EMAIL\"" --arg e "$ID_EMAIL"
want_json '.name == "E2E Ident"' 'name == "E2E Ident"'
want_json '.created_at | test($re)' 'created_at RFC 3339 UTC with ms' --arg re "$TS_RE"
want_json '[keys[] | select(test("pass|hash"))] == []' 'no password or hash field'
if grep -Fq "$ID_PASS" "$BODY"; then err "the password appears in the response"; fi
end_check
if [ -z "$ID_USER" ] || [ "$ID_USER" = null ]; then echo "e2e: cannot continue without an account"; bail; fi

begin "identity: register the same email in other letter case -> 409 identity.email_taken"
id_post /register "$(jq -cn --arg e "$(printf '%s' "$ID_EMAIL" | tr '[:lower:]' '[:upper:]')" --arg p "other-$ID_PASS" '{email: $e, password: $p, name: "Twin"}')"
want_problem 409 identity.email_taken
end_check

begin "identity: register with a short password, a common password or a bad email -> 422"
id_post /register "$(jq -cn --arg e "short.$ID_EMAIL" '{email: $e, password: "short-pw", name: "Weak"}')"
want_problem 422
want_json 'any(.errors[]?; .field == "password")' 'short password: errors name "password"'
id_post /register "$(jq -cn --arg e "common.$ID_EMAIL" '{email: $e, password: "Password123", name: "Weak"}')"
want_problem 422
want_json 'any(.errors[]?; .field == "password")' 'common password: errors name "password"'
id_post /register "$(jq -cn --arg p "$ID_PASS" '{email: "not-an-email", password: $p, name: "Bad"}')"
want_problem 422
want_json 'any(.errors[]?; .field == "email")' 'bad email: errors name "email"'
end_check

begin "identity: wrong password and unknown email -> the same 401 identity.invalid_credentials"
id_post /login "$(login_json "$ID_EMAIL" "wrong-$ID_PASS")"
want_problem 401 identity.invalid_credentials
wrong_password_answer=$(problem_core)
id_post /login "$(login_json "nobody.$ID_EMAIL" "$ID_PASS")"
want_problem 401 identity.invalid_credentials
[ "$(problem_core)" = "$wrong_password_answer" ] || err "answers differ: $wrong_password_answer vs $(problem_core)"
end_check

begin "identity: POST /login (other letter case) -> 200 Bearer token pair, Cache-Control: no-store"
id_post /login "$(login_json "$ID_EMAIL_RAW" "$ID_PASS")"
want_status 200
want_json '.token_type == "Bearer" and (.access_token | type == "string" and length > 0) and (.refresh_token | type == "string" and length > 0) and (.expires_in | type == "number" and . > 0)' 'access_token, token_type Bearer, expires_in, refresh_token'
want_json 'has("two_factor_required") | not' 'no two_factor_required'
want_header Cache-Control 'no-store'
ACCESS=$(json_get '.access_token')
REFRESH1=$(json_get '.refresh_token')
jq -e --arg sub "$ID_USER" '(.sub | ascii_downcase) == ($sub | ascii_downcase) and (.amr | index("pwd")) and (.amr | index("otp") | not) and .exp > .iat and (.jti | length > 0)' \
    <<<"$(jwt_claims "$ACCESS")" >/dev/null 2>&1 || err "access token claims: $(jwt_claims "$ACCESS")"
end_check

begin "identity: GET /me with the access token -> 200 account, two_factor_enabled false; without -> 401"
req GET "$ID_PATH/me" -H "Authorization: Bearer $ACCESS"
want_status 200
want_json '.id == $id and .email == $e and .name == "E2E Ident" and .two_factor_enabled == false and (.created_at | test($re))' \
    'id, email, name, two_factor_enabled false, created_at' --arg id "$ID_USER" --arg e "$ID_EMAIL" --arg re "$TS_RE"
req GET "$ID_PATH/me"
want_problem 401
end_check

begin "identity: POST /token/refresh -> 200 new pair with a rotated refresh token"
id_post /token/refresh "$(jq -cn --arg t "$REFRESH1" '{refresh_token: $t}')"
want_status 200
want_json '.token_type == "Bearer" and (.access_token | length > 0) and (.refresh_token | length > 0) and .refresh_token != $old' 'new pair, refresh token differs' --arg old "$REFRESH1"
REFRESH2=$(json_get '.refresh_token')
req GET "$ID_PATH/me" -H "Authorization: Bearer $(json_get '.access_token')"
want_status 200
end_check

begin "identity: reusing the rotated refresh token -> 401 identity.refresh_token_reused, then the newest one -> 401 too"
id_post /token/refresh "$(jq -cn --arg t "$REFRESH1" '{refresh_token: $t}')"
want_problem 401 identity.refresh_token_reused
id_post /token/refresh "$(jq -cn --arg t "$REFRESH2" '{refresh_token: $t}')"
want_problem 401
end_check

begin "identity: POST /logout needs a bearer token; with one -> 204, then its refresh token -> 401"
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
want_status 200
ACCESS=$(json_get '.access_token')
REFRESH3=$(json_get '.refresh_token')
id_post /logout "$(jq -cn --arg t "$REFRESH3" '{refresh_token: $t}')"
want_problem 401
id_post /logout "$(jq -cn --arg t "$REFRESH3" '{refresh_token: $t}')" -H "Authorization: Bearer $ACCESS"
want_status 204
id_post /token/refresh "$(jq -cn --arg t "$REFRESH3" '{refresh_token: $t}')"
want_problem 401
end_check

begin "identity: identity.user.registered event for the account, without the password"
req GET '/api/v1/events?after=0&limit=100'
want_status 200
want_json 'any(.data[]; .event == "identity.user.registered" and (.payload | tostring | ascii_downcase | contains($id | ascii_downcase)))' \
    'has identity.user.registered for the account' --arg id "$ID_USER"
if grep -Fq "$ID_PASS" "$BODY"; then err "the password appears in the event feed"; fi
end_check

# Two-factor enrolment. Every later request of this user runs on a fresh session.
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
ACCESS=$(json_get '.access_token')
ID_AUTH=(-H "Authorization: Bearer $ACCESS")

begin "2fa: POST /2fa/enable -> base32 secret and otpauth:// URI; 2FA not active before verify"
id_post /2fa/enable "$(jq -cn --arg p "$ID_PASS" '{password: $p}')" "${ID_AUTH[@]}"
want_status 200
want_json '(.secret | test("^[A-Z2-7]{32}=*$")) and (.otpauth_url | startswith("otpauth://totp/"))' 'secret is base32 of 20 bytes, otpauth_url otpauth://totp/...'
want_header Cache-Control 'no-store'
TOTP_SECRET=$(json_get '.secret')
OTP_URI=$(json_get '.otpauth_url')
req GET "$ID_PATH/me" "${ID_AUTH[@]}"
want_json '.two_factor_enabled == false' 'me: two_factor_enabled still false'
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
want_status 200
want_json 'has("access_token") and (has("two_factor_required") | not)' 'login still returns tokens'
end_check
if [ -z "$OTP_URI" ] || [ "$OTP_URI" = null ]; then echo "e2e: cannot continue without an otpauth URI"; bail; fi

begin "2fa: pyotp parses the otpauth URI: issuer Gavel, account = email, same secret, SHA1, 6 digits, 30 s"
parsed=$(python3 -c 'import json, sys, pyotp
t = pyotp.parse_uri(sys.argv[1])
print(json.dumps({"issuer": t.issuer, "name": t.name, "secret": t.secret, "digits": t.digits,
                  "interval": t.interval, "digest": t.digest().name}))' "$OTP_URI" 2>&1) || err "pyotp.parse_uri failed: $parsed"
jq -e --arg e "$ID_EMAIL" --arg s "$TOTP_SECRET" \
    '.issuer == "Gavel" and .name == $e and (.secret | ascii_upcase | rtrimstr("=")) == ($s | rtrimstr("=")) and .digits == 6 and .interval == 30 and .digest == "sha1"' \
    <<<"$parsed" >/dev/null 2>&1 || err "parsed: $parsed (URI ${OTP_URI%%\?*}...)"
end_check

begin "2fa: POST /2fa/verify with a wrong code -> 403 identity.invalid_code"
id_post /2fa/verify "$(jq -cn --arg c "$(otp_wrong "$OTP_URI")" '{code: $c}')" "${ID_AUTH[@]}"
want_problem 403 identity.invalid_code
end_check

begin "2fa: POST /2fa/verify with pyotp's code -> 10 recovery codes; /me shows two_factor_enabled"
VERIFY_CODE=""
VERIFY_STEP=0
if otp=$(otp_now "$OTP_URI" 2>&1); then read -r VERIFY_CODE VERIFY_STEP <<<"$otp"; else err "pyotp: $otp"; fi
id_post /2fa/verify "$(jq -cn --arg c "$VERIFY_CODE" '{code: $c}')" "${ID_AUTH[@]}"
want_status 200
want_json '(.recovery_codes | length == 10) and (.recovery_codes | unique | length == 10) and all(.recovery_codes[]; test("^[a-z2-9]{5}-[a-z2-9]{5}$"))' '10 distinct codes like abcde-fghjk'
want_header Cache-Control 'no-store'
RECOVERY=$(json_get '.recovery_codes[0]')
req GET "$ID_PATH/me" "${ID_AUTH[@]}"
want_status 200
want_json '.two_factor_enabled == true' 'two_factor_enabled == true'
end_check

begin "2fa: POST /login -> two_factor_required with a 5-minute challenge token and no tokens"
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
want_status 200
want_json '.two_factor_required == true and (.challenge_token | type == "string" and length > 0) and .expires_in == 300' 'two_factor_required, challenge_token, expires_in 300'
want_json '(has("access_token") or has("refresh_token")) | not' 'no access or refresh token'
CHALLENGE=$(json_get '.challenge_token')
end_check

begin "2fa: the challenge token as Bearer on /me -> 401"
req GET "$ID_PATH/me" -H "Authorization: Bearer $CHALLENGE"
want_problem 401
end_check

begin "2fa: /2fa/challenge with a wrong code -> 401 identity.invalid_code"
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE" --arg c "$(otp_wrong "$OTP_URI")" '{challenge_token: $t, code: $c}')"
want_problem 401 identity.invalid_code
end_check

begin "2fa: /2fa/challenge replaying the code accepted at /2fa/verify -> 401"
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE" --arg c "$VERIFY_CODE" '{challenge_token: $t, code: $c}')"
want_problem 401 identity.invalid_code
end_check

begin "2fa: a recovery code completes a new challenge once; that challenge is then used up"
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
CHALLENGE2=$(json_get '.challenge_token')
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE2" --arg r "$RECOVERY" '{challenge_token: $t, recovery_code: $r}')"
want_status 200
want_json '.token_type == "Bearer" and (.access_token | length > 0) and (.refresh_token | length > 0)' 'token pair'
req GET "$ID_PATH/me" -H "Authorization: Bearer $(json_get '.access_token')"
want_status 200
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE2" --arg c "$(otp_wrong "$OTP_URI")" '{challenge_token: $t, code: $c}')"
want_problem 401 identity.invalid_challenge
end_check

begin "2fa: the same recovery code at another challenge -> 401"
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
id_post /2fa/challenge "$(jq -cn --arg t "$(json_get '.challenge_token')" --arg r "$RECOVERY" '{challenge_token: $t, recovery_code: $r}')"
want_problem 401 identity.invalid_code
end_check

# Lockout, on an account of its own: failures are counted per account.
LOCK_EMAIL="e2e.lock.$RUN@example.test"
begin "lockout: 5 wrong passwords -> 401 each, the 6th attempt -> 429 identity.locked + Retry-After, right password too"
id_post /register "$(jq -cn --arg e "$LOCK_EMAIL" --arg p "$ID_PASS" '{email: $e, password: $p, name: "Lock"}')"
want_status 201
for n in 1 2 3 4 5; do
    id_post /login "$(login_json "$LOCK_EMAIL" "wrong-$n-$ID_PASS")"
    [ "$STATUS" = 401 ] || err "wrong password #$n: expected 401, got $STATUS; body: $(body_excerpt)"
done
id_post /login "$(login_json "$LOCK_EMAIL" "wrong-6-$ID_PASS")"
want_problem 429 identity.locked
want_header Retry-After '^[1-9][0-9]*$'
id_post /login "$(login_json "$LOCK_EMAIL" "$ID_PASS")"
want_problem 429 identity.locked
end_check

# The code accepted at /2fa/verify used up its step; the next code is the one of a later step.
now_step=$(totp_step)
if [ "$now_step" -le "$VERIFY_STEP" ]; then
    wait_s=$(python3 -c 'import time; print(round(30 - time.time() % 30 + 0.3, 1))')
    echo "e2e: waiting ${wait_s}s for the next TOTP step"
    deadline=$((SECONDS + 35))
    while [ "$(totp_step)" -le "$VERIFY_STEP" ] && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.5; done
fi
begin "2fa: in a later step, pyotp's code at /2fa/challenge -> 200 tokens (amr otp) that work on /me"
CODE=""
if otp=$(otp_now "$OTP_URI" 2>&1); then read -r CODE _ <<<"$otp"; else err "pyotp: $otp"; fi
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE" --arg c "$CODE" '{challenge_token: $t, code: $c}')"
want_status 200
want_json '.token_type == "Bearer" and (.access_token | length > 0) and (.refresh_token | length > 0) and (.expires_in | . > 0)' 'token pair'
ACCESS=$(json_get '.access_token')
jq -e '(.amr | index("pwd")) and (.amr | index("otp"))' <<<"$(jwt_claims "$ACCESS")" >/dev/null 2>&1 \
    || err "access token amr: $(jwt_claims "$ACCESS" | jq -c '.amr' 2>/dev/null)"
req GET "$ID_PATH/me" -H "Authorization: Bearer $ACCESS"
want_status 200
want_json '.id == $id and .two_factor_enabled == true' 'the 2FA account' --arg id "$ID_USER"
end_check

begin "2fa: 5 wrong codes on one challenge -> 401 each, the 6th attempt -> 429 + Retry-After"
id_post /login "$(login_json "$ID_EMAIL" "$ID_PASS")"
CHALLENGE3=$(json_get '.challenge_token')
for n in 1 2 3 4 5; do
    id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE3" --arg c "$(otp_wrong "$OTP_URI")" '{challenge_token: $t, code: $c}')"
    [ "$STATUS" = 401 ] || err "wrong code #$n: expected 401, got $STATUS; body: $(body_excerpt)"
done
id_post /2fa/challenge "$(jq -cn --arg t "$CHALLENGE3" --arg c "$(otp_wrong "$OTP_URI")" '{challenge_token: $t, code: $c}')"
want_problem 429
want_header Retry-After '^[1-9][0-9]*$'
end_check

# ---------------------------------------------------------------------------------------------
# Auctions: items, bids (proxy bidding, rejections, idempotency), soft close, closing, live events.
ITEMS=/api/v1/items
USER3=$(uuid4)
AUTH3=(-H "Authorization: Bearer $(mint "$USER3")")
# iso_in SECONDS — RFC 3339 UTC with milliseconds, SECONDS (may be fractional) from now.
iso_in() {
    python3 -c 'import datetime, sys, time
t = datetime.datetime.fromtimestamp(time.time() + float(sys.argv[1]), datetime.timezone.utc)
print(t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000))' "$1"
}
# jq: `ts` turns an RFC 3339 timestamp with optional fraction into epoch seconds.
JQ_TS='def ts: (sub("\\.[0-9]+Z$"; "Z") | fromdate) + ((first(capture("\\.(?<f>[0-9]+)Z$").f) // "0") | ("0." + .) | tonumber);'
now_ms() { date +%s%3N; }
ts_ms() { jq -rn --arg t "$1" "$JQ_TS"' $t | ts * 1000 | floor'; }
# item_json NAME START [jq object merged in] — a create body ending in a day.
item_json() {
    local extra=${3:-}
    [ -n "$extra" ] || extra='{}'
    jq -cn --arg n "$1" --argjson p "$2" --arg e "$(iso_in 86400)" --argjson extra "$extra" \
        '{name: $n, start_price: $p, ends_at: $e} + $extra'
}
bid() { # bid ITEM_ID JSON [extra curl args...]
    local id=$1 data=$2
    shift 2
    req POST "$ITEMS/$id/bids" "${JSON[@]}" --data "$data" "$@"
}
# all_events FILE — the whole event feed (paged by next_after) as one JSON array in FILE.
all_events() {
    local out=$1 after=0 page=$TMP/events-page.json
    echo '[]' >"$out"
    for _ in $(seq 1 100); do
        curl -sS --max-time 10 -o "$page" "$BASE/api/v1/events?after=$after&limit=1000" 2>/dev/null || { err "GET /api/v1/events?after=$after failed"; return 0; }
        [ "$(jq '.data | length' "$page" 2>/dev/null || echo 0)" -gt 0 ] || return 0
        jq -s '.[0] + .[1].data' "$out" "$page" >"$out.tmp" && mv "$out.tmp" "$out"
        after=$(jq -r '.next_after' "$page")
    done
}

ITEM_NAME="E2E Clock $RUN"
# .137 s is one of the fractions a binary double cannot hold exactly: it must come back as sent.
ITEM_ENDS=$(iso_in 86400 | sed -E 's/\.[0-9]{3}Z$/.137Z/')
begin "items: POST /api/v1/items -> 201 item, Location, ETag; the seller sees reserve_price"
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(jq -cn --arg n "  $ITEM_NAME  " --arg e "$ITEM_ENDS" \
    '{name: $n, description: "a carriage clock", currency: "EUR", start_price: 1000, bid_increment: 100, reserve_price: 5000, ends_at: $e}')"
want_status 201
want_json '.ends_at == $e' "ends_at == $ITEM_ENDS (milliseconds kept exactly)" --arg e "$ITEM_ENDS"
ITEM_ID=$(json_get '.id')
want_json '.name == $n and .description == "a carriage clock" and .currency == "EUR"' 'name (trimmed), description, currency' --arg n "$ITEM_NAME"
want_json '.status == "active" and .start_price == 1000 and .bid_increment == 100 and .current_price == 1000 and .bid_count == 0' 'active, start 1000, increment 100, current 1000, no bids'
want_json '.reserve_price == 5000 and .reserve_met == false' 'reserve_price 5000 shown to the seller, reserve_met false'
want_json '(.seller_id | ascii_downcase) == ($u | ascii_downcase)' 'seller_id == token sub' --arg u "$USER1"
want_json '.leading_bidder_id == null and .winner_id == null and .final_price == null' 'no leader, winner or final price'
want_json '(.created_at | test($re)) and (.updated_at | test($re)) and (.starts_at | test($re)) and (.ends_at | test($re))' 'timestamps RFC 3339 UTC with ms' --arg re "$TS_RE"
want_json '.version | type == "number"' 'version is a number'
want_header Location "$ITEMS/${ITEM_ID:-<none>}\$"
want_header ETag '.'
end_check
if [ -z "$ITEM_ID" ] || [ "$ITEM_ID" = null ]; then echo "e2e: cannot continue without an item id"; bail; fi

begin "items: GET as another user and anonymously -> no reserve_price, only reserve_met"
req GET "$ITEMS/$ITEM_ID" "${AUTH2[@]}"
want_status 200
want_json '.id == $id and .reserve_price == null and .reserve_met == false' 'reserve_price hidden, reserve_met false' --arg id "$ITEM_ID"
want_header ETag '.'
req GET "$ITEMS/$ITEM_ID"
want_status 200
want_json '.reserve_price == null and .reserve_met == false' 'anonymous: reserve_price hidden'
req GET "$ITEMS?seller_id=$USER1&page_size=100"
want_status 200
want_json 'any(.data[]; .id == $id) and all(.data[]; .reserve_price == null)' 'listed by seller_id, without reserve prices' --arg id "$ITEM_ID"
req GET "$ITEMS?q=$RUN&sort=ending_soon&page_size=100"
want_status 200
want_json 'any(.data[]; .id == $id) and ([.data[].ends_at] == ([.data[].ends_at] | sort))' 'q finds it; ending_soon sorts by ends_at' --arg id "$ITEM_ID"
end_check

begin "items: a draft is visible to its seller only"
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(item_json "E2E draft $RUN" 500 '{"status": "draft"}')"
want_status 201
want_json '.status == "draft"' 'status draft'
DRAFT_ID=$(json_get '.id')
req GET "$ITEMS/$DRAFT_ID" "${AUTH1[@]}"
want_status 200
req GET "$ITEMS/$DRAFT_ID" "${AUTH2[@]}"
want_problem 404
req GET "$ITEMS?q=$RUN&page_size=100"
want_json 'all(.data[]; .id != $id)' 'not in the anonymous list' --arg id "$DRAFT_ID"
end_check

begin "items: invalid create (ends_at before starts_at, negative price) -> 422 naming the fields; bad status -> 422"
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(jq -cn --arg n "E2E bad $RUN" --arg e "$(iso_in -60)" '{name: $n, start_price: -5, ends_at: $e}')"
want_problem 422
want_json 'any(.errors[]?; .field == "start_price")' 'errors name start_price'
want_json 'any(.errors[]?; .field == "ends_at")' 'errors name ends_at'
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(item_json "E2E bad $RUN" 500 '{"status": "sold"}')"
want_problem 422
end_check

begin "bids: without a token -> 401; on an unknown item -> 404"
bid "$ITEM_ID" '{"amount": 1000}'
want_problem 401
bid "$(uuid4)" '{"amount": 1000}' "${AUTH2[@]}"
want_problem 404
end_check

begin "bids: the seller bidding on their own item -> 422 bid.self_bid"
bid "$ITEM_ID" '{"amount": 1000}' "${AUTH1[@]}"
want_problem 422 bid.self_bid
end_check

begin "bids: below the start price -> 422 bid.too_low naming the minimum; wrong currency -> 422 bid.currency_mismatch; max below amount -> 422 bid.max_below_amount"
bid "$ITEM_ID" '{"amount": 999}' "${AUTH2[@]}"
want_problem 422 bid.too_low
want_json '.detail | test("1000")' 'detail names the minimum 1000'
bid "$ITEM_ID" '{"amount": 1000, "currency": "USD"}' "${AUTH2[@]}"
want_problem 422 bid.currency_mismatch
bid "$ITEM_ID" '{"amount": 1500, "max_amount": 1200}' "${AUTH2[@]}"
want_problem 422 bid.max_below_amount
bid "$ITEM_ID" '{"amount": 1000, "colour": "red"}' "${AUTH2[@]}"
want_problem 400
end_check

begin "bids: a proxy bid {amount 1000, max_amount 3000} -> 201 leading at 1000"
bid "$ITEM_ID" '{"amount": 1000, "max_amount": 3000}' "${AUTH2[@]}"
want_status 201
want_json '.bid.amount == 1000 and .bid.leading == true and .bid.price_after == 1000 and .bid.item_id == $id' 'bid: amount 1000, leading, price_after 1000' --arg id "$ITEM_ID"
want_json '(.bid.bidder_id | ascii_downcase) == ($u | ascii_downcase)' 'bid.bidder_id == bidder' --arg u "$USER2"
want_json '.item.current_price == 1000 and .item.bid_count == 1 and (.item.leading_bidder_id | ascii_downcase) == ($u | ascii_downcase)' 'item: price 1000, 1 bid, bidder leads' --arg u "$USER2"
want_json '.item.reserve_price == null' 'the bidder does not see the reserve'
want_json '(.bid.id | type == "string") and (.bid.created_at | test($re))' 'bid id and created_at' --arg re "$TS_RE"
BID1=$(json_get '.bid.id')
end_check

begin "bids: a lower competing bid of 2000 -> 201 but outbid by the proxy: price 2100, leader unchanged"
bid "$ITEM_ID" '{"amount": 2000}' "${AUTH3[@]}"
want_status 201
want_json '.bid.leading == false and .bid.price_after == 2100' 'not leading, price_after 2100 (2000 + increment)'
want_json '.item.current_price == 2100 and .item.bid_count == 2 and (.item.leading_bidder_id | ascii_downcase) == ($u | ascii_downcase)' 'item: 2100, 2 bids, proxy bidder still leads' --arg u "$USER2"
BID2=$(json_get '.bid.id')
end_check

begin "bids: 2100 when the minimum is 2200 -> 422 bid.too_low naming 2200, errors[0].field amount"
bid "$ITEM_ID" '{"amount": 2100}' "${AUTH3[@]}"
want_problem 422 bid.too_low
want_json '.detail | test("2200")' 'detail names the minimum 2200'
want_json '.errors[0].field == "amount"' 'errors[0].field == "amount"'
end_check

BID_IDEM_KEY="e2e-bid-$RUN"
begin "bids: {amount 2200, max_amount 3500} beats the proxy maximum 3000 -> price 3100 (second maximum + increment), new leader; an Idempotency-Key retry answers the same bid"
bid "$ITEM_ID" '{"amount": 2200, "max_amount": 3500}' "${AUTH3[@]}" -H "Idempotency-Key: $BID_IDEM_KEY"
want_status 201
want_json '.bid.leading == true and .bid.price_after == 3100 and .item.current_price == 3100 and .item.bid_count == 3' 'leading at 3100, 3 bids'
want_json '(.item.leading_bidder_id | ascii_downcase) == ($u | ascii_downcase) and .item.reserve_met == false' 'new leader; reserve 5000 not met' --arg u "$USER3"
BID3=$(json_get '.bid.id')
bid "$ITEM_ID" '{"amount": 2200, "max_amount": 3500}' "${AUTH3[@]}" -H "Idempotency-Key: $BID_IDEM_KEY"
want_status 201
want_json '.bid.id == $b and .item.bid_count == 3' "same bid $BID3, still 3 bids" --arg b "$BID3"
bid "$ITEM_ID" '{"amount": 2300, "max_amount": 3500}' "${AUTH3[@]}" -H "Idempotency-Key: $BID_IDEM_KEY"
want_problem 422
end_check

begin "bids: GET /api/v1/items/{id}/bids -> history newest first"
req GET "$ITEMS/$ITEM_ID/bids"
want_status 200
want_json '.total == 3 and ([.data[].id] == [$b3, $b2, $b1])' 'total 3, ids newest first' --arg b1 "$BID1" --arg b2 "$BID2" --arg b3 "$BID3"
want_json '[.data[].amount] == [2200, 2000, 1000] and [.data[].price_after] == [3100, 2100, 1000]' 'amounts 2200, 2000, 1000; prices 3100, 2100, 1000'
want_json '[.data[].created_at] as $c | $c == ($c | sort | reverse)' 'created_at descending'
req GET "$ITEMS/$ITEM_ID/bids?page=2&page_size=2"
want_status 200
want_json '.total == 3 and .page == 2 and .page_size == 2 and [.data[].id] == [$b1]' 'page 2 of 2 holds the oldest bid' --arg b1 "$BID1"
end_check

begin "items: with bids, DELETE and cancel -> 409 item.has_bids; PATCH start_price -> 409 item.has_bids; PATCH name -> 200"
req DELETE "$ITEMS/$ITEM_ID" "${AUTH1[@]}"
want_problem 409 item.has_bids
req POST "$ITEMS/$ITEM_ID/cancel" "${AUTH1[@]}"
want_problem 409 item.has_bids
req PATCH "$ITEMS/$ITEM_ID" "${AUTH1[@]}" -H 'Content-Type: application/merge-patch+json' --data '{"start_price": 1}'
want_problem 409 item.has_bids
req PATCH "$ITEMS/$ITEM_ID" "${AUTH2[@]}" -H 'Content-Type: application/merge-patch+json' --data '{"name": "hijacked"}'
want_problem 403
req PATCH "$ITEMS/$ITEM_ID" "${AUTH1[@]}" -H 'Content-Type: application/merge-patch+json' --data "$(jq -cn --arg n "$ITEM_NAME (boxed)" '{name: $n}')"
want_status 200
want_json '.name == $n and .current_price == 3100 and .bid_count == 3 and .start_price == 1000' 'renamed, auction state unchanged' --arg n "$ITEM_NAME (boxed)"
end_check

begin "items: cancel without bids -> 200 cancelled; a bid then -> 409 item.not_active; DELETE without bids -> 204, then 404"
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(item_json "E2E cancel $RUN" 800)"
want_status 201
CANCEL_ID=$(json_get '.id')
req POST "$ITEMS/$CANCEL_ID/cancel" "${AUTH2[@]}"
want_problem 403
req POST "$ITEMS/$CANCEL_ID/cancel" "${AUTH1[@]}"
want_status 200
want_json '.id == $id and .status == "cancelled"' 'status cancelled' --arg id "$CANCEL_ID"
bid "$CANCEL_ID" '{"amount": 800}' "${AUTH2[@]}"
want_problem 409 item.not_active
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(item_json "E2E delete $RUN" 800)"
DELETE_ID=$(json_get '.id')
req DELETE "$ITEMS/$DELETE_ID" "${AUTH1[@]}"
want_status 204
req GET "$ITEMS/$DELETE_ID"
want_problem 404
end_check

# Items that close a few seconds from now, polled after the soft-close and SSE checks: CLOSE_SOLD
# gets a bid over its reserve, CLOSE_UNSOLD one under it, CLOSE_EMPTY none. No anti-sniping
# (threshold 0), so the bids do not move the end.
CLOSE_IN=4.5
CLOSE_ENDS=$(iso_in "$CLOSE_IN")
close_item() { # close_item NAME — an item ending at $CLOSE_ENDS with reserve 5000; its id in LAST_ID
    req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(jq -cn --arg n "$1 $RUN" --arg e "$CLOSE_ENDS" \
        '{name: $n, start_price: 1000, bid_increment: 100, reserve_price: 5000, ends_at: $e, extension_threshold_seconds: 0}')"
    want_status 201
    LAST_ID=$(json_get '.id')
    CLOSE_ENDS_SHOWN=$(json_get '.ends_at')  # as the server shows it (see the bid check below)
}
begin "items: three items ending in ${CLOSE_IN}s (reserve 5000), bids of 6000 and 2000 on two of them -> 201"
close_item "E2E closing sold"
CLOSE_SOLD=$LAST_ID
close_item "E2E closing unsold"
CLOSE_UNSOLD=$LAST_ID
close_item "E2E closing empty"
CLOSE_EMPTY=$LAST_ID
bid "$CLOSE_SOLD" '{"amount": 6000}' "${AUTH2[@]}"
want_status 201
want_json '.item.reserve_met == true and .item.current_price == 6000 and .item.ends_at == $e' 'reserve met, price 6000, end unchanged' --arg e "$CLOSE_ENDS_SHOWN"
bid "$CLOSE_UNSOLD" '{"amount": 2000}' "${AUTH2[@]}"
want_status 201
want_json '.item.reserve_met == false and .item.current_price == 2000' 'reserve not met, price 2000'
end_check

begin "bids: soft close — a bid within extension_threshold (60 s) moves ends_at to bid time + 120 s, with an item.extended event"
req POST "$ITEMS" "${AUTH1[@]}" "${JSON[@]}" --data "$(jq -cn --arg n "E2E sniping $RUN" --arg e "$(iso_in 30)" \
    '{name: $n, start_price: 100, ends_at: $e, extension_threshold_seconds: 60, extension_duration_seconds: 120}')"
want_status 201
SNIPE_ID=$(json_get '.id')
SNIPE_ENDS=$(json_get '.ends_at')
bid "$SNIPE_ID" '{"amount": 100}' "${AUTH2[@]}"
want_status 201
want_json "$JQ_TS"' (.item.ends_at | ts) >= (.bid.created_at | ts) + 119.9 and (.item.ends_at | ts) > ($e | ts)' \
    'item.ends_at >= bid time + 120 s' --arg e "$SNIPE_ENDS"
end_check

begin "SSE GET /api/v1/items/{id}/events -> event: bid.placed for a bid placed while streaming"
: >"$TMP/item-sse.txt"
curl -sS -N --max-time 3 -D "$TMP/item-sse.hdrs" -o "$TMP/item-sse.txt" "$BASE$ITEMS/$ITEM_ID/events" 2>/dev/null &
SSE_PID=$!
sleep 0.7
bid "$ITEM_ID" '{"amount": 4000}' "${AUTH2[@]}"
want_status 201
SSE_BID=$(json_get '.bid.id')
wait "$SSE_PID" || true
sed -i 's/\r$//' "$TMP/item-sse.txt" "$TMP/item-sse.hdrs"
grep -qi '^content-type: *text/event-stream' "$TMP/item-sse.hdrs" || err "Content-Type is not text/event-stream: $(grep -i '^content-type' "$TMP/item-sse.hdrs")"
grep -Eq '^event: ?bid\.placed$' "$TMP/item-sse.txt" || err "no 'event: bid.placed' line in: $(head -c 300 "$TMP/item-sse.txt" | tr '\n' ' ')"
if data=$(grep -E '^data: ?\{' "$TMP/item-sse.txt" | sed -E 's/^data: ?//' | jq -c --arg b "$SSE_BID" 'select(.event == "bid.placed" and .payload.bid.id == $b)' 2>/dev/null) && [ -n "$data" ]; then
    jq -e --arg id "$ITEM_ID" '.payload.item.id == $id and .payload.item.current_price == 4000 and .payload.item.reserve_price == null' <<<"$data" >/dev/null \
        || err "bid.placed payload: ${data:0:300}"
else
    err "no bid.placed data line carrying bid $SSE_BID"
fi
if grep -E '^data: ?\{' "$TMP/item-sse.txt" | sed -E 's/^data: ?//' | jq -e --arg id "$ITEM_ID" 'select((.payload.id // .payload.item.id) != $id)' >/dev/null 2>&1; then
    err "the stream carries another item's events"
fi
end_check

# Closing: poll until the three items leave `active`. An item seen active at one poll and closed at
# the next was closed by then, so that poll bounds its close time; an item already closed at the
# first poll is judged by its updated_at (the closer's clock when it closed it).
begin "closing: within 1 s of ends_at by the closer's clock, reserve met -> sold (winner, final_price); reserve not met or no bids -> unsold"
ends_ms=$(ts_ms "$CLOSE_ENDS")
declare -A SEEN_ACTIVE=() SEEN_CLOSED=()
deadline=$((ends_ms + 5000))
while :; do
    open=0
    for id in "$CLOSE_SOLD" "$CLOSE_UNSOLD" "$CLOSE_EMPTY"; do
        [ -n "${SEEN_CLOSED[$id]:-}" ] && continue
        st=$(curl -sS --max-time 2 "$BASE$ITEMS/$id" 2>/dev/null | jq -r '.status' 2>/dev/null || echo '?')
        t=$(now_ms)
        if [ "$st" = active ]; then open=1; SEEN_ACTIVE[$id]=$t; else SEEN_CLOSED[$id]=$t; fi
    done
    { [ "$open" = 1 ] && [ "$(now_ms)" -lt "$deadline" ]; } || break
    sleep 0.1
done
timing=""
for id in "$CLOSE_SOLD" "$CLOSE_UNSOLD" "$CLOSE_EMPTY"; do
    seen=${SEEN_CLOSED[$id]:-}
    if [ -z "$seen" ]; then err "item $id still active 5 s after ends_at"; continue; fi
    if [ -n "${SEEN_ACTIVE[$id]:-}" ]; then
        timing+=" $((seen - ends_ms))ms"
        [ "$((seen - ends_ms))" -le 1700 ] || err "item $id: first seen closed $((seen - ends_ms)) ms after ends_at"
    else
        timing+=" (closed before the first poll)"
    fi
    req GET "$ITEMS/$id"
    late=$(jq -r "$JQ_TS"' ((.updated_at | ts) - (.ends_at | ts)) * 1000 | floor' "$BODY" 2>/dev/null || echo '?')
    if ! [[ "$late" =~ ^-?[0-9]+$ ]] || [ "$late" -lt 0 ] || [ "$late" -gt 1000 ]; then err "item $id: updated_at - ends_at = ${late} ms"; fi
done
echo "e2e: closing: first seen closed after ends_at:$timing"
req GET "$ITEMS/$CLOSE_SOLD"
want_json '.status == "sold" and (.winner_id | ascii_downcase) == ($u | ascii_downcase) and .final_price == 6000' 'sold item: status sold, winner the bidder, final_price 6000' --arg u "$USER2"
req GET "$ITEMS/$CLOSE_UNSOLD"
want_json '.status == "unsold" and .winner_id == null and .final_price == null' 'reserve not met: unsold, no winner'
req GET "$ITEMS/$CLOSE_EMPTY"
want_json '.status == "unsold" and .winner_id == null' 'no bids: unsold'
end_check

begin "closing: a bid after the close -> 409 item.not_active or item.ended"
bid "$CLOSE_SOLD" '{"amount": 9000}' "${AUTH3[@]}"
want_status 409
want_json '.code == "item.not_active" or .code == "item.ended"' 'code item.not_active or item.ended'
bid "$CLOSE_EMPTY" '{"amount": 1000}' "${AUTH3[@]}"
want_status 409
want_json '.code == "item.not_active" or .code == "item.ended"' 'code item.not_active or item.ended'
end_check

begin "events: item.created, bid.placed (per bid), item.cancelled, item.deleted, item.extended, item.closed, bid.won"
all_events "$TMP/all-events.json"
ev() { # ev EVENT ITEM_ID DESCRIPTION
    jq -e --arg e "$1" --arg id "$2" 'any(.[]; .event == $e and ((.payload.id // .payload.item.id) == $id))' "$TMP/all-events.json" >/dev/null 2>&1 \
        || err "no $1 event for $3 ($2)"
}
ev item.created "$ITEM_ID" "the item"
ev item.updated "$ITEM_ID" "the renamed item"
ev item.cancelled "$CANCEL_ID" "the cancelled item"
ev item.deleted "$DELETE_ID" "the deleted item"
ev item.extended "$SNIPE_ID" "the sniped item"
ev item.closed "$CLOSE_SOLD" "the sold item"
ev bid.won "$CLOSE_SOLD" "the sold item"
ev item.closed "$CLOSE_UNSOLD" "the unsold item"
jq -e --arg id "$CLOSE_UNSOLD" 'any(.[]; .event == "bid.won" and (.payload.id // .payload.item.id) == $id) | not' "$TMP/all-events.json" >/dev/null 2>&1 \
    || err "bid.won for the unsold item"
jq -e --arg id "$ITEM_ID" --argjson want "$(jq -cn --arg a "$BID1" --arg b "$BID2" --arg c "$BID3" --arg d "$SSE_BID" '[$a, $b, $c, $d] | sort')" \
    '[.[] | select(.event == "bid.placed" and .payload.item.id == $id) | .payload.bid.id] | sort == $want' "$TMP/all-events.json" >/dev/null 2>&1 \
    || err "bid.placed events of the item are not exactly its 4 bids"
jq -e 'all(.[] | select(.event | startswith("item.") or startswith("bid.")); .payload | tostring | contains("reserve_price") | not)' "$TMP/all-events.json" >/dev/null 2>&1 \
    || err "an item or bid event payload in the public feed carries reserve_price"
end_check

begin "metrics: gavel_bids_total{outcome=accepted|rejected}, gavel_bid_rejections_total{code=bid.too_low}, gavel_auctions_closed_total"
req GET /metrics
want_status 200
grep -Eq '^gavel_bids_total\{[^}]*outcome="accepted"[^}]*\} [1-9]' "$BODY" || err 'no gavel_bids_total{outcome="accepted"} > 0'
grep -Eq '^gavel_bids_total\{[^}]*outcome="rejected"[^}]*\} [1-9]' "$BODY" || err 'no gavel_bids_total{outcome="rejected"} > 0'
grep -Eq '^gavel_bid_rejections_total\{[^}]*code="bid\.too_low"[^}]*\} [1-9]' "$BODY" || err 'no gavel_bid_rejections_total{code="bid.too_low"} > 0'
grep -Eq '^gavel_auctions_closed_total\{[^}]*\} [1-9]' "$BODY" || err 'no gavel_auctions_closed_total sample > 0'
end_check

# ---------------------------------------------------------------------------------------------
# Metrics after traffic: route labels are templates, never raw paths.
begin "metrics use route templates (route=\"/api/v1/products/{id}\"), no raw ids"
req GET /metrics
want_status 200
# One grep, no pipe: with pipefail, `grep | grep -q` fails when -q exits before the first grep is done.
grep -Eq '^gavel_http_requests_total\{.*route="/api/v1/products/\{id\}"' "$BODY" \
    || err 'no gavel_http_requests_total sample with route="/api/v1/products/{id}"'
if grep -Fq "$PRODUCT_ID" "$BODY"; then err "a product id appears in /metrics (raw path used as label)"; fi
if grep -Fq 'e2e-no-such-route' "$BODY"; then err "an unmatched raw path appears in /metrics"; fi
end_check

begin "every response ($RESPONSES) carries X-Request-ID and X-Content-Type-Options: nosniff, no Server version"
for v in "${HEADER_VIOLATIONS[@]+"${HEADER_VIOLATIONS[@]}"}"; do err "$v"; done
end_check

# ---------------------------------------------------------------------------------------------
# Graceful shutdown.
begin "SIGTERM -> exit code 0 within ${SHUTDOWN_TIMEOUT}s"
kill -TERM "$SERVER_PID"
deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
while kill -0 "$SERVER_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
if kill -0 "$SERVER_PID" 2>/dev/null; then
    err "still running after ${SHUTDOWN_TIMEOUT}s"
else
    rc=0
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=""
    [ "$rc" = 0 ] || err "exit code $rc"
fi
end_check

# ---------------------------------------------------------------------------------------------
# Durability of acknowledged bids (SPEC §6), on a second server with a port and database of its
# own: 8 bidding clients (scripts/e2e_bids.py) load 20 items, the server is killed with SIGKILL
# mid-load and restarted on the same database, and every bid that got a 201 must be stored with
# its bid.placed event; then the same under SIGTERM, which must also exit 0 in time.
PORT2=$(free_port)
BASE2="http://127.0.0.1:$PORT2"
DB2=$TMP/durability.sqlite
BIDS=(python3 "$ROOT/scripts/e2e_bids.py")
DUR_ITEMS=$TMP/durability-items.txt
DUR_MIN_ACKS=${E2E_DURABILITY_MIN_ACKS:-300}
DUR_CLIENTS=8  # bidding clients, each with one request open at a time

# start_server2 LABEL — start the second server (appending to $LOG2) and wait for /health.
start_server2() {
    GAVEL_SERVER_PORT=$PORT2 \
    GAVEL_SERVER_HOST=127.0.0.1 \
    GAVEL_DATABASE_SQLITE_PATH=$DB2 \
    GAVEL_AUTH_JWT_SECRET=$SECRET \
    GAVEL_LOG_LEVEL=warning \
        "$BIN" serve --config "$CONFIG" >>"$LOG2" 2>&1 </dev/null &
    SERVER2_PID=$!
    local deadline=$((SECONDS + STARTUP_TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if ! kill -0 "$SERVER2_PID" 2>/dev/null; then err "$1: the server exited during start-up"; return 1; fi
        if curl -fsS --max-time 1 -o /dev/null "$BASE2/health" 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    err "$1: no answer within ${STARTUP_TIMEOUT}s"
    return 1
}

# load_and_signal SIGNAL ACKS — run the bidding clients against the second server; once they
# have ${DUR_MIN_ACKS} acknowledged bids and at least 2 s (at most 20 s: fewer is a failure, the
# signal would not come under load), send SIGNAL to it and
# wait up to ${SHUTDOWN_TIMEOUT}s for it to exit (then SIGKILL). Sets SIGNAL_AT (epoch seconds),
# EXIT_MS (signal to exit), SERVER2_RC, and leaves the clients' JSON summary in ACKS.summary.
load_and_signal() {
    local signal=$1 acks=$2 started elapsed
    : >"$acks"
    "${BIDS[@]}" load --base "$BASE2" --secret "$SECRET" --items "$DUR_ITEMS" --clients "$DUR_CLIENTS" --duration 30 \
        --acks "$acks" >"$acks.summary" 2>"$acks.err" &
    LOAD_PID=$!
    started=$(now_ms)
    while kill -0 "$LOAD_PID" 2>/dev/null; do
        elapsed=$(($(now_ms) - started))
        if { [ "$(wc -l <"$acks")" -ge "$DUR_MIN_ACKS" ] && [ "$elapsed" -ge 2000 ]; } || [ "$elapsed" -ge 20000 ]; then break; fi
        sleep 0.1
    done
    kill -0 "$LOAD_PID" 2>/dev/null || err "the bidding clients stopped before the $signal: $(head -c 300 "$acks.err")"
    [ "$(wc -l <"$acks")" -ge "$DUR_MIN_ACKS" ] || err "only $(wc -l <"$acks") bids acknowledged in 20 s before the $signal, fewer than $DUR_MIN_ACKS"
    SIGNAL_AT=$(python3 -c 'import time; print(round(time.time(), 3))')
    local sent
    sent=$(now_ms)
    kill "-$signal" "$SERVER2_PID"
    # After SIGKILL, `wait` at once: a child reaped by `wait` with stderr discarded leaves no
    # "Killed" job report in the output.
    if [ "$signal" != KILL ]; then
        while kill -0 "$SERVER2_PID" 2>/dev/null && [ "$(($(now_ms) - sent))" -lt "$((SHUTDOWN_TIMEOUT * 1000))" ]; do sleep 0.05; done
        if kill -0 "$SERVER2_PID" 2>/dev/null; then
            err "the server was still running ${SHUTDOWN_TIMEOUT}s after SIG$signal; killed"
            kill -KILL "$SERVER2_PID" 2>/dev/null || true
        fi
    fi
    SERVER2_RC=0
    wait "$SERVER2_PID" 2>/dev/null || SERVER2_RC=$?
    EXIT_MS=$(($(now_ms) - sent))
    SERVER2_PID=""
    local rc=0
    wait "$LOAD_PID" || rc=$?
    LOAD_PID=""
    [ "$rc" = 0 ] || err "the bidding clients exited $rc: $(head -c 300 "$acks.err")"
    echo "e2e: durability: $(wc -l <"$acks") bids acknowledged, then SIG$signal; server exited after ${EXIT_MS} ms with status $SERVER2_RC; clients: $(cat "$acks.summary")"
}

# check_load_summary ACKS — no answer but 201, 503 with Retry-After, and 422 bid.too_low: the
# items have no buy-now price, no soft close and a day to run, so a bid can only be too low
# (another client's bid came first, or a leader's maximum did not rise).
check_load_summary() {
    jq -e '.rejected | keys - ["bid.too_low"] == []' "$1.summary" >/dev/null 2>&1 || err "unexpected rejections: $(jq -c '.rejected' "$1.summary" 2>/dev/null)"
    jq -e '.acknowledged > 0' "$1.summary" >/dev/null 2>&1 || err "no bid was acknowledged: $(cat "$1.summary" "$1.err" | head -c 300)"
    jq -e '.other == {}' "$1.summary" >/dev/null 2>&1 || err "unexpected answers: $(jq -c '.other' "$1.summary" 2>/dev/null)"
    jq -e '.unavailable_without_retry_after == 0' "$1.summary" >/dev/null 2>&1 || err "503 without Retry-After: $(jq -c '.unavailable_without_retry_after' "$1.summary" 2>/dev/null)"
}

# verify_durability ACKS... — every acknowledged bid stored with its event; prices and counts.
# Stored bids nobody heard of are the ones in flight when a server stopped: at most one per
# client per load run (one file of ACKS each).
verify_durability() {
    local out=$TMP/verify.out rc=0
    "${BIDS[@]}" verify --base "$BASE2" --items "$DUR_ITEMS" --acks "$@" >"$out" 2>&1 || rc=$?
    [ "$rc" = 0 ] || err "verify exited $rc: $(head -c 1500 "$out")"
    local summary
    summary=$(head -n 1 "$out")
    echo "e2e: durability: $(jq -r '"acknowledged \(.acknowledged), stored \(.stored) (\(.stored_not_acknowledged) in flight, not acknowledged), missing \(.missing), bid.placed events \(.bid_placed_events), acknowledged without event \(.missing_events)"' <<<"$summary" 2>/dev/null || echo "$summary")"
    jq -e '.missing == 0 and .missing_events == 0 and .acknowledged > 0 and .problems == 0' <<<"$summary" >/dev/null 2>&1 || err "verify: $summary"
    jq -e --argjson most "$((DUR_CLIENTS * $#))" '.stored_not_acknowledged <= $most' <<<"$summary" >/dev/null 2>&1 \
        || err "more stored bids without an acknowledgement than requests in flight (at most $((DUR_CLIENTS * $#))): $summary"
}

begin "durability: a second server on port $PORT2 with its own database; 20 items via the API"
if ! start_server2 "second server"; then end_check; bail; fi
rc=0
"${BIDS[@]}" items --base "$BASE2" --secret "$SECRET" --seller "$(uuid4)" --count 20 >"$DUR_ITEMS" 2>"$TMP/items.err" || rc=$?
[ "$rc" = 0 ] || err "creating the items failed ($rc): $(head -c 300 "$TMP/items.err")"
[ "$(wc -l <"$DUR_ITEMS")" = 20 ] || err "$(wc -l <"$DUR_ITEMS") items created, not 20"
end_check
[ "$(wc -l <"$DUR_ITEMS")" = 20 ] || bail

begin "durability: $DUR_CLIENTS concurrent bidding clients, SIGKILL mid-load"
load_and_signal KILL "$TMP/acks-kill.jsonl"
[ "$SERVER2_RC" = 137 ] || err "exit status $SERVER2_RC after SIGKILL, expected 137"
check_load_summary "$TMP/acks-kill.jsonl"
jq -e '.connection_errors > 0' "$TMP/acks-kill.jsonl.summary" >/dev/null 2>&1 || err "the clients saw no connection error: the kill was not mid-load"
end_check

begin "durability: after a restart on the same database, every acknowledged bid is stored with its bid.placed event; prices and counts match the bids"
if ! start_server2 "restart after SIGKILL"; then end_check; bail; fi
verify_durability "$TMP/acks-kill.jsonl"
end_check

begin "durability: SIGTERM mid-load -> exit 0 within ${SHUTDOWN_TIMEOUT}s; refused bids get 503 + Retry-After or a closed connection"
load_and_signal TERM "$TMP/acks-term.jsonl"
[ "$SERVER2_RC" = 0 ] || err "exit status $SERVER2_RC after SIGTERM"
check_load_summary "$TMP/acks-term.jsonl"
during=$(jq -s --argjson t "$SIGNAL_AT" '[.[] | select(.t >= $t)] | length' "$TMP/acks-term.jsonl" 2>/dev/null || echo '?')
echo "e2e: durability: $during bids were acknowledged after the SIGTERM was sent"
end_check

begin "durability: after a restart, every bid acknowledged before and during the SIGTERM is stored with its event"
if ! start_server2 "restart after SIGTERM"; then end_check; bail; fi
verify_durability "$TMP/acks-kill.jsonl" "$TMP/acks-term.jsonl"
kill -TERM "$SERVER2_PID"
deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
while kill -0 "$SERVER2_PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
rc=0
if kill -0 "$SERVER2_PID" 2>/dev/null; then err "idle server still running ${SHUTDOWN_TIMEOUT}s after SIGTERM"; kill -KILL "$SERVER2_PID" 2>/dev/null || true; fi
wait "$SERVER2_PID" || rc=$?
SERVER2_PID=""
[ "$rc" = 0 ] || err "idle server: exit status $rc after SIGTERM"
end_check

# ---------------------------------------------------------------------------------------------
# The other subcommands, each on a database of its own.
begin "gavel --version and --help"
out=$("$BIN" --version 2>&1) || err "--version exited $?"
printf '%s' "$out" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$' || err "--version printed '$out'"
out=$("$BIN" --help 2>&1) || err "--help exited $?"
for sub in serve migrate seed; do printf '%s' "$out" | grep -q "$sub" || err "--help does not list $sub"; done
end_check

begin "gavel migrate creates the schema, and running it again changes nothing"
CLI_DB=$TMP/cli/gavel.sqlite
GAVEL_DATABASE_SQLITE_PATH=$CLI_DB GAVEL_LOG_LEVEL=error "$BIN" migrate --config "$CONFIG" >/dev/null 2>&1 || err "first migrate exited $?"
GAVEL_DATABASE_SQLITE_PATH=$CLI_DB GAVEL_LOG_LEVEL=error "$BIN" migrate --config "$CONFIG" >/dev/null 2>&1 || err "second migrate exited $?"
tables=$(python3 -c 'import sqlite3,sys; print(" ".join(sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute("select name from sqlite_master where type = '"'"'table'"'"' and name not like '"'"'sqlite_%'"'"'"))))' "$CLI_DB" 2>&1)
[ "$tables" = "auth_failures bids dead_letters events grdb_migrations idempotency_keys items products recovery_codes refresh_tokens two_factor_challenges users" ] || err "tables: $tables"
end_check

begin "gavel seed adds users and products with their events, and a second run adds nothing"
seed() { GAVEL_DATABASE_SQLITE_PATH=$CLI_DB GAVEL_LOG_LEVEL=error GAVEL_AUTH_BCRYPT_COST=4 "$BIN" seed --config "$CONFIG" --users 3 --products 7 >/dev/null 2>&1; }
seed || err "first seed exited $?"
seed || err "second seed exited $?"
counts=$(python3 -c 'import sqlite3,sys; db = sqlite3.connect(sys.argv[1]); print(*[db.execute(q).fetchone()[0] for q in ("select count(*) from users", "select count(*) from products", "select count(*) from events where event = '"'"'product.created'"'"'", "select count(*) from events where event = '"'"'identity.user.registered'"'"'")])' "$CLI_DB" 2>&1)
[ "$counts" = "3 7 7 3" ] || err "users, products, product events, user events: $counts"
end_check

begin "gavel seed --items adds active auctions with their item.created events, ending from minutes to two days ahead"
ITEMS_DB=$TMP/cli/items.sqlite  # a database of its own: the seed above added its default items
GAVEL_DATABASE_SQLITE_PATH=$ITEMS_DB GAVEL_LOG_LEVEL=error GAVEL_AUTH_BCRYPT_COST=4 "$BIN" seed --config "$CONFIG" --users 3 --products 0 --items 30 >/dev/null 2>&1 \
    || err "seed --items exited $?"
# Ends as minutes from now: the item count, active ones, created events, the soonest and latest
# end, and how many distinct ends there are.
items=$(python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
rows = db.execute("select status, ends_at from items").fetchall()  # ends_at: Unix milliseconds
ends = [(e / 1000 - time.time()) / 60 for _, e in rows]
events = db.execute("select count(*) from events where event = '"'"'item.created'"'"'").fetchone()[0]
print(len(rows), sum(1 for s, _ in rows if s == "active"), events, int(min(ends)), int(max(ends)), len({round(e) for e in ends}))
' "$ITEMS_DB" 2>&1)
read -r n active created soonest latest distinct <<<"$items"
[ "$n" = 30 ] && [ "$active" = 30 ] && [ "$created" = 30 ] || err "items, active, item.created events: $items"
[ "${soonest:-0}" -ge 1 ] && [ "${soonest:-0}" -le 30 ] || err "the soonest end is ${soonest:-?} minutes away, not within half an hour: $items"
[ "${latest:-0}" -ge 600 ] && [ "${latest:-0}" -le 2880 ] || err "the latest end is ${latest:-?} minutes away, not hours to two days: $items"
[ "${distinct:-0}" -ge 20 ] || err "only ${distinct:-?} distinct end times among 30 items: $items"
end_check

FINISHED=1
[ "$FAIL" -eq 0 ] || exit 1
