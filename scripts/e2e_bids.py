#!/usr/bin/env python3
"""Concurrent bidding clients and a durability check for scripts/e2e.sh (standard library only).

    e2e_bids.py items  --base URL --secret S --seller UUID --count 20 > items.txt
    e2e_bids.py load   --base URL --secret S --items items.txt --clients 8 --duration 10 --acks acks.jsonl
    e2e_bids.py verify --base URL --items items.txt --acks acks1.jsonl [acks2.jsonl ...]

items   creates COUNT active auctions (ending in --hours, default 24) sold by --seller and
        prints their ids, one a line.
load    runs --clients threads, each a bidder of its own with one keep-alive connection
        (http.client), placing rising bids on random items (a quarter of them proxy bids with
        max_amount) until --duration seconds have passed or the server is gone (three
        connection failures in a row). Every 201 is appended to --acks as one JSON line
        {item, bidder, bid, amount, price_after, t (epoch seconds)} the moment it arrives. Prints a JSON summary:
        requests, acknowledged, rejected (by code), unavailable (503), 503s without
        Retry-After, connection errors and any other status (a 5xx other than 503 is a bug).
verify  reads every item, its whole bid history (GET /api/v1/items/{id}/bids, paged) and the
        whole event feed (GET /api/v1/events, paged by next_after), then checks that every
        acknowledged bid is stored with the amount, bidder and price it was acknowledged with;
        that the stored bids and the bid.placed events of these items are the same set of bid
        ids (none lost, none invented); that prices never go down in commit order; and that
        each item's current_price is its newest bid's price_after and bid_count its number of
        stored bids. Prints the counts; exits 1 when anything is wrong.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import sys
import threading
import time
import urllib.parse
import uuid

sys.dont_write_bytecode = True  # no __pycache__ next to the scripts
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mint_token import mint  # noqa: E402  (the sibling script)


def token(secret, sub):
    return mint(secret, sub, 3600, "gavel", "gavel", "access", int(time.time()))


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects after a failure."""

    def __init__(self, base, timeout=10.0):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port or 80
        self.timeout = timeout
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        """(status, headers dict with lower-case names, parsed JSON or None). Raises OSError or
        http.client.HTTPException when there is no answer."""
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        hdrs = {"Accept": "application/json"}
        hdrs.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
            raw = resp.read()
        except BaseException:
            self.close()
            raise
        if resp.will_close:
            self.close()
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def rfc3339(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


# ---------------------------------------------------------------------------------------------
def cmd_items(args):
    client = Client(args.base)
    auth = {"Authorization": "Bearer " + token(args.secret, args.seller)}
    ends = rfc3339(time.time() + args.hours * 3600)
    for n in range(args.count):
        body = {"name": f"e2e durability lot {n + 1}", "start_price": 1000 + 100 * n, "bid_increment": 10 + n,
                "ends_at": ends, "extension_threshold_seconds": 0}
        if n % 4 == 0:
            body["reserve_price"] = 5000
        status, _, item = client.request("POST", "/api/v1/items", body, auth)
        if status != 201 or not item or "id" not in item:
            print(f"e2e_bids: creating item {n + 1}: HTTP {status}: {item}", file=sys.stderr)
            return 1
        print(item["id"])
    return 0


# ---------------------------------------------------------------------------------------------
AT_LEAST = re.compile(r"at least (\d+)")


class Load:
    def __init__(self, args, items):
        self.args = args
        self.items = items
        self.lock = threading.Lock()
        self.acks = open(args.acks, "a", encoding="utf-8")
        self.stats = {"requests": 0, "acknowledged": 0, "rejected": {}, "unavailable": 0,
                      "unavailable_without_retry_after": 0, "connection_errors": 0, "other": {}}
        self.deadline = time.monotonic() + args.duration

    def count(self, key, sub=None):
        with self.lock:
            if sub is None:
                self.stats[key] += 1
            else:
                self.stats[key][sub] = self.stats[key].get(sub, 0) + 1

    def ack(self, record):
        line = json.dumps(record, separators=(",", ":")) + "\n"
        with self.lock:
            self.acks.write(line)
            self.acks.flush()
            self.stats["acknowledged"] += 1

    def client(self, seed):
        rng = random.Random(seed)
        bidder = str(uuid.uuid4())
        auth = {"Authorization": "Bearer " + token(self.args.secret, bidder)}
        conn = Client(self.args.base)
        # The lowest amount this client believes each item accepts, and its increment.
        minimum = {i["id"]: (i["current_price"] + i["bid_increment"] if i["bid_count"] else i["start_price"])
                   for i in self.items}
        increment = {i["id"]: i["bid_increment"] for i in self.items}
        failures = 0
        while time.monotonic() < self.deadline:
            item = rng.choice(self.items)["id"]
            amount = minimum[item] + increment[item] * rng.randint(0, 3)
            body = {"amount": amount}
            if rng.random() < 0.25:
                body["max_amount"] = amount + increment[item] * rng.randint(1, 10)
            self.count("requests")
            try:
                status, headers, reply = conn.request("POST", f"/api/v1/items/{item}/bids", body, auth)
            except (OSError, http.client.HTTPException):
                self.count("connection_errors")
                failures += 1
                if failures >= 3:
                    return  # the server is gone
                time.sleep(0.1)
                continue
            failures = 0
            reply = reply if isinstance(reply, dict) else {}
            if status == 201:
                bid, state = reply.get("bid", {}), reply.get("item", {})
                self.ack({"item": item, "bidder": bidder, "bid": bid.get("id"), "amount": amount,
                          "price_after": bid.get("price_after"), "t": round(time.time(), 3)})
                if "current_price" in state:
                    minimum[item] = max(minimum[item], state["current_price"] + increment[item])
            elif status in (409, 422):
                code = reply.get("code", f"HTTP {status}")
                self.count("rejected", code)
                if code == "bid.too_low":
                    found = AT_LEAST.search(json.dumps(reply.get("errors", [])) + reply.get("detail", ""))
                    if found:
                        minimum[item] = max(minimum[item], int(found.group(1)))
            elif status == 503:
                self.count("unavailable")
                if not headers.get("retry-after"):
                    self.count("unavailable_without_retry_after")
                time.sleep(0.02)
            else:
                self.count("other", str(status))
        conn.close()

    def run(self):
        threads = [threading.Thread(target=self.client, args=(self.args.seed + n,), daemon=True)
                   for n in range(self.args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.acks.close()
        return self.stats



def read_items(base, path):
    with open(path, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    client = Client(base)
    items = []
    for item_id in ids:
        status, _, item = client.request("GET", f"/api/v1/items/{item_id}")
        if status != 200:
            raise SystemExit(f"e2e_bids: GET item {item_id}: HTTP {status}")
        items.append(item)
    client.close()
    return items


def cmd_load(args):
    items = read_items(args.base, args.items)
    if not items:
        raise SystemExit("e2e_bids: no items")
    stats = Load(args, items).run()
    print(json.dumps(stats, sort_keys=True))
    return 0


# ---------------------------------------------------------------------------------------------
def cmd_verify(args):
    problems = []

    def problem(text):
        problems.append(text)

    client = Client(args.base)
    with open(args.items, encoding="utf-8") as f:
        ids = [line.strip() for line in f if line.strip()]
    acks = []
    for path in args.acks:
        with open(path, encoding="utf-8") as f:
            acks += [json.loads(line) for line in f if line.strip()]

    stored = {}  # bid id -> bid
    per_item = {}
    for item_id in ids:
        status, _, item = client.request("GET", f"/api/v1/items/{item_id}")
        if status != 200:
            problem(f"GET /api/v1/items/{item_id}: HTTP {status}")
            continue
        bids, page, total = [], 1, None
        while True:
            status, _, body = client.request("GET", f"/api/v1/items/{item_id}/bids?page={page}&page_size=100")
            if status != 200:
                problem(f"GET bids of {item_id} page {page}: HTTP {status}")
                break
            total = body["total"]
            bids += body["data"]
            if not body["data"] or len(bids) >= total:
                break
            page += 1
        if total is not None and len(bids) != total:
            problem(f"item {item_id}: bid history total {total} but {len(bids)} bids listed")
        per_item[item_id] = (item, bids)
        for bid in bids:
            stored[bid["id"]] = bid
        if len({b["id"] for b in bids}) != len(bids):
            problem(f"item {item_id}: a bid id appears twice in its history")
        if item.get("bid_count") != len(bids):
            problem(f"item {item_id}: bid_count {item.get('bid_count')} but {len(bids)} stored bids")
        if bids:
            if item.get("current_price") != bids[0]["price_after"]:
                problem(f"item {item_id}: current_price {item.get('current_price')} but the newest bid's "
                        f"price_after is {bids[0]['price_after']}")
            prices = [b["price_after"] for b in reversed(bids)]
            if any(later < earlier for earlier, later in zip(prices, prices[1:])):
                problem(f"item {item_id}: price_after goes down in commit order: {prices[:20]}")
            if any(b["item_id"] != item_id for b in bids):
                problem(f"item {item_id}: its history lists another item's bid")

    events = {}  # bid id -> number of bid.placed events
    after, pages = 0, 0
    while True:
        status, _, body = client.request("GET", f"/api/v1/events?after={after}&limit=1000")
        if status != 200:
            problem(f"GET /api/v1/events?after={after}: HTTP {status}")
            break
        pages += 1
        for env in body["data"]:
            if env.get("event") != "bid.placed":
                continue
            payload = env.get("payload") or {}
            bid = payload.get("bid") or {}
            if bid.get("item_id") in per_item:
                events[bid.get("id")] = events.get(bid.get("id"), 0) + 1
        if not body["data"] or body["next_after"] <= after:
            break
        after = body["next_after"]
    client.close()

    missing = [a for a in acks if a["bid"] not in stored]
    missing_events = [a for a in acks if a["bid"] not in events]
    for a in acks:
        s = stored.get(a["bid"])
        if s and (s["item_id"] != a["item"] or s["bidder_id"].lower() != a["bidder"].lower()
                  or s["amount"] != a["amount"] or s["price_after"] != a["price_after"]):
            problem(f"bid {a['bid']} stored as {s} but acknowledged as {a}")
    unevented = sorted(set(stored) - set(events))
    invented = sorted(set(events) - set(stored))
    doubled = sorted(b for b, n in events.items() if n > 1)
    for a in missing[:5]:
        problem(f"acknowledged bid missing from the history: {a}")
    for a in missing_events[:5]:
        problem(f"acknowledged bid without a bid.placed event: {a}")
    for b in unevented[:5]:
        problem(f"stored bid {b} has no bid.placed event")
    for b in invented[:5]:
        problem(f"bid.placed event for bid {b}, which is not stored")
    for b in doubled[:5]:
        problem(f"bid {b} has {events[b]} bid.placed events")

    acked_ids = {a["bid"] for a in acks}
    summary = {
        "items": len(per_item), "acknowledged": len(acks), "acknowledged_distinct": len(acked_ids),
        "stored": len(stored), "stored_not_acknowledged": len(set(stored) - acked_ids),
        "missing": len(missing), "bid_placed_events": len(events), "missing_events": len(missing_events),
        "stored_without_event": len(unevented), "events_without_bid": len(invented), "event_pages": pages,
        "problems": len(problems),
    }
    print(json.dumps(summary, sort_keys=True))
    for p in problems[:20]:
        print("problem: " + p)
    return 1 if problems else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("items")
    p.add_argument("--base", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--seller", required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--hours", type=float, default=24)
    p = sub.add_parser("load")
    p.add_argument("--base", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--items", required=True)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--duration", type=float, default=10)
    p.add_argument("--acks", required=True)
    p.add_argument("--seed", type=int, default=int(time.time()))
    p = sub.add_parser("verify")
    p.add_argument("--base", required=True)
    p.add_argument("--items", required=True)
    p.add_argument("--acks", required=True, nargs="+")
    args = parser.parse_args()
    return {"items": cmd_items, "load": cmd_load, "verify": cmd_verify}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
