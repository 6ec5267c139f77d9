"""The Celery application shared by every app; tasks live in each app's tasks.py."""

from __future__ import annotations

import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "customs_portal.settings.local")

app = Celery("customs_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class WorkerHeartbeatStep(bootsteps.StartStopStep):
    """Records that this worker is alive, so /healthz works with any broker.

    A broadcast ping would need a broker with fan-out; a heartbeat row in the database
    works with the file broker of `make run` as well as with Redis.
    """

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.timer_ref = None

    def start(self, worker) -> None:
        from django.conf import settings

        from customs_portal import health

        health.worker_heartbeat_beat(hostname=worker.hostname)
        self.timer_ref = worker.timer.call_repeatedly(
            settings.WORKER_HEARTBEAT_SECONDS,
            health.worker_heartbeat_beat,
            kwargs={"hostname": worker.hostname},
            priority=10,
        )

    def stop(self, worker) -> None:
        from customs_portal import health

        if self.timer_ref is not None:
            self.timer_ref.cancel()
        health.worker_heartbeat_forget(hostname=worker.hostname)


app.steps["worker"].add(WorkerHeartbeatStep)
