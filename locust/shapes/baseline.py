"""baseline: 50 users in the default mix for 3 min, ramped up over the first 10 s — the
reference numbers (req/s, p50/p95/p99 per route, RSS, CPU) to compare changes against."""

from _stages import Stages


class Baseline(Stages):
    stages = [{"until": 180, "users": 50, "spawn_rate": 5}]
