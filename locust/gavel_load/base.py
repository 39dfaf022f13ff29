"""What every simulated Gavel user shares."""

from __future__ import annotations

import gevent
from locust import FastHttpUser
from locust.exception import StopUser

from .accounts import Session

# The words the seeded names are made of (`gavel seed`), so searches find something.
WORDS = ["Vintage", "Handmade", "Compact", "Classic", "Rustic", "Modern", "Antique", "Sturdy",
         "Lamp", "Chair", "Camera", "Clock", "Radio", "Vase", "Bicycle", "Guitar", "Desk", "Teapot"]


class GavelUser(FastHttpUser):
    abstract = True
    network_timeout = 15.0
    connection_timeout = 5.0

    def sign_in(self, session: Session) -> Session:
        """The first user of a shared account signs it in; the others reuse its tokens. A user
        that cannot sign in stops (its failed requests are already reported)."""
        for attempt in range(3):
            if session.headers(self.client) is not None:
                return session
            gevent.sleep(1 + attempt)
        raise StopUser()


def sniping(user) -> bool:
    """True during the burst of the `sniping` shape: bidders then go for ending auctions only."""
    return bool(getattr(user.environment.shape_class, "snipe_focus", False))
