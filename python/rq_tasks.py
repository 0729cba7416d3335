"""Slide 8's job for RQ: a plain function, which an rq worker imports and runs.

Start a worker: scripts/python.sh rq-worker --redis URL
"""

import requests
from rq import get_current_job

from slides_common import spend_cpu


def fetch(url, timeout, work):
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    uuid = response.json()["uuid"]
    spend_cpu(uuid, work)  # --work: in the worker, which does the handling
    return {"uuid": uuid, "worker": get_current_job().worker_name}
