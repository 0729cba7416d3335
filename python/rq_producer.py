"""Slide 8 with RQ (Redis Queue), which the talk's abstract named: Queue.enqueue puts a job on
the queue and returns at once; workers run it. Enqueueing is timed apart from the results."""

import math
import time

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer

from rq_tasks import fetch
from slides_common import Report, parse_flags, run


def fetch_all(flags, report):
    queue = Queue("slides", connection=Redis.from_url(flags.redis), serializer=JSONSerializer)
    jobs = []
    for index in range(1, flags.requests + 1):
        start = report.clock.now()
        jobs.append((index, start, queue.enqueue(fetch, flags.url, flags.timeout, flags.work)))
    report.enqueued()

    give_up = time.monotonic() + flags.give_up_after
    for index, start, job in jobs:
        wait = max(0, math.ceil(give_up - time.monotonic()))  # whole seconds; 0: do not block
        result = job.latest_result(timeout=wait)
        if result is None:
            continue  # never came: the summary counts it as missing
        ok = result.type == result.Type.SUCCESSFUL
        report.answered(index, start, result.return_value if ok else result.exc_string)


if __name__ == "__main__":
    width = "jobs the workers run at once, for the summary [scripts/python.sh says]"
    flags = parse_flags("rq_producer.py", concurrency=width, queue=True)
    width = min(flags.concurrency or 0, flags.requests)  # 0: not known
    run(fetch_all, flags, Report("rq_producer.py", "rq", flags, width))
