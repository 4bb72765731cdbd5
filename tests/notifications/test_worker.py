"""Where the worker runs: in the server process by default, or alone as ``python -m server worker``."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from resolvers.notifications.worker import DeliveryWorker
from server.config import Settings
from store.core.database import INDEXES
from store.core.transactions import outbox_committed
from tests.conftest import RunningServer
from tests.notifications.support import create_person, receiver, save_endpoint, webhook_server
from tests.stores import store_url

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_runs_in_the_server_unless_turned_off() -> None:
    assert Settings.from_env({}).worker is True
    assert Settings.from_env({"WORKER": "0"}).worker is False
    assert Settings.from_env({}).webhook_private_urls is False
    assert Settings.from_env({"WEBHOOK_PRIVATE_URLS": "1"}).webhook_private_urls is True


async def test_python_m_server_worker_delivers_what_the_servers_wrote() -> None:
    async with webhook_server() as server, receiver() as hooks:
        # given an event written by a server whose own worker is off
        await save_endpoint(server, hooks.url)
        employee_id = await create_person(server)
        # when the worker runs as its own process on the same store
        env = {**{k: v for k, v in os.environ.items() if k not in {"MONGODB_URL", "MONGODB_DB", "BROADCAST_URL"}},
               "MONGODB_URL": store_url(), "MONGODB_DB": server.database.name, "WEBHOOK_PRIVATE_URLS": "1",
               "JWT_SECRET": server.settings.jwt_secret}
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", "worker", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        try:
            async with asyncio.timeout(20):
                await hooks.arrived.wait()
        finally:
            process.terminate()
            await process.wait()
            # what that process wrote is restored with the rest when the server stops
            server.database.stats.written.update(INDEXES)
        # then it sent the event
        assert len(hooks.received) == 1
        assert employee_id in hooks.received[0].body.decode()


async def test_the_worker_stops_when_cancelled_even_as_a_commit_wakes_it(server: RunningServer) -> None:
    # given the worker waiting for the next commit after a round (its reminder tick marks the round's end)
    rounds = asyncio.Event()

    async def tick() -> None:
        rounds.set()

    task = asyncio.create_task(DeliveryWorker(server.database, poll_seconds=60, also=[tick]).run())
    await asyncio.wait_for(rounds.wait(), 10)
    for _ in range(5):
        await asyncio.sleep(0)
    # when a commit wakes it in the same turn as the server's shutdown cancels it
    outbox_committed.set()
    task.cancel()
    # then it stops (a lost cancellation would leave the server's shutdown waiting for it for ever)
    done, _ = await asyncio.wait([task], timeout=5)
    assert done == {task} and task.cancelled()


async def test_a_commit_wakes_the_worker_after_its_live_pushes_and_a_burst_of_commits_is_one_round(
        server: RunningServer) -> None:
    # given the worker waiting for the next commit after a round, settling 0.3 s after one
    loop = asyncio.get_running_loop()
    rounds: list[float] = []
    first = asyncio.Event()

    async def tick() -> None:
        rounds.append(loop.time())
        first.set()

    task = asyncio.create_task(DeliveryWorker(server.database, poll_seconds=60, settle_seconds=0.3,
                                              also=[tick]).run())
    try:
        await asyncio.wait_for(first.wait(), 10)
        await asyncio.sleep(0.05)
        # when three commits come within 0.1 s
        woken_at = loop.time()
        for _ in range(3):
            outbox_committed.set()
            await asyncio.sleep(0.05)
        async with asyncio.timeout(10):
            while len(rounds) < 2:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)
        # then the worker made one round for them all, and not before the settling time had passed
        assert len(rounds) == 2
        assert rounds[1] - woken_at >= 0.3
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
