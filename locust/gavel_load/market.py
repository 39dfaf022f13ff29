"""What the simulated users of one Locust process know about the auction house.

`Catalog` keeps the newest copy of every item it has seen (from lists, item reads and bid
responses), refreshed every few seconds with one list request, and derives from it:

* hot items — a few active auctions that every bidder fights over (`LOADTEST_HOT_ITEMS`, default 5),
  kept stable between refreshes so the wars are real, replaced when they close;
* snipe targets — active auctions inside their anti-sniping window
  (`ends_at - now <= extension_threshold_seconds`), where a bid extends the end;
* buy-now candidates — active auctions with a `buyout_price`.

Bids are priced from that view: at least the minimum the engine will accept (the start price for
a first bid, else the current price plus one increment), sometimes a little more, sometimes with a
proxy maximum (`max_amount`), and kept below the buy-now price unless the user means to buy now.
Being outbid between the read and the bid is normal; the 422 `bid.too_low` that follows says the
new minimum, which the catalog learns.
"""

from __future__ import annotations

import os
import random
import re
import time

from . import api

HOT_ITEMS = max(1, int(os.environ.get("LOADTEST_HOT_ITEMS", "5")))
REFRESH_SECONDS = 5.0
# An item this close to its end is no longer picked as a hot item (it is a snipe target instead).
HOT_MIN_REMAINING_SECONDS = 60.0
# Past this many known items, finished ones are forgotten.
MAX_ITEMS = 4000
# Names of what the load test lists start with this, so a shopper knows such a listing may be
# deleted under its feet (a 404 then is right) while a seeded one must not vanish.
LOAD_TEST_PREFIX = "Locust "
_AT_LEAST = re.compile(r"at least (\d+)")


def minimum_bid(item: dict) -> int:
    if not item.get("bid_count"):
        return int(item["start_price"])
    return int(item["current_price"]) + int(item["bid_increment"])


