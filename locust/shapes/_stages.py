"""A load shape as a table of stages; the shape files beside this one are tables.

Each stage runs until `until` seconds into the test with `users` users, reached at
`spawn_rate` users per second. `classes` (names of user classes) limits the users *added* in
that stage to those classes; without it every class of the run is used, mixed by weight.
After the last stage the test stops. (This file starts with `_`, so Locust does not load it
as a locustfile when given the whole directory.)
"""

from __future__ import annotations

from locust import LoadTestShape


class Stages(LoadTestShape):
    abstract = True
    stages: list[dict] = []

    def current_stage(self) -> dict | None:
        elapsed = self.get_run_time()
        return next((stage for stage in self.stages if elapsed < stage["until"]), None)

    def tick(self):
        stage = self.current_stage()
        if stage is None:
            return None
        environment = self.runner.environment
        names = stage.get("classes")
        if names:
            chosen = [environment.user_classes_by_name[n] for n in names if n in environment.user_classes_by_name]
        else:
            chosen = list(environment.user_classes)  # all again, after a stage that narrowed them
        return stage["users"], stage["spawn_rate"], chosen or None
