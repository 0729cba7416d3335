"""What the Python originals share and is not the lesson: the flags, the clock, the report.

The report prints each answer as it arrives and ends with the summary the Rust slides print:
a line for people and, with --json, one JSON line in the schema of crates/common/src/summary.rs.
"""

import argparse
import asyncio
import errno
import inspect
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

DURATION = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)(ms|s|m)?$")
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}
MASK = (1 << 64) - 1  # spend_cpu computes on 64 bits, as common::spend_cpu does


def duration(text):
    """`200ms`, `1.5s`, `2m` or `0` as seconds."""
    match = DURATION.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration, such as 200ms or 1.5s")
    return float(match[1]) * UNITS[match[2]]


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def http_url(text):
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL")
    return text


def redis_url(text):
    parts = urlsplit(text)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not a redis:// URL")
    return text


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """Bad flags: one line naming the problem, exit 2 (argparse's own prints the usage too)."""
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def parse_flags(slide, concurrency=None, queue=False):
    """The Rust slides' flags. `concurrency` is the help of -c, when the model has a width."""
    parser = Parser(prog=slide, description=sys.modules["__main__"].__doc__.splitlines()[0])
    parser.add_argument(
        "--url", type=http_url, default=os.environ.get("SLIDES_URL", "http://127.0.0.1:8080/uuid")
    )
    parser.add_argument("-n", "--requests", type=positive, default=50, help="default: 50")
    if concurrency:
        parser.add_argument("-c", "--concurrency", type=positive, help=concurrency)
    parser.add_argument("--timeout", type=duration, default=10.0, help="one request's limit")
    parser.add_argument("--work", type=duration, default=0.0, help="CPU per answer (busy work)")
    parser.add_argument("--json", action="store_true", help="end with one JSON summary line")
    parser.add_argument("-q", "--quiet", action="store_true", help="only the summary")
    if queue:
        parser.add_argument(
            "--redis", type=redis_url, default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
        )
        parser.add_argument(
            "--give-up-after", type=duration, default=60.0, help="stop waiting for results"
        )
    return parser.parse_args()


def spend_cpu(uuid, seconds):
    """--work: spend `seconds` of this thread's CPU computing over `uuid` (splitmix64 rounds).

    Busy work in pure Python, never a sleep: it holds the GIL while it runs. Measured on this
    thread's CPU clock, so a thread that waits for the GIL still does all of its work.
    """
    if seconds <= 0:
        return
    state = int(uuid.replace("-", ""), 16) & MASK
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        for _ in range(256):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            state = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            state = ((state ^ (state >> 27)) * 0x94D049BB133111EB) & MASK
            state ^= state >> 31


@dataclass
class Fetched:
    """One request's outcome: a UUID or a failure, and when it started and finished."""

    index: int
    start_s: float
    end_s: float
    uuid: str | None = None
    kind: str | None = None
    error: str | None = None


@dataclass
class Clock:
    """The run's start. time.monotonic() is one clock for every process on the machine, so a
    pool's child process can time against the parent's start."""

    started: float

    def now(self):
        return time.monotonic() - self.started

    def time(self, index, fetch, *args, **kwargs):
        """Calls fetch(...), which gives a UUID, and says when it ran and how it went."""
        start = self.now()
        try:
            uuid = str(UUID(fetch(*args, **kwargs)))  # ValueError: not httpbin's answer
            return Fetched(index, start, self.now(), uuid=uuid)
        except Exception as err:  # a failure is a result, not a crash
            return Fetched(index, start, self.now(), kind=kind_of(err), error=describe(err))

    async def time_async(self, index, fetch):
        """The same for a coroutine that gives a UUID."""
        start = self.now()
        try:
            uuid = str(UUID(await fetch))
            return Fetched(index, start, self.now(), uuid=uuid)
        except Exception as err:
            return Fetched(index, start, self.now(), kind=kind_of(err), error=describe(err))


def causes(err):
    """The error and what caused it, as the libraries chain them."""
    seen = []
    while err is not None and err not in seen and len(seen) < 10:
        seen.append(err)
        reason = getattr(err, "reason", None) or getattr(err, "os_error", None)
        err = (
            err.__cause__ or err.__context__ or (reason if isinstance(reason, Exception) else None)
        )
    return seen


def kind_of(err):
    """The failure's kind, in the Rust slides' words: refused, timeout, status, body, network."""
    if isinstance(err, str):  # a worker's traceback, as RQ keeps it
        names = {"refused": "Connection refused", "timeout": "Timeout", "status": "HTTPError"}
        return next((kind for kind, name in names.items() if name in err), "network")
    chain = causes(err)
    if any(
        isinstance(e, ConnectionRefusedError) or getattr(e, "errno", 0) == errno.ECONNREFUSED
        for e in chain
    ):
        return "refused"
    if any(isinstance(e, TimeoutError) or "Timeout" in type(e).__name__ for e in chain):
        return "timeout"
    if any(
        getattr(e, "status", None) or getattr(getattr(e, "response", None), "status_code", None)
        for e in chain
    ):
        return "status"
    if any(isinstance(e, (ValueError, KeyError, TypeError)) for e in chain):
        return "body"
    return "network"


HINTS = {
    "refused": "is httpbin-lite running? "
    "Start it with `cargo run --release -p httpbin-lite`, or pass --url",
    "timeout": "the server was slower than --timeout; raise it, or check the server",
}


def describe(err):
    """The failure in words, with what to do about it where there is something to do."""
    kind = kind_of(err)
    what = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
    return f"{what} — {HINTS[kind]}" if kind in HINTS else what


