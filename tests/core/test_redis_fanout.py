"""Two server processes sharing Redis: a mutation on one reaches subscribers of the other,
and delivery resumes after the Redis connection is cut."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from redis.asyncio import Redis

from resolvers.org.mutations import org_chart_channel
from server.auth import mint_token
from server.config import DEV_JWT_SECRET
from tests.client import GraphQLClient, websocket
from tests.conftest import NORTHWIND

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parent.parent
ORG_CHART_CHANGED = "subscription($root: ID!) { orgChartChanged(rootId: $root) { kind employeeIds version } }"
RENAME = "mutation($id: ID!, $name: String!) { updateEmployee(id: $id, input: {name: $name}) { errors { code } } }"
CHANNEL = org_chart_channel(NORTHWIND.organization["_id"])

pytestmark = pytest.mark.skipif(bool(os.environ.get("MONGODB_URL")),
                                reason="each process seeds its own embedded store")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def token(persona: str) -> str:
    employee = next(e for e in NORTHWIND.employees if e["_id"] == NORTHWIND.personas[persona])
    return mint_token(DEV_JWT_SECRET, employee["_id"], NORTHWIND.organization["_id"], employee["roles"])


@contextmanager
def server_process(log: Path) -> Iterator[int]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "BROADCAST_URL": REDIS_URL, "MONGODB_URL": "memory://"}
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "server", "serve", "--seed-demo"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(10)


async def wait_healthy(port: int) -> None:
    # two processes seeding at once took over 30 s on a loaded 2-core machine
    async with httpx.AsyncClient() as http, asyncio.timeout(60):
        while True:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)


async def wait_numsub(redis: Redis, expected: int) -> None:
    async with asyncio.timeout(10):
        while dict(await redis.pubsub_numsub(CHANNEL)).get(CHANNEL.encode(), 0) != expected:
            await asyncio.sleep(0.05)


@asynccontextmanager
async def two_servers(tmp_path: Path) -> AsyncIterator[tuple[int, int, Path]]:
    with server_process(tmp_path / "a.log") as a, server_process(tmp_path / "b.log") as b:
        await asyncio.gather(wait_healthy(a), wait_healthy(b))
        yield a, b, tmp_path / "b.log"


async def test_a_mutation_on_one_process_reaches_a_subscriber_on_another(tmp_path: Path) -> None:
    redis = Redis.from_url(REDIS_URL)
    person = NORTHWIND.personas["employee"]
    ceo = next(e for e in NORTHWIND.employees if e["_id"] == person)["managerChain"][0]
    try:
        async with two_servers(tmp_path) as (port_a, port_b, log_b):
            hr_on_a = GraphQLClient(f"http://127.0.0.1:{port_a}/graphql", token("hr_admin"))
            # given a subscriber connected to process B
            async with websocket(f"ws://127.0.0.1:{port_b}/graphql", token("manager")) as subscriber:
                await subscriber.subscribe(ORG_CHART_CHANGED, {"root": ceo})
                await wait_numsub(redis, 1)
                # when HR renames someone through process A
                assert await hr_on_a.data(RENAME, {"id": person, "name": "Across Processes"}) == {
                    "updateEmployee": {"errors": []}}
                # then the subscriber on B receives it
                event = (await subscriber.next_payload())["data"]["orgChartChanged"]
                assert event == {"kind": "EMPLOYEE_UPDATED", "employeeIds": [person], "version": 1}

                # when every Redis PubSub connection is cut (as by a Redis restart)
                killed = await redis.execute_command("CLIENT", "KILL", "TYPE", "pubsub")
                assert killed >= 1
                # then B reconnects and re-subscribes by itself, logs the gap, and delivery resumes
                async with asyncio.timeout(10):
                    while "redis pubsub reconnected after" not in log_b.read_text():
                        await asyncio.sleep(0.05)
                await wait_numsub(redis, 1)
                assert await hr_on_a.data(RENAME, {"id": person, "name": "After The Gap"}) == {
                    "updateEmployee": {"errors": []}}
                event = (await subscriber.next_payload())["data"]["orgChartChanged"]
                assert event == {"kind": "EMPLOYEE_UPDATED", "employeeIds": [person], "version": 2}
    finally:
        await redis.aclose()
