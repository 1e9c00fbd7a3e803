"""Ack latency of the Slack adapter, side by side with bare Bolt apps that only ack (the floor).

Run: ``.venv/bin/python bench/slack.py [--requests 3000] [--rate 200] [--concurrency 4]
[--burst 2000] [--burst-clients 50]``

Everything is on loopback: signed ``/rejected`` and ``/progress`` slash commands go to (a) the
real adapter around the real engine on a temporary SQLite database, wired as ``bounceback
slack`` wires it (each request is written to the inbox before its ack), whose after-ack work
(engine, storage, views.open, response_url) runs in the same event loop as the acks, and
(b) two bare Bolt apps whose listeners only call ``ack()``: Bolt's default configuration, and
Bolt with ``process_before_response=True`` (the faster of the two, and so the honest floor).
Another row runs the adapter around an engine that says nothing, to separate the adapter's
own cost from the engine's work sharing its event loop, and another a Bolt app that acks each
command and then makes the Slack call the adapter makes for it, with the very body the adapter
sent, as a task started after the ack: no engine and no database, only the acks and the
platform's calls sharing one event loop, the floor for any app that answers in the same process.
The Web API and response_urls are a local fake. Requests alternate between the apps in
rounds so that noise hits all of them alike. The requests come from a process of their own,
as the fake Web API runs in one: both stand for Slack. Last, a burst: ``--burst`` requests from
``--burst-clients`` clients at once to each app in turn, with every ack's time against Slack's
3 seconds and when the adapter's last after-ack reply went out. Not a test: it prints figures;
the aims are the adapter's p99 within 1.5 times the best floor's p99 at the steady rate and
within 2 times flat out.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_apps import (  # this folder is on the path when run as a script
    SECRET,
    TOKEN,
    FollowUps,
    Silent,
    bare_bolt,
    fake_slack_process,
    serve,
)

from adapters.slack.app import DEFAULT_WORKERS, build_app
from adapters.slack.logs import quiet_sdk_logs
from bounceback.bootstrap import open_services
from bounceback.cli import slack_config
from bounceback.settings import Settings

STEADY_AIM = 1.5
FLAT_OUT_AIM = 2.0
SLACK_ACK_LIMIT = 3.0  # seconds: Slack shows the person an error after this


def signed_command(number: int, api_url: str) -> tuple[bytes, dict[str, str]]:
    name = "rejected" if number % 2 else "progress"
    body = urlencode(
        {
            "command": f"/{name}",
            "text": "Acme" if name == "rejected" else "",
            "team_id": "T1",
            "user_id": f"U{number % 200}",
            "user_name": "bench",
            "channel_id": "C1",
            "channel_name": "general",
            "response_url": f"{api_url}/respond",
            "trigger_id": f"trigger-{number}",
        }
    ).encode()
    timestamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    headers = {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return body, headers


async def timed_ack(client: aiohttp.ClientSession, url: str, api_url: str, number: int) -> float:
    """Send signed command ``number``; seconds until its ack."""
    body, headers = signed_command(number, api_url)
    started = time.perf_counter()
    async with client.post(url, data=body, headers=headers) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.perf_counter() - started


async def load(
    client: aiohttp.ClientSession, url: str, api_url: str, count: int, concurrency: int
) -> list[float]:
    """Send ``count`` signed commands, ``concurrency`` at a time; seconds until each ack."""
    numbers = iter(range(count))
    latencies: list[float] = []

    async def worker() -> None:
        for number in numbers:
            latencies.append(await timed_ack(client, url, api_url, number))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def paced(
    client: aiohttp.ClientSession, url: str, api_url: str, count: int, rate: float
) -> list[float]:
    """Send ``count`` signed commands at ``rate`` per second (open loop); seconds per ack."""
    latencies: list[float] = []

    async def one(number: int) -> None:
        latencies.append(await timed_ack(client, url, api_url, number))

    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = []
    for number in range(count):
        delay = start + number / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent.append(asyncio.create_task(one(number)))
    await asyncio.gather(*sent)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Sends ``count`` requests to an app's URL; seconds until each ack.
Load = Callable[[str, int], Awaitable[list[float]]]


def clients_process(pipe: Connection) -> None:
    """Send the signed requests from a process of their own: like the fake Web API, the
    clients stand for Slack's servers, whose work is not ours to measure (in one process
    with the apps, their own cost would be counted in every ack)."""

    async def run() -> None:
        loop = asyncio.get_running_loop()
        async with aiohttp.ClientSession() as client:
            while (job := await loop.run_in_executor(None, pipe.recv)) is not None:
                kind, url, api_url, count, pace = job
                if kind == "paced":
                    pipe.send(await paced(client, url, api_url, count, pace))
                else:
                    pipe.send(await load(client, url, api_url, count, int(pace)))

    asyncio.run(run())


class Clients:
    """The clients' process, as the apps' side asks it for a load."""

    def __init__(self, pipe: Connection, api_url: str) -> None:
        self._pipe = pipe
        self._api_url = api_url

    async def send(self, kind: str, url: str, count: int, pace: float) -> list[float]:
        """``count`` requests to ``url``, paced (``pace`` a second) or ``pace`` at a time."""
        self._pipe.send((kind, url, self._api_url, count, pace))
        latencies: list[float] = await asyncio.get_running_loop().run_in_executor(
            None, self._pipe.recv
        )
        return latencies


async def measure(
    servers: dict[str, str], requests: int, rounds: int, load: Load,
    drain: Callable[[], Awaitable[None]],
) -> dict[str, list[float]]:  # fmt: skip
    """Each app's ack latencies, alternating between apps round by round."""
    results: dict[str, list[float]] = {name: [] for name in servers}
    per_round = max(1, requests // rounds)
    for _ in range(rounds):
        for name, url in servers.items():
            results[name] += await load(url, per_round)
            await drain()  # the adapter's after-ack work must not slow the next app
    return results


def report(title: str, results: dict[str, list[float]], aim: float) -> None:
    print(title)
    print(f"  {'app':38} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
    for name, values in results.items():
        print(
            f"  {name:38} {percentile(values, 0.5) * 1000:8.2f} "
            f"{percentile(values, 0.99) * 1000:8.2f} {statistics.fmean(values) * 1000:8.2f}"
        )
    floor = min(percentile(values, 0.99) for name, values in results.items() if "bare" in name)
    for name, values in results.items():
        if "bare" not in name:
            ratio = percentile(values, 0.99) / floor
            verdict = "within" if ratio <= aim else "OVER"
            print(f"  {name}: p99 / best floor p99 = {ratio:.2f} ({verdict} the {aim}x aim)")


async def bursts(
    servers: dict[str, str],
    clients: Clients,
    count: int,
    at_once: int,
    drains: Mapping[str, Callable[[], Awaitable[None]]],
) -> dict[str, tuple[list[float], float | None]]:
    """Each app's ack latencies under a burst, and (for the adapters) the seconds from the
    burst's start until their last after-ack reply went out."""
    results: dict[str, tuple[list[float], float | None]] = {}
    for name, url in servers.items():
        started = time.perf_counter()
        latencies = await clients.send("load", url, count, at_once)
        drain = drains.get(name)
        if drain is None:
            results[name] = (latencies, None)
            continue
        await drain()
        results[name] = (latencies, time.perf_counter() - started)
    return results


def report_burst(title: str, results: dict[str, tuple[list[float], float | None]]) -> None:
    print(title)
    header = (
        f"  {'app':38} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'acks>3s':>8} {'last reply':>11}"
    )
    print(header)
    for name, (values, last) in results.items():
        if not values:  # --burst 0
            continue
        late = sum(1 for value in values if value >= SLACK_ACK_LIMIT)
        replied = f"{last:10.2f}s" if last is not None else f"{'-':>11}"
        print(
            f"  {name:38} {percentile(values, 0.5) * 1000:8.2f} "
            f"{percentile(values, 0.99) * 1000:8.2f} {max(values) * 1000:8.2f} {late:8d} {replied}"
        )


async def main(
    requests: int,
    rate: float,
    concurrency: int,
    rounds: int,
    workers: int,
    api_url: str,
    burst: tuple[int, int],
    clients: Clients,
) -> None:
    quiet_sdk_logs()  # slack_sdk's and Bolt's logs as `bounceback slack` sets them
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_mapping(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": f"{api_url}/api/",
            }
        )
        async with open_services(settings) as services, aiohttp.ClientSession() as api_session:
            adapter = build_app(
                services.engine,
                slack_config(settings),
                shared=services.shared,
                session=api_session,
                workers=workers,
            )
            idle = build_app(
                Silent(),
                slack_config(settings),
                shared=services.shared,
                session=api_session,
            )
            first: dict[str, web.Application] = {
                "bounceback adapter": adapter.web_app(),
                "bounceback adapter, engine says nothing": idle.web_app(),
            }
            runners = {name: await serve(app) for name, app in first.items()}
            for _, url in runners.values():  # warm up: auth.test, the database, the pools
                await clients.send("load", url, 50, concurrency)
            await adapter.drain()
            # The floor's follow-ups send what the adapter sent in its warm-up.
            follow_ups = await FollowUps.as_sent(api_session, api_url)
            floors: dict[str, web.Application] = {
                "bolt acks, then the same Slack calls": bare_bolt(
                    api_url, api_session, process_before_response=True, follow_up=follow_ups
                ),
                "bare bolt (default)": bare_bolt(
                    api_url, api_session, process_before_response=False
                ),
                "bare bolt (process_before_response)": bare_bolt(
                    api_url, api_session, process_before_response=True
                ),
            }
            for name, app in floors.items():
                runners[name] = await serve(app)
                await clients.send("load", runners[name][1], 50, concurrency)
            await follow_ups.drain()
            servers = {name: url for name, (_, url) in runners.items()}

            async def steady(url: str, count: int) -> list[float]:
                return await clients.send("paced", url, count, rate)

            async def flat_out(url: str, count: int) -> list[float]:
                return await clients.send("load", url, count, concurrency)

            async def drain() -> None:
                await asyncio.gather(adapter.drain(), idle.drain(), follow_ups.drain())

            at_rate = await measure(servers, requests, rounds, steady, drain)
            saturated = await measure(servers, requests, rounds, flat_out, drain)
            drains = {
                "bounceback adapter": adapter.drain,
                "bounceback adapter, engine says nothing": idle.drain,
                "bolt acks, then the same Slack calls": follow_ups.drain,
            }
            burst_results = await bursts(servers, clients, *burst, drains)
            for runner, _ in runners.values():
                await runner.cleanup()
            await adapter.aclose()
            await idle.aclose()
    print(f"{requests} signed /rejected + /progress per app and load, on loopback")
    report(
        f"steady load: {rate:g} requests/s (the adapter's after-ack work keeps up)",
        at_rate,
        STEADY_AIM,
    )
    report(
        f"flat out: {concurrency} in flight (the adapter also does its engine work)",
        saturated,
        FLAT_OUT_AIM,
    )
    report_burst(
        f"burst: {burst[0]} requests from {burst[1]} clients at once, each app in turn "
        "(last reply: seconds from the burst's start until the last after-ack reply went out)",
        burst_results,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000, help="requests per app")
    parser.add_argument("--rate", type=float, default=200, help="steady requests per second")
    parser.add_argument("--concurrency", type=int, default=4, help="in flight when flat out")
    parser.add_argument("--rounds", type=int, default=6, help="alternations between apps")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="the adapter's after-ack workers"
    )
    parser.add_argument("--burst", type=int, default=2000, help="requests per app in the burst")
    parser.add_argument("--burst-clients", type=int, default=50, help="clients in the burst")
    options = parser.parse_args()
    spawn = multiprocessing.get_context("spawn")
    receiving, sending = spawn.Pipe(duplex=False)
    slack = spawn.Process(target=fake_slack_process, args=(sending,), daemon=True)
    ours, theirs = spawn.Pipe()
    senders = spawn.Process(target=clients_process, args=(theirs,), daemon=True)
    slack.start()
    senders.start()
    try:
        fake_url = receiving.recv()
        asyncio.run(
            main(
                options.requests,
                options.rate,
                options.concurrency,
                options.rounds,
                options.workers,
                fake_url,
                (options.burst, options.burst_clients),
                Clients(ours, fake_url),
            )
        )
        ours.send(None)
        senders.join(10)
    finally:
        senders.terminate()
        slack.terminate()
