"""sniping: an end-of-auction burst. 30 users in the default mix as a background; from 20 s
to 80 s, 120 more bidders bid fast and only on auctions inside their anti-sniping window
(lots ending within seconds are listed for them when too few exist), so every accepted bid
extends an end; then the burst leaves and those auctions close. Watch extensions, closes,
bid rejections (`bid.too_low` as bidders outbid each other), queue depth and batch sizes."""

from _stages import Stages

BURST_START, BURST_END = 20, 80


class Sniping(Stages):
    stages = [
        {"until": BURST_START, "users": 30, "spawn_rate": 10},
        {"until": BURST_END, "users": 150, "spawn_rate": 40, "classes": ["Bidder"]},
        {"until": 110, "users": 30, "spawn_rate": 40},
    ]

    @property
    def snipe_focus(self) -> bool:
        """Read by the bidders (gavel_load.base.sniping)."""
        return BURST_START <= self.get_run_time() < BURST_END
