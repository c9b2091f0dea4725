"""make bench-rush's probe, imported into the Celery workers with --include (never by the app).

For every supervision.scan_project task it pushes {project, start, end} (epoch seconds) onto a
Redis list under the bench's own key (BENCH_RUSH_PROBE_URL, BENCH_RUSH_PROBE_KEY). A task's
postrun comes after scan_project returned, so after its transaction committed: the project's
light, its flags and its leader's notifications are stored by then. Nothing else is touched."""

import json
import os
import time

import redis  # the client django-redis and kombu already install
from celery.signals import task_postrun, task_prerun

_redis = redis.Redis.from_url(os.environ.get("BENCH_RUSH_PROBE_URL", "redis://127.0.0.1:6379/7"))
_key = os.environ.get("BENCH_RUSH_PROBE_KEY", "bench-rush:probe")
_started: dict[str, float] = {}


@task_prerun.connect
def _prerun(task_id=None, task=None, **kwargs):
    if task is not None and task.name == "supervision.scan_project":
        _started[task_id] = time.time()


@task_postrun.connect
def _postrun(task_id=None, task=None, args=None, state=None, **kwargs):
    start = _started.pop(task_id, None)
    if start is None:
        return
    _redis.rpush(_key, json.dumps({"project": args[0] if args else None, "start": start,
                                   "end": time.time(), "state": state}))
