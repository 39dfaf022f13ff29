"""stress: 50 -> 100 -> 200 -> 400 -> 800 users, one minute each — where does latency bend
and what gives first (503 + Retry-After from a full queue or the DB gate, p99, errors)?
One Locust process drives a few hundred req/s; for more, add `--processes -1`."""

from _stages import Stages


class Stress(Stages):
    stages = [
        {"until": 60, "users": 50, "spawn_rate": 10},
        {"until": 120, "users": 100, "spawn_rate": 10},
        {"until": 180, "users": 200, "spawn_rate": 20},
        {"until": 240, "users": 400, "spawn_rate": 40},
        {"until": 300, "users": 800, "spawn_rate": 80},
    ]
