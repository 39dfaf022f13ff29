"""Bidders: wars on a few hot auctions, sniping in the final seconds, the odd buy-now
(tags `bid`, `snipe`, `buynow`)."""

from __future__ import annotations

import random
import time
import uuid

from locust import tag, task

from . import api
from .accounts import POOL
from .base import GavelUser, sniping
from .market import CATALOG, LOAD_TEST_PREFIX, minimum_bid

# The answers a bid may correctly get besides 201: a rule saying no.
BID_ANSWERS = {
    201: None,
    422: {"bid.too_low"},  # outbid since we looked; the problem names the new minimum
    409: {"item.ended", "item.not_active"},  # closed, bought or cancelled since we looked
}
# Buy-now ends an auction at once; one per this many seconds per process keeps a supply of them.
BUY_NOW_INTERVAL_SECONDS = 15.0
# How often one user bids on the same auction in its final seconds: a few times normally, so
# flash sales close during a run; many times in the sniping burst, which is all about that.
SNIPES_PER_ITEM, SNIPES_PER_ITEM_IN_BURST = 3, 30


class Bidder(GavelUser):
    weight = 4

    def wait_time(self):
        return random.uniform(0.05, 0.3) if sniping(self) else random.uniform(0.3, 1.5)

    def on_start(self):
        self.session = self.sign_in(POOL.take())
        self.snipes: dict[str, int] = {}  # item id -> bids this user placed in its final seconds

    @property
    def user_id(self) -> str | None:
        return self.session.user_id

    @tag("bid")
    @task(10)
    def bid_in_a_war(self):
        if sniping(self):
            return self.snipe()
        CATALOG.refresh(self.client)
        items = [item for item in CATALOG.hot(self.user_id) if item.get("leading_bidder_id") != self.user_id]
        if not items:
            return
        item = random.choice(items)
        body = CATALOG.price(item)
        if body is None:  # any acceptable bid would buy it now: leave it to buy-now
            CATALOG.retire(item["id"])
            return
        self.place(item, body)

    @tag("bid", "snipe")
    @task(3)
    def snipe(self):
        CATALOG.refresh(self.client)
        limit = SNIPES_PER_ITEM_IN_BURST if sniping(self) else SNIPES_PER_ITEM
        targets = [item for item in CATALOG.snipe_targets(self.user_id)
                   if self.snipes.get(item["id"], 0) < limit and item.get("leading_bidder_id") != self.user_id]
        if not targets:
            if sniping(self):
                SnipeLots.ensure(self)
            return
        item = min(targets, key=lambda i: i["ends_at"])  # the one closest to its end
        body = CATALOG.price(item, proxy_share=0.5)
        if body is not None:
            self.snipes[item["id"]] = self.snipes.get(item["id"], 0) + 1
            self.place(item, body)

    @tag("bid")
    @task(1)
    def lowball(self):
        """A bid under the minimum (a typo, a stale page) is refused with the minimum named."""
        items = CATALOG.hot(self.user_id)
        if items:
            item = random.choice(items)
            self.place(item, {"amount": max(1, minimum_bid(item) - int(item["bid_increment"]))},
                       answers={422: {"bid.too_low"}, 409: BID_ANSWERS[409]})

    @tag("bid", "buynow")
    @task(1)
    def buy_now(self):
        global _next_buy_now
        if time.time() < _next_buy_now:
            return
        CATALOG.refresh(self.client)
        candidates = CATALOG.buy_now_candidates(self.user_id)
        if candidates:
            _next_buy_now = time.time() + BUY_NOW_INTERVAL_SECONDS
            item = random.choice(candidates)
            self.place(item, {"amount": int(item["buyout_price"])})

    @tag("bid")
    @task(2)
    def watch_hot_item(self):
        """Reloads an auction's page (and, outside the burst, its bid history)."""
        CATALOG.refresh(self.client)
        burst = sniping(self)
        items = CATALOG.snipe_targets(self.user_id) if burst else CATALOG.hot(self.user_id)
        if not items:
            return
        item_id = random.choice(items)["id"]
        outcome = api.call(self.client, "GET", api.path(api.ITEM, id=item_id), name=api.ITEM,
                           accept={200: None}, check=api.has_id)
        if outcome.ok:
            CATALOG.observe(outcome.body)
            if not burst:
                api.call(self.client, "GET", api.path(api.ITEM_BIDS, id=item_id) + "?page_size=10",
                         name=api.ITEM_BIDS, accept={200: None}, check=api.page_check)

    def place(self, item: dict, body: dict, answers: api.Accept = BID_ANSWERS):
        known_price, known_version = item.get("current_price", 0), item.get("version", 0)

        def check(outcome: api.Outcome) -> str | None:
            bid, state = (outcome.body or {}).get("bid"), (outcome.body or {}).get("item")
            if not isinstance(bid, dict) or not isinstance(state, dict) or not bid.get("id"):
                return "201 without bid and item"
            if state.get("version", 0) > known_version and state.get("current_price", 0) < known_price:
                return f"the price went down ({known_price} -> {state.get('current_price')})"
            return None

        outcome = self.session.call(self.client, "POST", api.path(api.ITEM_BIDS, id=item["id"]), name=api.ITEM_BIDS,
                                    accept=answers, json_body=body, check=check)
        if outcome.status == 201 and outcome.ok:
            CATALOG.observe(outcome.body["item"])
        elif outcome.status == 422:
            CATALOG.learn_minimum(item["id"], outcome.body)
        elif outcome.status == 409:
            CATALOG.closed(item["id"])


_next_buy_now = 0.0


class SnipeLots:
    """Auctions for the sniping burst, listed by one bidder when too few are in their final
    seconds: they end 30-40 s later, and every bid in the last 15 s moves the end to 15 s after
    it, so the burst keeps them open and they close once it is over."""

    created_at = 0.0
    busy = False

    @classmethod
    def ensure(cls, bidder: Bidder):
        if cls.busy or time.time() - cls.created_at < 20:
            return
        cls.busy = True
        try:
            for n in range(3):
                price = random.choice([1000, 2500, 5000])
                outcome = bidder.session.call(
                    bidder.client, "POST", api.ITEMS, name=api.ITEMS, accept={201: None}, check=api.has_id,
                    json_body={"name": f"{LOAD_TEST_PREFIX}sniping lot {uuid.uuid4().hex[:8]}", "start_price": price,
                               "bid_increment": price // 20, "ends_at": api.now_rfc3339(30 + 5 * n),
                               "extension_threshold_seconds": 15, "extension_duration_seconds": 15})
                if outcome.ok:
                    CATALOG.observe(outcome.body)
            cls.created_at = time.time()
        finally:
            cls.busy = False
