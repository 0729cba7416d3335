"""Slide 7 — asyncio: one thread, one event loop, every request awaited at once with gather."""

import asyncio

import aiohttp

from slides_common import Report, parse_flags, run, spend_cpu


async def fetch_all(flags, report):
    connector = aiohttp.TCPConnector(limit=flags.concurrency)
    timeout = aiohttp.ClientTimeout(total=flags.timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def fetch_and_record(index):
            report.record(await report.clock.time_async(index, fetch_one(session, flags)))

        await asyncio.gather(*(fetch_and_record(i) for i in range(1, flags.requests + 1)))


async def fetch_one(session, flags):
    async with session.get(flags.url) as response:
        response.raise_for_status()
        uuid = (await response.json())["uuid"]
    spend_cpu(uuid, flags.work)  # --work: blocks the loop while it computes
    return uuid


if __name__ == "__main__":
    flags = parse_flags("async_io.py", concurrency="connections at once [default: every request]")
    flags.concurrency = min(flags.concurrency or flags.requests, flags.requests)
    run(fetch_all, flags, Report("async_io.py", "asyncio", flags, flags.concurrency))