class Catalog:
    def __init__(self) -> None:
        self.items: dict[str, dict] = {}
        self.ends: dict[str, float] = {}  # item id -> ends_at in epoch seconds (parsed once)
        self.minimums: dict[str, int] = {}  # learnt from bid.too_low answers
        self.hot_ids: list[str] = []
        self.fetched_at = 0.0
        self.refreshing = False
        self.product_total: int | None = None
        self.item_total: int | None = None
        # Product id -> True when a load-test seller listed it (and so may delete it).
        self.products: dict[str, bool] = {}

    # -- learning -------------------------------------------------------------------------
    def observe(self, item: dict) -> None:
        if not isinstance(item, dict) or "id" not in item:
            return
        known = self.items.get(item["id"])
        if known is None or item.get("version", 0) >= known.get("version", 0):
            self.items[item["id"]] = item
            self.ends[item["id"]] = api.parse_rfc3339(item["ends_at"])
        if item.get("status") != "active" and item["id"] in self.hot_ids:
            self.hot_ids.remove(item["id"])
        if len(self.items) > MAX_ITEMS:
            self._forget_finished()

    def _forget_finished(self) -> None:
        """Keeps long runs cheap: what is over is only browsed, and lists bring it back."""
        for item_id in [i for i, item in self.items.items() if item.get("status") != "active"][: MAX_ITEMS // 2]:
            del self.items[item_id]
            self.ends.pop(item_id, None)
            self.minimums.pop(item_id, None)

    def closed(self, item_id: str) -> None:
        item = self.items.get(item_id)
        if item is not None:
            item["status"] = "closed"
        self.retire(item_id)

    def forget(self, item_id: str) -> None:
        """The item is gone (deleted by its seller)."""
        self.items.pop(item_id, None)
        self.ends.pop(item_id, None)
        self.retire(item_id)

    def retire(self, item_id: str) -> None:
        """No longer fought over (still open: buy-now may take it)."""
        if item_id in self.hot_ids:
            self.hot_ids.remove(item_id)

    def learn_minimum(self, item_id: str, problem: dict | None) -> None:
        found = _AT_LEAST.search(str((problem or {}).get("errors", "")))
        if found:
            self.minimums[item_id] = max(self.minimums.get(item_id, 0), int(found.group(1)))

    def remember_products(self, products: list[dict]) -> None:
        for product in products:
            if product.get("id"):
                self.products[product["id"]] = str(product.get("name", "")).startswith(LOAD_TEST_PREFIX)
        while len(self.products) > 1000:
            del self.products[next(iter(self.products))]

    # -- refreshing -----------------------------------------------------------------------
    def refresh(self, client, force: bool = False) -> None:
        """One list request every REFRESH_SECONDS per process, made by whichever user needs it."""
        if self.refreshing or (not force and time.time() - self.fetched_at < REFRESH_SECONDS):
            return
        self.refreshing = True
        try:
            outcome = api.call(
                client, "GET", f"{api.ITEMS}?status=active&sort=ending_soon&page_size=100", name=api.ITEMS,
                accept={200: None}, check=_page_check)
            if outcome.ok:
                for item in outcome.body["data"]:
                    self.observe(item)
                self.item_total = outcome.body["total"]
                self.fetched_at = time.time()
                self._choose_hot()
        finally:
            self.refreshing = False

    def _choose_hot(self) -> None:
        now = time.time()
        self.hot_ids = [i for i in self.hot_ids if self._biddable(self.items.get(i), now, HOT_MIN_REMAINING_SECONDS)]
        candidates = [
            item for item in self.items.values()
            if item["id"] not in self.hot_ids and self._biddable(item, now, HOT_MIN_REMAINING_SECONDS)
        ]
        # Auctions without a buy-now price can be fought over for long.
        candidates.sort(key=lambda item: (item.get("buyout_price") is not None, item["ends_at"]))
        for item in candidates[: HOT_ITEMS - len(self.hot_ids)]:
            self.hot_ids.append(item["id"])

    def _biddable(self, item: dict | None, now: float, min_remaining: float = 1.0) -> bool:
        if not item or item.get("status") != "active":
            return False
        return self.ends.get(item["id"], 0.0) - now > min_remaining

    # -- choosing -------------------------------------------------------------------------
    def hot(self, bidder_id: str | None) -> list[dict]:
        return [self.items[i] for i in self.hot_ids if i in self.items and self.items[i]["seller_id"] != bidder_id]

    def snipe_targets(self, bidder_id: str | None) -> list[dict]:
        now = time.time()
        targets = []
        for item in self.items.values():
            if item.get("status") != "active" or item["seller_id"] == bidder_id:
                continue
            remaining = self.ends.get(item["id"], 0.0) - now
            window = item.get("extension_threshold_seconds") or 0
            if 1.0 < remaining <= window:
                targets.append(item)
        return targets

    def buy_now_candidates(self, bidder_id: str | None) -> list[dict]:
        now = time.time()
        return [
            item for item in self.items.values()
            if item.get("buyout_price") and item["seller_id"] != bidder_id and item["id"] not in self.hot_ids
            and self._biddable(item, now, 5.0)
        ]

    def any_item_ids(self) -> list[str]:
        return list(self.items)

    # -- pricing --------------------------------------------------------------------------
    def price(self, item: dict, *, proxy_share: float = 0.3) -> dict | None:
        """A bid body for `item`, or None when every acceptable bid would buy it outright."""
        increment = int(item["bid_increment"])
        amount = max(minimum_bid(item), self.minimums.get(item["id"], 0)) + increment * random.choice((0, 0, 0, 1, 2))
        body: dict = {"amount": amount}
        if random.random() < proxy_share:
            body["max_amount"] = amount + increment * random.randint(2, 12)
        buyout = item.get("buyout_price")
        if buyout is not None:
            if amount >= buyout:
                return None
            if body.get("max_amount", 0) >= buyout:
                body["max_amount"] = buyout - 1
        return body


def _page_check(outcome: api.Outcome) -> str | None:
    body = outcome.body
    if not isinstance(body, dict) or not isinstance(body.get("data"), list) or "total" not in body:
        return "list without data or total"
    return None


CATALOG = Catalog()
