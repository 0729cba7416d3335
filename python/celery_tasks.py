"""Slide 8's task for Celery: a worker runs it; Redis carries the jobs and the results.

Start a worker: scripts/python.sh celery-worker --redis URL
"""

import os

import requests
from celery import Celery

from slides_common import spend_cpu

REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
app = Celery("celery_tasks", broker=REDIS, backend=REDIS)
# JSON on the queue, never pickle: a worker must not run what a message unpickles into.
app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])


@app.task(bind=True)
def fetch(self, url, timeout, work):
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    uuid = response.json()["uuid"]
    spend_cpu(uuid, work)  # --work: in the worker, which does the handling
    return {"uuid": uuid, "worker": self.request.hostname}
