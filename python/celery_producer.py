"""Slide 8 — Celery and Redis: .delay() puts a job on the queue and returns at once; workers
run it. The talk timed only the enqueueing; this also waits for every result, and says both."""

from celery.exceptions import TimeoutError
from celery.result import ResultSet

from celery_tasks import app, fetch
from slides_common import Report, parse_flags, run


def fetch_all(flags, report):
    app.conf.broker_url = app.conf.result_backend = flags.redis
    jobs = {}
    for index in range(1, flags.requests + 1):
        start = report.clock.now()
        jobs[fetch.delay(flags.url, flags.timeout, flags.work)] = (index, start)
    report.enqueued()

    def on_result(job_id, result):  # as each arrives, in any order
        index, start = next(jobs[job] for job in jobs if job.id == job_id)
        report.answered(index, start, result)

    try:
        ResultSet(list(jobs)).join_native(
            callback=on_result, propagate=False, timeout=flags.give_up_after
        )
    except TimeoutError:
        pass  # the summary counts the results that never came as missing


if __name__ == "__main__":
    width = "jobs the workers run at once, for the summary [scripts/python.sh says]"
    flags = parse_flags("celery_producer.py", concurrency=width, queue=True)
    width = min(flags.concurrency or 0, flags.requests)  # 0: not known
    run(fetch_all, flags, Report("celery_producer.py", "celery", flags, width))
