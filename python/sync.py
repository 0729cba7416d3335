"""Slide 4 — synchronous: one request after another, so 50 take 50 times one."""

import requests

from slides_common import Report, parse_flags, run, spend_cpu


def fetch_all(flags, report):
    with requests.Session() as session:
        for index in range(1, flags.requests + 1):
            report.record(report.clock.time(index, fetch_one, session, flags))


def fetch_one(session, flags):
    response = session.get(flags.url, timeout=flags.timeout)
    response.raise_for_status()
    uuid = response.json()["uuid"]
    spend_cpu(uuid, flags.work)  # --work: handling the answer
    return uuid


if __name__ == "__main__":
    flags = parse_flags("sync.py")
    run(fetch_all, flags, Report("sync.py", "sync", flags, 1))
