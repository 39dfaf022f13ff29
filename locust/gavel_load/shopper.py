"""Shoppers: anonymous browsing, the bulk of the traffic (tag `browse`)."""

from __future__ import annotations

import random

from locust import between, tag, task

from . import api
from .base import WORDS, GavelUser
from .market import CATALOG, LOAD_TEST_PREFIX


class Shopper(GavelUser):
    weight = 10
    wait_time = between(0.5, 2.5)

    def on_start(self):
        self.feed_after = 0

    @tag("browse")
    @task(3)
    def browse_products(self):
        pages = max(1, min(50, ((CATALOG.product_total or 20) + 19) // 20))
        sort = random.choice(["newest", "oldest", "price_asc", "price_desc", "name"])
        self._products(f"{api.PRODUCTS}?page={random.randint(1, pages)}&page_size=20&sort={sort}", paging=True)

    @tag("browse")
    @task(2)
    def search_products(self):
        query = f"q={random.choice(WORDS)}"
        if random.random() < 0.5:
            low = random.choice([0, 1000, 5000])
            query += f"&min_price={low}&max_price={low + random.choice([5000, 20000, 100000])}"
        self._products(f"{api.PRODUCTS}?{query}&page_size={random.choice([10, 20, 50])}")

    def _products(self, url: str, paging: bool = False):
        outcome = api.call(self.client, "GET", url, name=api.PRODUCTS, accept={200: None}, check=api.page_check)
        if outcome.ok:
            CATALOG.remember_products(outcome.body["data"])
            if paging:
                CATALOG.product_total = outcome.body["total"]

    @tag("browse")
    @task(3)
    def product_details(self):
        if not CATALOG.products:
            return self.browse_products()
        product_id, ours = random.choice(list(CATALOG.products.items()))
        # A product listed by a load-test seller may have been deleted since: 404 is right then.
        accept = {200: None, 404: {"product.not_found"}} if ours else {200: None}
        outcome = api.call(self.client, "GET", api.path(api.PRODUCT, id=product_id), name=api.PRODUCT,
                           accept=accept, check=api.has_id)
        if outcome.status == 404:
            CATALOG.products.pop(product_id, None)

    @tag("browse")
    @task(3)
    def browse_items(self):
        pages = max(1, min(20, ((CATALOG.item_total or 20) + 19) // 20))
        sort = random.choice(["ending_soon", "newest", "price"])
        status = random.choice(["active", "active", "active", "sold", ""])
        url = f"{api.ITEMS}?sort={sort}&page={random.randint(1, pages)}&page_size=20"
        self._items(url + (f"&status={status}" if status else ""))

    @tag("browse")
    @task(1)
    def search_items(self):
        self._items(f"{api.ITEMS}?q={random.choice(WORDS)}&status=active")

    def _items(self, url: str):
        outcome = api.call(self.client, "GET", url, name=api.ITEMS, accept={200: None}, check=api.page_check)
        if outcome.ok:
            for item in outcome.body["data"]:
                CATALOG.observe(item)

    @tag("browse")
    @task(3)
    def item_details(self):
        item_id = self._some_item()
        if item_id is None:
            return
        outcome = api.call(self.client, "GET", api.path(api.ITEM, id=item_id), name=api.ITEM,
                           accept=self._item_accept(item_id), check=api.has_id)
        if outcome.status == 200:
            CATALOG.observe(outcome.body)
        elif outcome.status == 404:
            CATALOG.forget(item_id)

    @tag("browse")
    @task(2)
    def bid_history(self):
        item_id = self._some_item()
        if item_id is not None:
            api.call(self.client, "GET", api.path(api.ITEM_BIDS, id=item_id) + "?page_size=20",
                     name=api.ITEM_BIDS, accept=self._item_accept(item_id), check=api.page_check)

    @tag("browse")
    @task(1)
    def event_feed(self):
        def check(outcome: api.Outcome) -> str | None:
            body = outcome.body if isinstance(outcome.body, dict) else {}
            return None if isinstance(body.get("data"), list) and "next_after" in body else "feed without data or next_after"

        outcome = api.call(self.client, "GET", f"{api.EVENTS}?after={self.feed_after}&limit=50", name=api.EVENTS,
                           accept={200: None}, check=check)
        if outcome.ok:
            self.feed_after = max(self.feed_after, int(outcome.body["next_after"] or 0))

    def _some_item(self) -> str | None:
        CATALOG.refresh(self.client)
        ids = CATALOG.any_item_ids()
        return random.choice(ids) if ids else None

    @staticmethod
    def _item_accept(item_id: str) -> dict:
        item = CATALOG.items.get(item_id) or {}
        # A load-test seller may delete an auction of its own that got no bid: 404 is right then.
        if str(item.get("name", "")).startswith(LOAD_TEST_PREFIX):
            return {200: None, 404: {"item.not_found"}}
        return {200: None}