def without_password(url):
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:****@{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


def cpu_seconds():
    """The CPU this process used, and its children that ended (a pool's), on every core."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Report:
    """A run's results so far: each printed as it arrives, then the summary."""

    def __init__(self, slide, model, flags, concurrency):
        self.slide, self.model, self.flags, self.concurrency = slide, model, flags, concurrency
        self.fetched = []
        self.lock = threading.Lock()  # threads record at once
        self.enqueue_s = None
        self.workers = None
        # CPU from here on: not the interpreter's start and imports, which a Rust slide has none of.
        self.cpu_at_start = cpu_seconds()
        self.clock = Clock(time.monotonic())

    def record(self, fetched):
        """Prints `  0.512s  #07  <uuid>` (unless --quiet), and keeps it."""
        with self.lock:
            if not self.flags.quiet:
                width = max(2, len(str(self.flags.requests)))
                outcome = fetched.uuid or f"failed: {fetched.error}"
                print(f"{fetched.end_s:>7.3f}s  #{fetched.index:0{width}}  {outcome}", flush=True)
            self.fetched.append(fetched)

    def enqueued(self):
        """A queue's producer: every job is on the queue. The summary gives this time apart."""
        self.enqueue_s = self.clock.now()
        self.workers = set()

    def answered(self, index, start_s, result):
        """A queue's result for request `index`, enqueued at `start_s`: the job's return value
        `{"uuid": …, "worker": …}`, or what its failure says."""
        if isinstance(result, dict) and "uuid" in result:
            self.workers.add(result.get("worker"))
            self.record(Fetched(index, start_s, self.clock.now(), uuid=result["uuid"]))
        else:
            fetched = Fetched(index, start_s, self.clock.now(), kind=kind_of(result))
            last_line = (str(result).strip().splitlines() or ["failed"])[-1]  # of a traceback
            fetched.error = describe(result) if isinstance(result, Exception) else last_line
            self.record(fetched)

    def summary(self, interrupted=None):
        wall = self.clock.now()
        cpu = cpu_seconds() - self.cpu_at_start
        uuids = [f.uuid for f in self.fetched if f.uuid]
        errors = [f for f in self.fetched if not f.uuid]
        failures = {}
        for f in errors:
            failures[f.kind] = failures.get(f.kind, 0) + 1
        missing = self.flags.requests - len(self.fetched)
        if missing > 0:
            failures["interrupted" if interrupted else "missing"] = missing
        summary = {
            "slide": self.slide,
            "model": self.model,
            "url": without_password(self.flags.url),
            "requests": self.flags.requests,
            "concurrency": self.concurrency,
            "ok": len(uuids),
            "failed": len(errors) + max(missing, 0),
            "failures": dict(sorted(failures.items())),
            "missing": max(missing, 0),
            "unique": len(set(uuids)),
            "max_retries": 0,
            "retries": 0,
            "retried": {},
            "wall_s": wall,
            "req_per_s": len(uuids) / max(wall, 1e-9),
            "work_s": self.flags.work,
            "cpu_s": cpu,
            "cores_used": cpu / max(wall, 1e-9),
            "first_error": f"GET {without_password(self.flags.url)}: {errors[0].error}"
            if errors
            else None,
            "interrupted": interrupted,
            "timeline": [
                {
                    "index": f.index,
                    "start_s": f.start_s,
                    "end_s": f.end_s,
                    "ok": bool(f.uuid),
                    "attempts": 1,
                }
                for f in sorted(self.fetched, key=lambda f: f.index)
            ],
        }
        if self.enqueue_s is not None:
            summary["enqueue_s"] = self.enqueue_s
            summary["workers"] = len(self.workers)
        return summary

    def finish(self, interrupted=None):
        """Prints the summary, and what went wrong on stderr; gives the exit code."""
        summary = self.summary(interrupted)
        print(line(summary), flush=True)
        if self.flags.json:
            print(json.dumps(summary), flush=True)
        done, asked = len(self.fetched), summary["requests"]
        if interrupted:
            print(f"{self.slide}: {interrupted}: stopped after {done} of {asked}", file=sys.stderr)
            return 130
        if summary["failed"]:
            first = summary["first_error"] or f"{summary['missing']} requests got no answer"
            failed = summary["failed"]
            print(
                f"{self.slide}: {failed} of {asked} requests failed; first: {first}",
                file=sys.stderr,
            )
            return 1
        return 0


def brief(seconds):
    """Enqueueing takes well under a millisecond per job: "0.000 s" would hide it."""
    return f"{seconds * 1000:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def line(s):
    """The line people read, as common::Summary::line writes it."""
    failures = ""
    if s["failed"]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in s["failures"].items())
        failures = f" {s['failed']} failed ({kinds}),"
    more = ""
    if s.get("enqueue_s") is not None:
        more += f", enqueued in {brief(s['enqueue_s'])}"
        more += f", {s['workers']} worker{'' if s['workers'] == 1 else 's'}"
    if s["work_s"] > 0:
        more += f", cpu {s['cpu_s']:.2f} s on {s['cores_used']:.1f} cores"
    return (
        f"{s['slide']}: {s['ok']}/{s['requests']} ok, {s['unique']} unique,{failures} "
        f"{s['wall_s']:.2f} s, {s['req_per_s']:.1f} req/s, concurrency {s['concurrency']}{more}"
    )


def run(fetch_all, flags, report):
    """Runs fetch_all(flags, report), on an event loop if it is async; prints the summary and
    exits with its code. Ctrl-C ends the run with a summary of what got done."""
    # Ctrl-C raises KeyboardInterrupt, even where it came in ignored (a script's background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if inspect.iscoroutinefunction(fetch_all):
            asyncio.run(fetch_all(flags, report))  # the event loop, for async_io.py's
        else:
            fetch_all(flags, report)
    except KeyboardInterrupt:
        sys.exit(report.finish(interrupted="SIGINT"))
    sys.exit(report.finish())
