"""Sellers: list products and auctions, edit them with If-Match, withdraw them (tag `sell`)."""

from __future__ import annotations

import json
import random
import time
import uuid

from locust import between, tag, task

from . import api
from .accounts import POOL
from .base import WORDS, GavelUser
from .market import CATALOG, LOAD_TEST_PREFIX


def _name(kind: str = "") -> str:
    return f"{LOAD_TEST_PREFIX}{random.choice(WORDS)} {kind}{uuid.uuid4().hex[:10]}"


class Seller(GavelUser):
    weight = 1
    wait_time = between(1, 4)

    def on_start(self):
        self.session = self.sign_in(POOL.take(from_top=True))
        self.products: dict[str, str] = {}  # id -> ETag of this user's products
        self.items: list[str] = []  # ids of this user's auctions, newest last
        # A quiet auction ending in seconds with soft close off, so every run sees one close.
        self._create_item(ends_in=random.uniform(8, 15), extension=0)

    # -- products -------------------------------------------------------------------------
    @tag("sell")
    @task(3)
    def list_product(self):
        body = {"name": _name(), "description": "Listed by the load test.", "price": random.randint(100, 200_000),
                "currency": "EUR", "stock": random.randint(1, 50)}
        key = uuid.uuid4().hex
        outcome = self.session.call(self.client, "POST", api.PRODUCTS, name=api.PRODUCTS, accept={201: None},
                                    json_body=body, headers={"Idempotency-Key": key}, check=api.has_id)
        if not outcome.ok:
            return
        product_id = outcome.body["id"]
        self.products[product_id] = outcome.header("ETag") or '"1"'
        CATALOG.products[product_id] = True
        if random.random() < 0.1:
            # A client retrying after a lost answer: the same key and body give the same product.
            def same(o: api.Outcome) -> str | None:
                return None if (o.body or {}).get("id") == product_id else "an Idempotency-Key replay made a second product"

            self.session.call(self.client, "POST", api.PRODUCTS, name=api.PRODUCTS, accept={201: None},
                              json_body=body, headers={"Idempotency-Key": key}, check=same)

    @tag("sell")
    @task(3)
    def edit_product(self):
        if not self.products:
            return self.list_product()
        patch = random.choice([{"price": random.randint(100, 200_000)}, {"stock": random.randint(0, 50)},
                               {"description": f"Edited at {api.now_rfc3339()}"}, {"description": None}])
        self._write_product("PATCH", random.choice(list(self.products)), patch, api.MERGE_PATCH)

    @tag("sell")
    @task(1)
    def replace_product(self):
        if self.products:
            body = {"name": _name(), "description": "Replaced by the load test.", "price": random.randint(100, 200_000),
                    "stock": 3}
            self._write_product("PUT", random.choice(list(self.products)), body, "application/json")

    @tag("sell")
    @task(1)
    def delist_product(self):
        if len(self.products) < 5:
            return
        product_id = random.choice(list(self.products))
        outcome = self.session.call(self.client, "DELETE", api.path(api.PRODUCT, id=product_id), name=api.PRODUCT,
                                    accept={204: None}, headers={"If-Match": self.products[product_id]})
        if outcome.ok:
            del self.products[product_id]
            CATALOG.products.pop(product_id, None)

    def _write_product(self, method: str, product_id: str, body: dict, content_type: str):
        # Only this user edits its products, so the ETag it holds is current: a 412 is a fault.
        outcome = self.session.call(self.client, method, api.path(api.PRODUCT, id=product_id), name=api.PRODUCT,
                                    accept={200: None}, data=json.dumps(body), check=api.has_id,
                                    headers={"If-Match": self.products[product_id], "Content-Type": content_type})
        if outcome.ok:
            self.products[product_id] = outcome.header("ETag") or self.products[product_id]

    # -- auctions -------------------------------------------------------------------------
    @tag("sell")
    @task(3)
    def list_auction(self):
        roll = random.random()
        if roll < 0.25:  # a flash sale: over within a minute, soft close on, so its end is sniped
            self._create_item(ends_in=random.uniform(20, 60), extension=10)
        elif roll < 0.4:  # a draft, published by a later edit
            self._create_item(ends_in=86_400, draft=True)
        else:
            self._create_item(ends_in=random.uniform(2, 6) * 3600)

    def _create_item(self, *, ends_in: float, extension: int | None = None, draft: bool = False):
        price = random.choice([500, 1000, 2000, 5000, 10000])
        body = {"name": _name("lot "), "description": "Auctioned by the load test.", "start_price": price,
                "bid_increment": max(10, price // 20), "ends_at": api.now_rfc3339(ends_in)}
        if extension is not None:
            body["extension_threshold_seconds"] = body["extension_duration_seconds"] = extension
        if random.random() < 0.3:
            body["buyout_price"] = price * 8
        if random.random() < 0.3:
            body["reserve_price"] = price * 2
        if draft:
            body["status"] = "draft"
        outcome = self.session.call(self.client, "POST", api.ITEMS, name=api.ITEMS, accept={201: None},
                                    json_body=body, headers={"Idempotency-Key": uuid.uuid4().hex}, check=api.has_id)
        if outcome.ok:
            self.items.append(outcome.body["id"])
            del self.items[:-30]
            if not draft:
                CATALOG.observe(outcome.body)

    @tag("sell")
    @task(3)
    def edit_auction(self):
        if not self.items:
            return
        item_id = random.choice(self.items)
        read = self.session.call(self.client, "GET", api.path(api.ITEM, id=item_id), name=api.ITEM,
                                 accept={200: None, 404: {"item.not_found"}}, check=api.has_id)
        if read.status == 404:  # withdrawn by another user of the same account
            self.items.remove(item_id)
        if not read.ok or read.status != 200:
            return
        item = read.body
        patch: dict = {"description": f"Edited at {api.now_rfc3339()}"}
        if item["status"] == "draft":
            patch["status"] = "active"
        elif item["bid_count"] == 0 and api.parse_rfc3339(item["ends_at"]) - time.time() > 60 and random.random() < 0.5:
            # Sellers rarely touch terms in an auction's final minute, so this one does not either.
            patch["bid_increment"] = max(1, int(item["bid_increment"]) + random.choice([-5, 5]))
        # A bid or the end may land between the read and the write: then 412 (the ETag is
        # stale), or 409 (terms frozen by a bid, auction ended or closed) is the right answer.
        outcome = self.session.call(
            self.client, "PATCH", api.path(api.ITEM, id=item_id), name=api.ITEM,
            accept={200: None, 412: {"request.precondition_failed"}, 409: {"item.has_bids", "item.ended", "item.not_open"}},
            data=json.dumps(patch), check=api.has_id,
            headers={"If-Match": read.header("ETag") or "*", "Content-Type": api.MERGE_PATCH})
        if outcome.status == 200:
            CATALOG.observe(outcome.body)

    @tag("sell")
    @task(1)
    def withdraw_auction(self):
        if len(self.items) < 5:
            return
        item_id = random.choice(self.items)
        gone = {404: {"item.not_found"}}  # withdrawn by another user of the same account
        if random.random() < 0.5:
            outcome = self.session.call(self.client, "POST", api.path(api.ITEM_CANCEL, id=item_id), name=api.ITEM_CANCEL,
                                        accept={200: None, 409: {"item.has_bids", "item.ended", "item.not_open"}, **gone})
        else:
            outcome = self.session.call(self.client, "DELETE", api.path(api.ITEM, id=item_id), name=api.ITEM,
                                        accept={204: None, 409: {"item.has_bids"}, **gone})
        if outcome.ok and outcome.status in (200, 204, 404):
            self.items.remove(item_id)
            CATALOG.closed(item_id)

    @tag("sell")
    @task(2)
    def my_listings(self):
        def drafts_visible(outcome: api.Outcome) -> str | None:
            complaint = api.page_check(outcome)
            others = [i for i in (outcome.body or {}).get("data", []) if i.get("seller_id") != self.session.user_id]
            return complaint or (f"seller_id filter returned {len(others)} items of others" if others else None)

        self.session.call(self.client, "GET", f"{api.ITEMS}?seller_id={self.session.user_id}&sort=newest",
                          name=api.ITEMS, accept={200: None}, check=drafts_visible)

    @tag("sell")
    @task(1)
    def shill_bid(self):
        """A seller bidding on its own auction is refused (422 `bid.self_bid`)."""
        own = [i for i in self.items if (CATALOG.items.get(i) or {}).get("status") == "active"]
        if own:
            item = CATALOG.items[random.choice(own)]
            self.session.call(self.client, "POST", api.path(api.ITEM_BIDS, id=item["id"]), name=api.ITEM_BIDS,
                              accept={422: {"bid.self_bid"}, 409: {"item.ended", "item.not_active"}},
                              json_body={"amount": int(item["current_price"]) + int(item["bid_increment"])})
