"""Slide 6 — multithreading: a ThreadPoolExecutor of 40 threads, as the talk's."""

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from slides_common import Report, parse_flags, run, spend_cpu

local = threading.local()  # one session per thread: a Session is not made to be shared


def fetch_all(flags, report):
    def fetch_and_record(index):
        report.record(report.clock.time(index, fetch_one, flags))

    with ThreadPoolExecutor(max_workers=flags.concurrency) as pool:
        list(pool.map(fetch_and_record, range(1, flags.requests + 1)))


def fetch_one(flags):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    response = local.session.get(flags.url, timeout=flags.timeout)
    response.raise_for_status()
    uuid = response.json()["uuid"]
    spend_cpu(uuid, flags.work)  # --work: holds the GIL, so one thread computes at a time
    return uuid


if __name__ == "__main__":
    flags = parse_flags("threads.py", concurrency="threads [default: 40, as the talk's pool]")
    flags.concurrency = min(flags.concurrency or 40, flags.requests)  # no wider than the requests
    run(fetch_all, flags, Report("threads.py", "threads", flags, flags.concurrency))
