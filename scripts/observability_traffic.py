#!/usr/bin/env python3
"""Drives the rare paths a short Locust run does not reliably reach, so every dashboard panel
shows real data rather than a zero: an account lockout (401s, then 429), a second factor
(challenge; wrong, right, replayed and recovery codes), product and item edits, an auction that
closes sold and one that closes unsold, an anti-sniping extension, and bid rejections (own
item, too low, closed item). Then it reads /metrics and fails unless each of those counters
moved — including labelled series that exist only once incremented.

Usage: observability_traffic.py BASE_URL [--delay SECONDS]   (standard library + pyotp)
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import pyotp

BASE = "http://127.0.0.1:8080"
PASSWORD = "observability-check-password"
RUN = uuid.uuid4().hex[:8]


class Failure(Exception):
    pass


def pause():
    """Longer than a scrape interval of scripts/observability.sh's Prometheus (1 s). A labelled
    series that appears only on its first increment (a new route/status pair, a rejection code)
    is first scraped with that 1 already in it, so rate() shows nothing until a later scrape
    sees it grow: rare answers are given twice, with a scrape between them."""
    time.sleep(2.5)


def call(method, path, body=None, token=None, expect=(200,)):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    payload = json.loads(raw) if raw and raw[:1] in (b"{", b"[") else raw.decode(errors="replace")
    if status not in expect:
        raise Failure(f"{method} {path}: expected {expect}, got {status}: {str(payload)[:300]}")
    return status, payload


def at(seconds):
    moment = datetime.now(timezone.utc) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def account(role):
    email = f"obs-{role}-{RUN}@gavel.test"
    call("POST", "/api/v1/identity/register", {"email": email, "password": PASSWORD, "name": f"Obs {role}"},
         expect=(201,))
    return email


def login(email):
    _, body = call("POST", "/api/v1/identity/login", {"email": email, "password": PASSWORD})
    return body


def lockout():
    """Wrong passwords until the per-account throttle answers 429, then one 429 more."""
    email = account("locked")
    wrong = {"email": email, "password": "wrong-password-123"}
    call("POST", "/api/v1/identity/login", wrong, expect=(401,))
    pause()
    for attempt in range(2, 21):
        status, _ = call("POST", "/api/v1/identity/login", wrong, expect=(401, 429))
        if status == 429:
            pause()
            call("POST", "/api/v1/identity/login", wrong, expect=(429,))
            return attempt
    raise Failure("20 wrong passwords never locked the account (expected 429)")


def second_factor():
    email = account("2fa")
    token = login(email)["access_token"]
    _, enrolment = call("POST", "/api/v1/identity/2fa/enable", {"password": PASSWORD}, token=token)
    totp = pyotp.TOTP(enrolment["secret"])
    _, verified = call("POST", "/api/v1/identity/2fa/verify", {"code": totp.now()}, token=token)
    recovery = verified["recovery_codes"][0]
    # Enrolment used this step's code; the next step's is accepted (±1 step) and not a replay.
    ahead = totp.at(time.time() + 30)
    valid = {totp.at(time.time() + offset) for offset in (-30, 0, 30, 60)}
    wrong = next(code for code in ("000000", "111111", "222222") if code not in valid)

    def challenge(**factor):
        body = login(email)
        if not body.get("two_factor_required"):
            raise Failure("login of a 2FA account did not ask for the second factor")
        expect = factor.pop("expect", (200,))
        return call("POST", "/api/v1/identity/2fa/challenge", {"challenge_token": body["challenge_token"], **factor},
                    expect=expect)

    challenge(code=wrong, expect=(401,))
    challenge(code=ahead)
    challenge(code=ahead, expect=(401,))          # the same step again: a replay
    challenge(recovery_code=recovery)


def products(token):
    _, product = call("POST", "/api/v1/products", {"name": f"Observability lamp {RUN}", "price": 1999},
                      token=token, expect=(201,))
    path = f"/api/v1/products/{product['id']}"
    call("PATCH", path, {"description": "Edited by the observability check."}, token=token)
    call("GET", path)
    call("GET", "/api/v1/products?page_size=5")
    call("DELETE", path, token=token, expect=(204,))


def item(token, name, ends_in, threshold=0, duration=0, **extra):
    body = {"name": f"{name} {RUN}", "start_price": 1000, "bid_increment": 100, "ends_at": at(ends_in),
            "extension_threshold_seconds": threshold, "extension_duration_seconds": duration, **extra}
    return call("POST", "/api/v1/items", body, token=token, expect=(201,))[1]


def bid(token, item_id, amount, expect=(201,)):
    return call("POST", f"/api/v1/items/{item_id}/bids", {"amount": amount}, token=token, expect=expect)


def auctions(seller, bidder):
    sold = item(seller, "Closes sold", 3)
    unsold = item(seller, "Closes unsold", 3)
    extended = item(seller, "Extended", 20, threshold=120, duration=60)
    bid(bidder, sold["id"], 1000)
    _, placed = bid(bidder, extended["id"], 1000)
    if placed["item"]["ends_at"] == extended["ends_at"]:
        raise Failure("a bid inside the extension threshold did not move ends_at")
    # Edits, cancel and delete: the item.* events.
    draft = item(seller, "Edited then deleted", 3600, status="draft")
    call("PATCH", f"/api/v1/items/{draft['id']}", {"description": "edited"}, token=seller)
    call("DELETE", f"/api/v1/items/{draft['id']}", token=seller, expect=(204,))
    cancelled = item(seller, "Cancelled", 3600)
    call("POST", f"/api/v1/items/{cancelled['id']}/cancel", token=seller)
    call("GET", f"/api/v1/items/{sold['id']}/bids")
    call("GET", "/api/v1/items?sort=ending_soon&page_size=5")
    for _ in range(2):
        bid(seller, extended["id"], 1100, expect=(403, 409, 422))   # bid.self_bid
        bid(bidder, extended["id"], 1000, expect=(409, 422))        # bid.too_low
        pause()
    # The closer acts within a second of ends_at.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        states = {call("GET", f"/api/v1/items/{i['id']}")[1]["status"] for i in (sold, unsold)}
        if states == {"sold", "unsold"}:
            break
        time.sleep(0.25)
    else:
        raise Failure(f"items did not close as sold and unsold within 10 s (saw {states})")
    bid(bidder, sold["id"], 5000, expect=(409, 422))            # item.not_active / item.ended
    pause()
    bid(bidder, unsold["id"], 5000, expect=(409, 422))


def misc(token, refresh):
    call("GET", "/api/v1/identity/me", token=token)
    _, pair = call("POST", "/api/v1/identity/token/refresh", {"refresh_token": refresh})
    call("POST", "/api/v1/identity/logout", {"refresh_token": pair["refresh_token"]}, token=pair["access_token"],
         expect=(204,))
    call("GET", "/api/v1/events?after=0&limit=20")
    call("GET", "/api/v1/identity/me", expect=(401,))
    call("GET", f"/no-such-path-{RUN}", expect=(404,))
    call("GET", "/health")
    call("GET", "/ready")


def metrics():
    with urllib.request.urlopen(BASE + "/metrics", timeout=10) as response:
        text = response.read().decode()
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            values[series] = float(value)
    return values


# Series this traffic must have moved (exact exposition names, labels in the order exported).
MOVED = [
    'gavel_users_registered_total',
    'gavel_logins_total{result="success"}', 'gavel_logins_total{result="invalid"}',
    'gavel_logins_total{result="locked"}', 'gavel_logins_total{result="challenge"}',
    'gavel_two_factor_total{result="success"}', 'gavel_two_factor_total{result="invalid"}',
    'gavel_two_factor_total{result="recovery"}', 'gavel_two_factor_total{result="replay"}',
    'gavel_rate_limited_total{scope="account"}',
    'gavel_bids_total{outcome="accepted"}', 'gavel_bids_total{outcome="rejected"}',
    'gavel_bid_rejections_total{code="bid.self_bid"}', 'gavel_bid_rejections_total{code="bid.too_low"}',
    'gavel_auction_extensions_total', 'gavel_auctions_closed_total{result="sold"}',
    'gavel_auctions_closed_total{result="unsold"}', 'gavel_bid_batch_size_count', 'gavel_bid_commit_duration_seconds_count',
    'gavel_events_total{event="bid.placed"}', 'gavel_events_total{event="item.closed"}',
    'gavel_events_total{event="item.extended"}', 'gavel_events_total{event="bid.won"}',
    'gavel_events_total{event="product.created"}', 'gavel_events_total{event="identity.user.registered"}',
]


def main():
    global BASE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the running gavel, e.g. http://127.0.0.1:8080")
    parser.add_argument("--delay", type=float, default=0, help="seconds to wait before starting")
    args = parser.parse_args()
    BASE = args.base_url.rstrip("/")
    time.sleep(args.delay)
    start = time.monotonic()
    try:
        before = metrics()
        seller_email, bidder_email = account("seller"), account("bidder")
        seller_login, bidder = login(seller_email), login(bidder_email)["access_token"]
        seller = seller_login["access_token"]
        attempts = lockout()
        second_factor()
        products(seller)
        auctions(seller, bidder)
        misc(seller, seller_login["refresh_token"])
        after = metrics()
    except (Failure, urllib.error.URLError, KeyError, ValueError) as error:
        print(f"observability_traffic: FAIL {error}", file=sys.stderr)
        return 1
    stale = [name for name in MOVED if after.get(name, 0) <= before.get(name, 0)]
    if stale:
        for name in stale:
            print(f"observability_traffic: FAIL {name} did not increase "
                  f"({before.get(name, 'absent')} → {after.get(name, 'absent')})", file=sys.stderr)
        return 1
    print(f"observability_traffic: OK — lockout after {attempts} attempts, 2FA, products, items, "
          f"closes, extension, rejections; {len(MOVED)} series moved ({time.monotonic() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
