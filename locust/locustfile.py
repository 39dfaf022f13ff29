"""Gavel load scenarios for Locust.

User classes (weights give the mix when no class is picked):
  Shopper        (10) browses products and auctions anonymously: pages, search, filters, sorting,
                      details, bid histories, the event feed. Most of the traffic.
  Bidder          (4) bidding wars on a few hot auctions shared by all bidders, some with a proxy
                      maximum (`max_amount`); sniping in the anti-sniping window; the odd buy-now.
  Seller          (1) lists products and auctions (long ones, flash sales, drafts published later),
                      edits them with PATCH/PUT + If-Match, cancels and deletes.
  TwoFactorUser   (1) registers its own account, enrols TOTP once (enable -> verify, with pyotp),
                      then signs in through the 2FA challenge; sometimes with a recovery code.

Tags select scenarios: `browse`, `bid` (with `snipe`, `buynow`), `sell`, `2fa` (with `lockout`),
e.g. `--tags bid sell` or `--exclude-tags lockout`. A class the selection leaves without tasks is
dropped from the run (a note is logged); user classes can also be named: `locust ... Bidder Seller`.

Load shapes live in locust/shapes/, one file each, so none is active unless asked for:
  locust -f locust/locustfile.py,locust/shapes/baseline.py --headless --host URL
  shapes: smoke (20 users, 45 s), baseline (50 users, 4 min), stress (steps up to 800 users),
          sniping (a burst of bidders on auctions in their final seconds).
Without a shape file, -u/-r/-t apply as usual. In the web UI, load every shape and pick one:
  locust -f locust/locustfile.py,locust/shapes --class-picker

What counts as a failure: anything but the answers listed as correct for each request. A rule
saying no is correct (422 `bid.too_low` after being outbid, 409 `item.ended` / `item.not_active`
when the auction closed meanwhile, 412/409 when a bid changed an item the seller was editing);
a 5xx, a 503 (overload), an unknown problem code, a malformed body or a lost connection is not.

Accounts: bidders and sellers use the seeded demo accounts (`gavel seed`; `LOADTEST_SEED_USERS`,
default 10), one shared session per account, so a run logs in at most that many times; 2FA
users register their own (enabling 2FA on a shared account would lock the others out).
Environment: LOADTEST_SEED_USERS, LOADTEST_SEED_PASSWORD, LOADTEST_HOT_ITEMS (see gavel_load/);
not GAVEL_*, which Gavel itself reads and refuses when unknown.
The scenarios live in gavel_load/ (one module per user class); this file only gathers them.
"""

import logging

from locust import events

from gavel_load.bidder import Bidder
from gavel_load.seller import Seller
from gavel_load.shopper import Shopper
from gavel_load.two_factor import TwoFactorUser

__all__ = ["Shopper", "Bidder", "Seller", "TwoFactorUser"]


@events.test_start.add_listener
def _leave_out_idle_classes(environment, **_):
    """Locust filters tasks by --tags/--exclude-tags just before this event; a class left with
    none would fail to start, so it is taken out of the run instead."""
    busy = [user_class for user_class in environment.user_classes if user_class.tasks]
    if busy and len(busy) < len(environment.user_classes):
        idle = sorted(c.__name__ for c in environment.user_classes if not c.tasks)
        logging.info("no selected tasks, left out of this run: %s", ", ".join(idle))
        environment.user_classes[:] = busy
