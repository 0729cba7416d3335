"""Slide 5 — multiprocessing: a Pool of processes, one per CPU, each making requests."""

import os
import signal
from functools import partial
from multiprocessing import Pool

import requests

from slides_common import Report, parse_flags, run, spend_cpu

session = None  # one per process, opened when the pool starts it


def open_session():
    global session
    session = requests.Session()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it ends the pool


def fetch_all(flags, report):
    with Pool(flags.concurrency, initializer=open_session) as pool:
        fetch_timed = partial(report.clock.time, fetch=fetch_one, flags=flags)
        for fetched in pool.imap_unordered(fetch_timed, range(1, flags.requests + 1)):
            report.record(fetched)


def fetch_one(flags):
    response = session.get(flags.url, timeout=flags.timeout)
    response.raise_for_status()
    uuid = response.json()["uuid"]
    spend_cpu(uuid, flags.work)  # --work: each process has a GIL of its own
    return uuid


if __name__ == "__main__":
    flags = parse_flags("processes.py", concurrency="processes [default: one per CPU]")
    # One process per CPU, as Pool() makes, and no more processes than requests.
    flags.concurrency = min(flags.concurrency or os.cpu_count(), flags.requests)
    run(fetch_all, flags, Report("processes.py", "processes", flags, flags.concurrency))
