"""smoke: 20 users of every class for 45 s — does everything work at all?"""

from _stages import Stages


class Smoke(Stages):
    stages = [{"until": 45, "users": 20, "spawn_rate": 10}]
